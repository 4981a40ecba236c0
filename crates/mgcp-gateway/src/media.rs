//! The seam between the control engine and the media plane.
//!
//! The engine decides *what* media each connection carries (mode, codec,
//! packetization, remote address, which connections it is bridged with,
//! which tones play where); a [`MediaPlane`] makes it so. The calls are
//! synchronous and cheap: a real media plane allocates the local port from
//! its pool at once and hands the socket work to its own threads.
//! [`NullMedia`] allocates ports and keeps no sockets: it is what the
//! control engine is tested with, and what `mgcp gateway --no-media` runs.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use mgcp_proto::params::ConnectionMode;

/// Identifies one connection's media (unique over the gateway's life).
pub type MediaId = u64;

/// A codec chosen for a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Codec {
    /// RTP payload type.
    pub payload_type: u8,
    /// Encoding name, e.g. `PCMU` (from RFC 3551's static table).
    pub name: &'static str,
    /// Clock rate, Hz.
    pub clock_rate: u32,
}

/// What a connection's media must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSpec {
    /// The endpoint's index in the gateway.
    pub endpoint: usize,
    /// The endpoint's kind: whether media goes to a line side (line,
    /// trunk, announcement, IVR), is relayed (relay, rtpbridge, wiretap) or
    /// mixed (conference).
    pub kind: crate::config::EndpointKind,
    /// The connection mode.
    pub mode: ConnectionMode<'static>,
    /// The codec to send; the first of `codecs`.
    pub codecs: Vec<Codec>,
    /// RFC 4733 telephone-event payload type, if negotiated.
    pub telephone_event: Option<u8>,
    /// Packetization period, ms.
    pub ptime: u32,
    /// Where to send RTP, once known.
    pub remote: Option<SocketAddr>,
    /// Connections of the same endpoint this one exchanges media with
    /// (relay peers, conference members, a local connection's other end).
    pub peers: Vec<MediaId>,
}

/// The local side of a connection's media, advertised in its SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalMedia {
    /// Address.
    pub address: IpAddr,
    /// RTP port (RTCP is the next port).
    pub port: u16,
}

/// Statistics of one connection (RFC 3435 §3.2.2.7, RFC 3550).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// Packets sent.
    pub packets_sent: u64,
    /// Octets sent (payload).
    pub octets_sent: u64,
    /// Packets received.
    pub packets_received: u64,
    /// Octets received (payload).
    pub octets_received: u64,
    /// Packets lost (RFC 3550 cumulative count).
    pub packets_lost: i64,
    /// Interarrival jitter, ms.
    pub jitter_ms: u32,
    /// Average latency, ms, when RTCP gave a round trip.
    pub latency_ms: Option<u32>,
}

/// Where a signal plays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalTarget {
    /// On the endpoint's line side (what the phone hears).
    Line {
        /// Endpoint index.
        endpoint: usize,
    },
    /// Into one connection towards the network (`@id`).
    Connection(MediaId),
}

/// Why media could not be set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaError {
    /// No port is free (403 now, 502 if the pool is tiny).
    NoPorts,
    /// The media plane cannot do what was asked.
    Unsupported,
}

/// Something the media plane observed, fed back with
/// [`crate::Gateway::media_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    /// A DTMF digit detected on a connection (RFC 4733 or in-band).
    Digit {
        /// The connection.
        media: MediaId,
        /// `0`-`9`, `*`, `#`, `A`-`D`.
        digit: char,
    },
    /// No RTP from the remote for the RTP package's time-out (R/rto).
    RtpTimeout {
        /// The connection.
        media: MediaId,
    },
    /// Media started arriving (R/ma).
    MediaStart {
        /// The connection.
        media: MediaId,
    },
    /// A time-out signal finished on its own (announcement played to the
    /// end): reported as operation complete (G/oc, A/oc).
    SignalDone {
        /// The endpoint.
        endpoint: usize,
        /// The signal, `package/name`.
        signal: String,
        /// False when it failed (operation failure, G/of, A/of).
        ok: bool,
    },
}

/// What the control engine asks of the media plane.
pub trait MediaPlane {
    /// Opens a connection's media; returns where it listens.
    fn open(&mut self, id: MediaId, spec: &MediaSpec) -> Result<LocalMedia, MediaError>;
    /// Changes a connection's media (mode, remote, codec, peers).
    fn modify(&mut self, id: MediaId, spec: &MediaSpec) -> Result<(), MediaError>;
    /// Closes a connection's media; returns its final statistics.
    fn close(&mut self, id: MediaId) -> MediaStats;
    /// Current statistics.
    fn stats(&self, id: MediaId) -> MediaStats;
    /// Starts (`on`) or stops a signal: a tone, ringing, an announcement
    /// (`A/ann` with the URL in `parameters`).
    fn signal(&mut self, target: &SignalTarget, signal: &str, parameters: &str, on: bool);
    /// Hands work queued by the calls above to wherever it runs (a media
    /// plane with threads may queue commands and wake its threads once
    /// per batch of input instead of once per command). The gateway calls
    /// it when its transmit queue runs dry, which drivers reach after
    /// every input (the drain rule). Nothing to do by default.
    fn flush(&mut self) {}
}

/// A media plane with no media: allocates ports from a range and remembers
/// what it was told. Used for control-only runs and tests.
#[derive(Debug)]
pub struct NullMedia {
    address: IpAddr,
    next_port: u16,
    first_port: u16,
    last_port: u16,
    open: HashMap<MediaId, (u16, MediaSpec)>,
    free: Vec<u16>,
    /// Signals currently on, as `(target, signal)`.
    pub signals: Vec<(SignalTarget, String)>,
}

impl NullMedia {
    /// Ports `first..=last` (even ports for RTP) on `address`.
    pub fn new(address: IpAddr, first: u16, last: u16) -> Self {
        let first = first + first % 2;
        NullMedia {
            address,
            next_port: first,
            first_port: first,
            last_port: last,
            open: HashMap::new(),
            free: Vec::new(),
            signals: Vec::new(),
        }
    }

    /// The spec a connection was last given.
    pub fn spec(&self, id: MediaId) -> Option<&MediaSpec> {
        self.open.get(&id).map(|(_, s)| s)
    }

    /// How many connections are open.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    fn allocate(&mut self) -> Option<u16> {
        if let Some(p) = self.free.pop() {
            return Some(p);
        }
        if self.next_port < self.first_port || self.next_port.checked_add(1)? > self.last_port {
            return None;
        }
        let p = self.next_port;
        self.next_port = self.next_port.checked_add(2).unwrap_or(0);
        Some(p)
    }
}

impl MediaPlane for NullMedia {
    fn open(&mut self, id: MediaId, spec: &MediaSpec) -> Result<LocalMedia, MediaError> {
        let port = self.allocate().ok_or(MediaError::NoPorts)?;
        self.open.insert(id, (port, spec.clone()));
        Ok(LocalMedia {
            address: self.address,
            port,
        })
    }

    fn modify(&mut self, id: MediaId, spec: &MediaSpec) -> Result<(), MediaError> {
        match self.open.get_mut(&id) {
            Some((_, s)) => {
                *s = spec.clone();
                Ok(())
            }
            None => Err(MediaError::Unsupported),
        }
    }

    fn close(&mut self, id: MediaId) -> MediaStats {
        if let Some((port, _)) = self.open.remove(&id) {
            self.free.push(port);
        }
        self.signals
            .retain(|(t, _)| *t != SignalTarget::Connection(id));
        MediaStats::default()
    }

    fn stats(&self, _id: MediaId) -> MediaStats {
        MediaStats::default()
    }

    fn signal(&mut self, target: &SignalTarget, signal: &str, _parameters: &str, on: bool) {
        self.signals.retain(|(t, s)| !(t == target && s == signal));
        if on {
            self.signals.push((target.clone(), signal.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_even_reused_and_bounded() {
        let mut m = NullMedia::new(IpAddr::from([127, 0, 0, 1]), 4001, 4005);
        let spec = MediaSpec {
            endpoint: 0,
            kind: crate::config::EndpointKind::Rtpbridge,
            mode: ConnectionMode::SendRecv,
            codecs: vec![],
            telephone_event: None,
            ptime: 20,
            remote: None,
            peers: vec![],
        };
        assert_eq!(m.open(1, &spec).unwrap().port, 4002);
        assert_eq!(m.open(2, &spec).unwrap().port, 4004);
        assert_eq!(m.open(3, &spec), Err(MediaError::NoPorts));
        m.close(1);
        assert_eq!(m.open(3, &spec).unwrap().port, 4002);
    }
}
