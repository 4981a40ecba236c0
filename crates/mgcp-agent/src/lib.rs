//! # mgcp-agent: the call agent engine, sans-IO
//!
//! A call agent per RFC 3435 as Cisco CallManager plays it with MGCP
//! gateways: it owns the dial plan and the state of every line and trunk
//! channel, registers gateways, and drives each call step by step.
//!
//! - **Registration and supervision** ([`registration`]): RestartInProgress
//!   from whole gateways (`*@gw`) or single endpoints — `restart`,
//!   `graceful`, `forced`, `disconnected`, `cancel-graceful`, and vendor
//!   keep-alives (`X-KeepAlive`) — answered 200, or 521 with `N:` to hand
//!   the gateway to another agent; endpoint audits (AUEP `F: I, ES`, then
//!   AUCX `F: C, M` per connection, as seed 003 shows); idle lines watch
//!   for off-hook (`R: L/hd(N)`); gateways that stop answering (the
//!   transaction layer's `TimedOut`) are marked out of service; silent
//!   gateways get keep-alive audits.
//! - **Call control** ([`calls`]): the residential flow line to line —
//!   off-hook, dial tone and digit map, digits, CRCX on the caller
//!   (`recvonly`), CRCX on the callee with the caller's SDP and ringing,
//!   MDCX on the caller with the callee's SDP and ringback (RFC 2705
//!   §2.1.3's three steps), answer, MDCX `sendrecv` both ways, hang-up on
//!   either side, DLCX both and back to idle; busy, unknown number,
//!   no answer, abandon, call waiting with hook-flash swap; calls to and
//!   from trunk channels (DS0) on any gateway.
//! - **Dial plan** ([`dial_plan`]): numbers → lines, prefixes → trunk
//!   groups, and the digit map generated from them.
//! - **Persistence** ([`store`]): calls and CDRs go through the [`Store`]
//!   trait; after a restart the agent audits its gateways and adopts the
//!   calls still up, and deletes connections no call accounts for.
//! - **Redundancy**: a backup agent runs the same configuration; when a
//!   gateway fails over to it (several call agent addresses, a notified
//!   entity that resolves to both, or a 521 redirect), its first message
//!   from an unknown gateway makes it audit that gateway and adopt the
//!   calls it finds.
//!
//! ## The run loop
//!
//! [`Agent`] is a [`mgcp_txn::Node`]: feed it datagrams and time, then
//! drain `poll_transmit` after *every* call, and [`Agent::poll_event`] for
//! what the owner should log. Application input (an incoming trunk call
//! signalled by ISDN, an operator releasing a call) goes through methods
//! that take `now` too.
//!
//! What it deliberately does not do: sockets, clocks, files (the store is
//! injected), media.

#![deny(missing_docs)]
#![deny(clippy::print_stdout)]

mod agent;
pub mod calls;
pub mod config;
pub mod dial_plan;
pub mod registration;
pub mod store;

pub use agent::{
    Agent, AgentCounters, AgentEvent, Call, CallState, ConfigError, GatewayState, GatewayStatus,
    Line, LineKind, Phase,
};
pub use config::AgentConfig;
pub use store::{CallRecord, Cdr, MemoryStore, Store};
