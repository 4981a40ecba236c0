//! # mgcp-gateway: the media gateway engine, sans-IO
//!
//! A gateway per RFC 3435 §2.3 and §4 with the packages of RFC 3660: the
//! endpoints the seeds name (analog lines, DS0 trunk channels,
//! announcement, IVR, conference, packet relay, wiretap, osmo-mgw's
//! rtpbridge and `null`), each with its packages; connections with mode,
//! codec and packetization negotiation; notification requests with every
//! action, digit maps, signals, quarantine and lockstep; audits; EPCF; and
//! the restart, disconnected and redirection procedures.
//!
//! The [`Gateway`] is a [`mgcp_txn::Node`]: fed datagrams, line events
//! ([`Gateway::line_event`]), media events and time, it produces datagrams
//! and [`GatewayEvent`]s. Media is behind the [`MediaPlane`] trait; the
//! [`NullMedia`] plane allocates ports and carries nothing (the RTP plane
//! plugs in at the same place). The line side is a seam too: a test, a
//! person through `mgcp phone`, or a telephony card driver calls
//! `line_event` and reads [`Gateway::line_status`].
//!
//! What it deliberately does not do: sockets, threads, clocks, DNS (an
//! injected resolver maps `N:` host names to addresses).

#![deny(missing_docs)]
#![deny(clippy::print_stdout)]

pub mod admin;
mod catalog;
mod commands;
pub mod config;
pub mod endpoint;
mod events;
mod gateway;
pub mod media;
mod reply;
pub mod request;
mod restart;

pub use admin::{AdminError, Released};
pub use config::{EndpointGroup, EndpointKind, GatewayConfig};
pub use endpoint::{Endpoint, Hook, Service};
pub use gateway::{
    ConfigError, Gateway, GatewayCounters, GatewayEvent, LineError, LineEvent, LineStatus, Resolver,
};
pub use media::{MediaEvent, MediaPlane, MediaStats, NullMedia};
