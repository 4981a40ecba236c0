//! # mgcp-media: the RTP media plane
//!
//! Real media for the gateway engine of `mgcp-gateway`: this crate
//! implements its [`mgcp_gateway::MediaPlane`] trait with RTP.
//!
//! Pure pieces, testable with known signals and no sockets:
//! [`g711`] (µ-law/A-law and transcoding), [`rtp`] and [`rtcp`] (packets),
//! [`stats`] (RFC 3550 reception statistics), [`rfc4733`] (DTMF events),
//! [`tone`] (RFC 3660 tones), [`goertzel`] and [`dtmf`] (in-band
//! detection), [`mixer`] (mix-minus), [`wav`] (announcement files).
//!
//! The media plane itself: [`RtpMedia`] (the [`mgcp_gateway::MediaPlane`]
//! the daemon runs) hands each connection to one of its worker threads;
//! a worker is an epoll loop over its sockets (`worker`) around a sans-IO
//! engine (`engine`, `conn`, `player`) that relays, mixes, plays and
//! detects; [`sys`] re-exports `mgcp-udp`, the workspace's one audited
//! `unsafe` crate (batched `recvmmsg`/`sendmmsg`, shared with the MGCP
//! driver `mgcp-net`).
//!
//! What it deliberately does not do: MGCP (the gateway engine decides what
//! each connection carries), SDP, codecs other than G.711, SRTP, jitter
//! buffering beyond a bounded playout queue.

#![deny(missing_docs)]

mod conn;
pub mod dtmf;
mod engine;
pub mod g711;
pub mod goertzel;
pub mod mixer;
pub mod outbox;
mod plane;
mod player;
pub mod rfc4733;
pub mod rtcp;
pub mod rtp;
pub mod stats;
/// Batched UDP system calls and socket settings (the `mgcp-udp` crate,
/// shared with the MGCP driver).
pub use mgcp_udp as sys;
pub mod tone;
pub mod wav;
mod worker;

pub use plane::{MediaConfig, RtpMedia};
pub use worker::EventSink;
