//! One connection's media state inside a worker: what it receives and
//! sends (mode, codecs, remote address), the outgoing stream's identity
//! (SSRC, sequence, timestamp) with the mapping that keeps it continuous
//! when the source changes, reception statistics, playout queue, DTMF
//! detection and RTCP state.
//!
//! Nothing here does I/O or reads a clock: the engine passes `now`.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU32, AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use mgcp_gateway::config::EndpointKind;
use mgcp_gateway::media::{MediaId, MediaSpec, MediaStats};
use mgcp_proto::params::ConnectionMode;

use crate::dtmf::DtmfDetector;
use crate::g711::Law;
use crate::player::Player;
use crate::rfc4733::{EventReceiver, EventSender};
use crate::rtp::seq_after;
use crate::stats::Reception;
use crate::tone::RATE;

/// What a payload type carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Payload {
    /// G.711 audio we can decode and encode.
    Law(Law),
    /// RFC 4733 telephone events.
    Event,
    /// Something we only relay.
    Other,
}

/// A connection's negotiated media, as the engine uses it.
#[derive(Debug, Clone)]
pub(crate) struct ConnSpec {
    pub(crate) endpoint: usize,
    pub(crate) kind: EndpointKind,
    pub(crate) mode: ConnectionMode<'static>,
    /// Payload type and payload of the codec we send.
    pub(crate) send: Option<(u8, Payload)>,
    /// Every payload type we accept (codecs, then telephone-event).
    pub(crate) receive: Vec<(u8, Payload)>,
    pub(crate) telephone_event: Option<u8>,
    /// Samples per packet.
    pub(crate) ptime_samples: u32,
    pub(crate) remote: Option<SocketAddr>,
    pub(crate) peers: Vec<MediaId>,
}

impl ConnSpec {
    /// From the gateway's spec.
    pub(crate) fn from_media_spec(s: &MediaSpec) -> ConnSpec {
        let payload = |name: &str| Law::from_encoding(name).map_or(Payload::Other, Payload::Law);
        let mut receive: Vec<(u8, Payload)> = s
            .codecs
            .iter()
            .map(|c| (c.payload_type, payload(c.name)))
            .collect();
        if let Some(te) = s.telephone_event {
            receive.push((te, Payload::Event));
        }
        ConnSpec {
            endpoint: s.endpoint,
            kind: s.kind,
            mode: s.mode,
            send: s.codecs.first().map(|c| (c.payload_type, payload(c.name))),
            receive,
            telephone_event: s.telephone_event,
            ptime_samples: (s.ptime.clamp(5, 120) * RATE / 1000).max(40),
            remote: s.remote,
            peers: s.peers.clone(),
        }
    }
}

/// Whether a mode lets media from the network in (to the line, the mix or
/// the relay peer).
pub(crate) fn receives(mode: ConnectionMode<'_>) -> bool {
    matches!(
        mode,
        ConnectionMode::SendRecv
            | ConnectionMode::RecvOnly
            | ConnectionMode::Conference
            | ConnectionMode::Data
    )
}

/// Whether a mode sends media to the network.
pub(crate) fn sends(mode: ConnectionMode<'_>) -> bool {
    matches!(
        mode,
        ConnectionMode::SendRecv
            | ConnectionMode::SendOnly
            | ConnectionMode::Conference
            | ConnectionMode::Data
    )
}

/// Statistics the control thread reads while the worker writes them: one
/// writer per field, relaxed loads and stores (no read-modify-write, no
/// lock on the packet path).
#[derive(Debug)]
pub(crate) struct SharedStats {
    packets_sent: AtomicU64,
    octets_sent: AtomicU64,
    packets_received: AtomicU64,
    octets_received: AtomicU64,
    lost: AtomicI64,
    jitter_ms: AtomicU32,
    latency_ms: AtomicU32,
}

impl Default for SharedStats {
    fn default() -> Self {
        SharedStats {
            packets_sent: AtomicU64::new(0),
            octets_sent: AtomicU64::new(0),
            packets_received: AtomicU64::new(0),
            octets_received: AtomicU64::new(0),
            lost: AtomicI64::new(0),
            jitter_ms: AtomicU32::new(0),
            latency_ms: AtomicU32::new(u32::MAX),
        }
    }
}

impl SharedStats {
    /// A consistent-enough copy for DLCX and AUCX.
    pub(crate) fn snapshot(&self) -> MediaStats {
        let latency = self.latency_ms.load(Relaxed);
        MediaStats {
            packets_sent: self.packets_sent.load(Relaxed),
            octets_sent: self.octets_sent.load(Relaxed),
            packets_received: self.packets_received.load(Relaxed),
            octets_received: self.octets_received.load(Relaxed),
            packets_lost: self.lost.load(Relaxed),
            jitter_ms: self.jitter_ms.load(Relaxed),
            latency_ms: (latency != u32::MAX).then_some(latency),
        }
    }

    #[inline]
    fn bump(counter: &AtomicU64, by: u64) {
        counter.store(counter.load(Relaxed) + by, Relaxed);
    }

    #[inline]
    pub(crate) fn sent(&self, octets: usize) {
        Self::bump(&self.packets_sent, 1);
        Self::bump(&self.octets_sent, octets as u64);
    }

    #[inline]
    pub(crate) fn received(&self, octets: usize, lost: i64, jitter_ms: u32) {
        Self::bump(&self.packets_received, 1);
        Self::bump(&self.octets_received, octets as u64);
        self.lost.store(lost, Relaxed);
        self.jitter_ms.store(jitter_ms, Relaxed);
    }

    pub(crate) fn latency(&self, ms: u32) {
        self.latency_ms.store(ms, Relaxed);
    }
}

/// Where the packets of the outgoing stream currently come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    None,
    Own,
    Relayed(u32),
}

/// The outgoing RTP stream of a connection: one SSRC, a continuous
/// sequence and timeline whatever feeds it (RFC 3550 §5.1: a relay that
/// switches sources must not make the receiver see a jump or a new
/// source; osmo-mgw's "patch" behaviour).
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) ssrc: u32,
    seq: u16,
    ts: u32,
    last_at: Option<Instant>,
    source: Source,
    seq_offset: u16,
    ts_offset: u32,
    pub(crate) packets: u64,
    pub(crate) octets: u64,
    /// Packets sent since the last RTCP report.
    pub(crate) since_report: u32,
}

impl Outgoing {
    pub(crate) fn new(ssrc: u32, seq: u16, ts: u32) -> Outgoing {
        Outgoing {
            ssrc,
            seq: seq.wrapping_sub(1),
            ts,
            last_at: None,
            source: Source::None,
            seq_offset: 0,
            ts_offset: 0,
            packets: 0,
            octets: 0,
            since_report: 0,
        }
    }

    /// The timestamp the stream has reached by `now` (for a new source
    /// or an SR): last timestamp plus the time since, at 8 kHz.
    fn resume_ts(&self, now: Instant) -> u32 {
        match self.last_at {
            Some(at) => {
                let gap = now.saturating_duration_since(at);
                let samples = (gap.as_micros() as u64 * u64::from(RATE) / 1_000_000).max(1);
                self.ts.wrapping_add(samples as u32)
            }
            None => self.ts,
        }
    }

    /// Maps a relayed packet's sequence and timestamp onto our stream;
    /// returns `(sequence, timestamp, marker)`. A new source continues
    /// where the stream stands, with the marker bit (RFC 3550 §5.1); a
    /// known source keeps its own gaps and order.
    pub(crate) fn relay(&mut self, now: Instant, ssrc: u32, seq: u16, ts: u32) -> (u16, u32, bool) {
        let mut marker = false;
        if self.source != Source::Relayed(ssrc) {
            let next_seq = self.seq.wrapping_add(1);
            let next_ts = self.resume_ts(now);
            self.seq_offset = next_seq.wrapping_sub(seq);
            self.ts_offset = next_ts.wrapping_sub(ts);
            self.source = Source::Relayed(ssrc);
            marker = true;
        }
        let out_seq = seq.wrapping_add(self.seq_offset);
        let out_ts = ts.wrapping_add(self.ts_offset);
        if self.last_at.is_none() || seq_after(out_seq, self.seq) {
            self.seq = out_seq;
            self.ts = out_ts;
            self.last_at = Some(now);
        }
        (out_seq, out_ts, marker)
    }

    /// The next packet of our own (`samples` long): `(sequence,
    /// timestamp, marker)`. Own packets advance the timestamp exactly.
    pub(crate) fn own(&mut self, now: Instant, samples: u32) -> (u16, u32, bool) {
        let marker = self.source != Source::Own;
        let ts = if marker {
            self.resume_ts(now)
        } else {
            self.ts.wrapping_add(samples)
        };
        self.source = Source::Own;
        self.seq = self.seq.wrapping_add(1);
        self.ts = ts;
        self.last_at = Some(now);
        (self.seq, ts, marker)
    }

    /// The timestamp an SR sent at `now` carries.
    pub(crate) fn ts_at(&self, now: Instant) -> u32 {
        self.resume_ts(now)
    }

    pub(crate) fn count(&mut self, octets: usize) {
        self.packets += 1;
        self.octets += octets as u64;
        self.since_report += 1;
    }
}

/// An RFC 4733 event being sent, with the timestamp of its start.
#[derive(Debug, Clone)]
pub(crate) struct SendingEvent {
    pub(crate) sender: EventSender,
    pub(crate) start_ts: Option<u32>,
}

/// RTCP state of a connection.
#[derive(Debug, Clone)]
pub(crate) struct Rtcp {
    pub(crate) next_at: Instant,
    /// Middle 32 bits of the NTP time of the last SR received, and when.
    pub(crate) last_sr: Option<(u32, Instant)>,
    pub(crate) rtt_sum: Duration,
    pub(crate) rtt_count: u32,
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) id: MediaId,
    pub(crate) spec: ConnSpec,
    /// Resolved peers: relay partners on the same endpoint.
    pub(crate) relay_to: Vec<usize>,
    /// A local connection's other end (a peer on another endpoint).
    pub(crate) twin: Option<usize>,
    pub(crate) out: Outgoing,
    pub(crate) reception: Reception,
    pub(crate) media_started: bool,
    pub(crate) last_rx: Option<Instant>,
    /// Since when silence counts towards the RTP time-out.
    pub(crate) quiet_since: Instant,
    pub(crate) timeout_reported: bool,
    /// Decoded audio waiting to be played (line) or mixed (conference).
    pub(crate) inbound: VecDeque<i16>,
    /// Samples waiting to fill the next packet.
    pub(crate) pending: Vec<i16>,
    /// Signals playing into this connection (`@id`).
    pub(crate) players: Vec<Player>,
    /// RFC 4733 digits to send, and the one being sent.
    pub(crate) digits: VecDeque<u8>,
    pub(crate) event: Option<SendingEvent>,
    pub(crate) events_in: EventReceiver,
    /// Boxed: only line-side connections have one, and relay connections
    /// stay small (more of them per cache).
    pub(crate) detector: Option<Box<DtmfDetector>>,
    pub(crate) rtcp: Rtcp,
    pub(crate) shared: Arc<SharedStats>,
    /// Packets dropped because they came from an unexpected source.
    pub(crate) unexpected: u64,
}

impl Conn {
    pub(crate) fn new(
        id: MediaId,
        spec: ConnSpec,
        out: Outgoing,
        now: Instant,
        rtcp_at: Instant,
        shared: Arc<SharedStats>,
    ) -> Conn {
        let mut c = Conn {
            id,
            relay_to: Vec::new(),
            twin: None,
            out,
            reception: Reception::default(),
            media_started: false,
            last_rx: None,
            quiet_since: now,
            timeout_reported: false,
            inbound: VecDeque::new(),
            pending: Vec::new(),
            players: Vec::new(),
            digits: VecDeque::new(),
            event: None,
            events_in: EventReceiver::default(),
            detector: None,
            rtcp: Rtcp {
                next_at: rtcp_at,
                last_sr: None,
                rtt_sum: Duration::ZERO,
                rtt_count: 0,
            },
            shared,
            unexpected: 0,
            spec: spec.clone(),
        };
        c.apply(spec, now);
        c
    }

    /// Takes a new spec (MDCX).
    pub(crate) fn apply(&mut self, spec: ConnSpec, now: Instant) {
        if spec.remote != self.spec.remote || spec.mode != self.spec.mode {
            self.quiet_since = now;
            self.timeout_reported = false;
        }
        let detects = matches!(
            spec.kind,
            EndpointKind::Line | EndpointKind::Trunk | EndpointKind::Ivr
        );
        if detects && self.detector.is_none() {
            self.detector = Some(Box::default());
        } else if !detects {
            self.detector = None;
        }
        let packet = spec.ptime_samples as usize;
        if self.pending.capacity() < packet {
            self.pending.reserve(packet - self.pending.len());
        }
        self.spec = spec;
    }

    /// Whether audio for the line or the mix is decoded on receipt.
    pub(crate) fn plays_audio(&self) -> bool {
        !matches!(
            self.spec.kind,
            EndpointKind::Relay
                | EndpointKind::Rtpbridge
                | EndpointKind::Wiretap
                | EndpointKind::Null
        )
    }

    /// Whether RFC 4733 and in-band digits are reported (endpoints with
    /// the DTMF package).
    pub(crate) fn reports_digits(&self) -> bool {
        self.detector.is_some()
    }

    /// What a received payload type carries.
    #[inline]
    pub(crate) fn payload(&self, pt: u8) -> Payload {
        for (p, what) in &self.spec.receive {
            if *p == pt {
                return *what;
            }
        }
        match pt {
            0 => Payload::Law(Law::Mu),
            8 => Payload::Law(Law::A),
            _ => Payload::Other,
        }
    }

    /// True while something of ours replaces relayed media.
    pub(crate) fn generating(&self) -> bool {
        !self.players.is_empty() || self.event.is_some() || !self.digits.is_empty()
    }

    /// Queues decoded audio for playout, keeping at most `max` samples.
    pub(crate) fn queue_audio(&mut self, samples: &[i16], max: usize) {
        self.inbound.extend(samples.iter().copied());
        let excess = self.inbound.len().saturating_sub(max);
        if excess > 0 {
            self.inbound.drain(..excess);
        }
    }

    /// Takes one frame of playout audio, adding it onto `out` (silence
    /// when the queue runs dry).
    pub(crate) fn take_audio(&mut self, out: &mut [i16]) {
        for o in out.iter_mut() {
            match self.inbound.pop_front() {
                Some(s) => *o = o.saturating_add(s),
                None => break,
            }
        }
    }

    /// The latency to report: half the mean round trip.
    pub(crate) fn note_round_trip(&mut self, rtt: Duration) {
        self.rtcp.rtt_sum += rtt;
        self.rtcp.rtt_count += 1;
        let mean = self.rtcp.rtt_sum / self.rtcp.rtt_count;
        self.shared.latency((mean.as_millis() / 2) as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relayed_sources_are_stitched_into_one_stream() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut o = Outgoing::new(77, 1000, 50_000);
        // Source A: seq 10.., ts 3000.. every 20 ms.
        assert_eq!(o.relay(ms(0), 0xA, 10, 3000), (1000, 50_000, true));
        assert_eq!(o.relay(ms(20), 0xA, 11, 3160), (1001, 50_160, false));
        // A loss in A stays a gap.
        assert_eq!(o.relay(ms(60), 0xA, 13, 3480), (1003, 50_480, false));
        // A reordered packet keeps its place without moving the stream.
        assert_eq!(o.relay(ms(61), 0xA, 12, 3320), (1002, 50_320, false));
        // Source B takes over 40 ms later with unrelated numbers: the
        // stream continues with the next sequence number and the elapsed
        // time, marked.
        let (seq, ts, marker) = o.relay(ms(100), 0xB, 60_000, 9);
        assert_eq!((seq, marker), (1004, true));
        assert_eq!(ts, 50_480 + 320);
        assert_eq!(o.relay(ms(120), 0xB, 60_001, 169), (1005, 50_960, false));
        // Our own packets (a tone) continue it too.
        let (seq, ts, marker) = o.own(ms(140), 160);
        assert_eq!((seq, ts, marker), (1006, 50_960 + 160, true));
        assert_eq!(o.own(ms(160), 160), (1007, 51_280, false));
        // And back to B: a new mapping, continuous again.
        let (seq, _, marker) = o.relay(ms(180), 0xB, 60_003, 489);
        assert_eq!((seq, marker), (1008, true));
    }

    #[test]
    fn modes_say_which_way_media_flows() {
        use ConnectionMode as M;
        assert!(receives(M::SendRecv) && sends(M::SendRecv));
        assert!(receives(M::RecvOnly) && !sends(M::RecvOnly));
        assert!(!receives(M::SendOnly) && sends(M::SendOnly));
        assert!(!receives(M::Inactive) && !sends(M::Inactive));
        assert!(receives(M::Conference) && sends(M::Conference));
        assert!(!receives(M::NetworkLoop) && !sends(M::Loopback));
    }
}
