//! # mgcp-proto: the MGCP message codec
//!
//! Parses and encodes Media Gateway Control Protocol messages (RFC 3435,
//! which obsoletes RFC 2705; packages of RFC 3660; return codes of RFC 3435
//! and RFC 3661) as real equipment sends them: Cisco IOS and CallManager
//! (`MGCP 0.1`), PacketCable (`MGCP 1.0 NCS 1.0`) and osmo-mgw.
//!
//! What it does:
//! - [`parse_datagram`] splits piggybacked messages and parses each fully
//!   into a [`Message`] whose parameters are typed ([`params::Param`]) and
//!   whose session descriptions are validated ([`sdp`]). Nothing is
//!   allocated for a typical message: every value borrows from the input.
//! - Every error knows its line, column and the return code a receiver
//!   should answer ([`ParseError::return_code`]), and keeps the
//!   transaction id when the first line was readable.
//! - The encoder ([`Message::encode_into`], `Display`) writes one
//!   canonical form, documented in [`encode`].
//! - [`digit_map`] parses digit maps and compiles them into a matcher a
//!   gateway runs digit by digit.
//! - [`validate`] checks a command against RFC 3435's table of mandatory,
//!   optional and forbidden parameters.
//!
//! What it deliberately does not do: sockets, clocks, retransmission,
//! endpoint state. Those live in the transaction, gateway and call-agent
//! crates, which feed this one bytes and get typed messages back.
//!
//! Leniency is explicit: [`ParseOptions`] is strict by default (RFC 3435's
//! grammar) and [`ParseOptions::lenient`] turns on every documented switch
//! for the quirks real equipment has.
//!
//! ```
//! use mgcp_proto::{parse, Message, params::ConnectionMode};
//! let msg = parse(b"CRCX 1204 aaln/1@gw.example.net MGCP 1.0\r\nC: A3C47F21456789F0\r\nM: recvonly\r\n")?;
//! let Message::Command(cmd) = msg else { unreachable!() };
//! assert_eq!(cmd.params.connection_mode(), Some(ConnectionMode::RecvOnly));
//! # Ok::<(), mgcp_proto::ParseError>(())
//! ```

#![deny(missing_docs)]
#![deny(clippy::print_stdout)]

pub mod digit_map;
pub mod encode;
pub mod endpoint_name;
pub mod error;
pub mod event;
pub mod inline_vec;
pub mod message;
pub mod packages;
pub mod params;
pub mod parse;
pub mod return_code;
pub mod sdp;
mod text;
pub mod transaction_id;
pub mod validate;
pub mod verb;

pub use endpoint_name::{Domain, EndpointName, NotifiedEntity};
pub use error::{ErrorKind, ParseError};
pub use message::{Command, Message, Params, ProtocolVersion, Response};
pub use params::{Param, ParamName};
pub use parse::{ParseOptions, parse, parse_datagram, parse_with, split_datagram};
pub use return_code::ReturnCode;
pub use transaction_id::TransactionId;
pub use verb::Verb;
