//! # mgcp-capture: MGCP traffic from captures and logs
//!
//! Turns pcap/pcapng captures ([`capture`]) and Cisco IOS `debug mgcp
//! packets` logs ([`cisco`]) into [`Datagram`]s, and analyses them
//! ([`analysis`]): each message parsed, requests matched to responses with
//! response times, retransmissions and duplicate responses flagged,
//! piggybacked and malformed messages counted, per-verb statistics. The
//! `mgcp decode` command renders the result.
//!
//! What it does not do: live capture (use tshark or tcpdump to write a
//! file), TCP-carried MGCP.

#![deny(missing_docs)]
#![deny(clippy::print_stdout)]

pub mod analysis;
pub mod capture;
pub mod cisco;

use std::net::SocketAddr;
use std::time::Duration;

/// One UDP datagram carrying MGCP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// When it was captured (since the Unix epoch for captures; since
    /// January 1st for Cisco logs, which name no year).
    pub time: Option<Duration>,
    /// Sender.
    pub from: SocketAddr,
    /// Receiver.
    pub to: SocketAddr,
    /// The UDP payload.
    pub payload: Vec<u8>,
}
