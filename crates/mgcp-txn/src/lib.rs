//! # mgcp-txn: the MGCP transaction layer, sans-IO
//!
//! RFC 3435 §3.5 over UDP, for gateways and call agents alike:
//!
//! - **At-most-once execution.** Received commands are remembered by
//!   (peer, transaction id) for T-HIST (30 s). A retransmitted command is
//!   answered from history and never reaches the application twice; one
//!   still executing gets a provisional 100 (or 101 when queued). A
//!   different command reusing an id is detected by its verb and endpoint.
//! - **Retransmission** of our commands with the adaptive timer of §3.5.3
//!   (smoothed delay and deviation per peer address, Karn's rule,
//!   exponential back-off with jitter, 200 ms initial, 4 s ceiling), moving
//!   to the peer's next address after Max1 retransmissions and giving up
//!   after Max2 or T-MAX (20 s) with an event the application sees.
//!   Provisional responses switch to LONGTRAN (5 s).
//! - **Response acknowledgement.** Final responses we receive are confirmed
//!   with `K:` on later commands to that peer; `K:` we receive lets us
//!   forget responses. A final response after a provisional carries an
//!   empty `K:` and is retransmitted until the `000` arrives.
//! - **Piggybacking.** Received datagrams are split and processed in
//!   order; messages queued for one address share a datagram within the
//!   peer's size limit; a response too large for it becomes 533.
//! - **Bounded memory.** History and outstanding commands have limits;
//!   overload is answered 409 and counted.
//!
//! ## The run loop
//!
//! The engine never touches sockets or clocks. A driver calls
//! [`Engine::receive`] for each datagram and [`Engine::handle_timeout`]
//! when [`Engine::poll_timeout`] says, acts on the returned
//! [`Delivery`]s (answering commands with [`Engine::respond`]), and after
//! *every* call drains [`Engine::poll_transmit`] (send each datagram) and
//! [`Engine::poll_event`].
//!
//! Applications built on the engine (gateway, call agent, tools) expose the
//! same shape through the [`Node`] trait, which the UDP driver and the
//! network simulator both run.

#![deny(missing_docs)]
#![deny(clippy::print_stdout)]

mod config;
mod counters;
mod engine;
mod rto;

use std::net::SocketAddr;
use std::time::Instant;

pub use config::Config;
pub use counters::{Counters, PerCode, PerVerb};
pub use engine::{
    Delivery, Destination, Engine, Event, IncomingId, RespondError, SendError, Transmit,
};
pub use rto::Estimator;

/// Anything that speaks MGCP over datagrams: fed input and time, it
/// produces datagrams and tells when it next needs the time.
///
/// Drivers (a UDP socket loop, the simulated network) call
/// `handle_datagram` or `handle_timeout`, then drain `poll_transmit`, then
/// wait until `poll_timeout` or the next datagram.
pub trait Node {
    /// A datagram arrived from `from`.
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]);
    /// Time passed; run what is due.
    fn handle_timeout(&mut self, now: Instant);
    /// The next datagram to send.
    fn poll_transmit(&mut self) -> Option<Transmit>;
    /// When `handle_timeout` must next be called.
    fn poll_timeout(&self) -> Option<Instant>;
}
