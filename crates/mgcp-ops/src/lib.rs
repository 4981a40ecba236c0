//! # mgcp-ops: what operators see of a running daemon
//!
//! - [`metrics`]: a snapshot of counters and levels, rendered as
//!   OpenMetrics text for Prometheus;
//! - [`MessageLog`]: the last messages sent and received;
//! - [`web`]: the HTTP server for `/metrics` and the live view.
//!
//! Nothing here knows a gateway from a call agent: each daemon fills a
//! [`Metrics`] and a state object from its own node.

#![deny(missing_docs)]

pub mod messages;
pub mod metrics;
pub mod web;

pub use messages::MessageLog;
pub use metrics::{Kind, Metrics};
pub use web::{Fetch, Web};
