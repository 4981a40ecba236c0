//! The media engine of one worker, sans-IO: it owns the worker's
//! connections and endpoints, takes received datagrams and time, and
//! produces datagrams (an [`Outbox`]) and [`MediaEvent`]s. The worker
//! thread (`worker.rs`) only moves bytes between sockets and this engine.
//!
//! What each connection does follows its endpoint's kind and its mode:
//!
//! - **relay** (relay, rtpbridge, wiretap endpoints): a packet received on
//!   one connection is sent out of each peer connection of the endpoint,
//!   rewritten in place into the peer's own stream (SSRC, continuous
//!   sequence and timestamp, payload type; G.711 transcoded when the laws
//!   differ). No decoding, no copy, no allocation.
//! - **line** (line, trunk, announcement, IVR endpoints): received audio is
//!   decoded into a playout queue; every 10 ms the endpoint's line side
//!   hears the sum of its receiving connections plus the tones played to
//!   the line, and each sending connection carries what the line says
//!   (a WAV played into it, an announcement) or a signal played `@` it.
//! - **conference**: every 10 ms each member hears the mix of the others
//!   (mix-minus) plus signals played to the whole endpoint.
//! - modes: `netwloop` echoes packets unchanged, `netwtest` decodes and
//!   re-encodes them back; `loopback`/`conttest` loop the line side onto
//!   itself (on relay endpoints `loopback` echoes, as osmo-mgw does);
//!   `inactive`, `sendonly`, `recvonly` count what arrives and pass only
//!   what their direction allows.
//!
//! Also: DTMF detection (RFC 4733 and in-band) on endpoints with the DTMF
//! package, media start and RTP time-out events, RTCP SR/RR with round
//! trip times, RFC 3550 statistics.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use foldhash::{HashMap, HashMapExt};
use mgcp_gateway::config::EndpointKind;
use mgcp_gateway::media::{MediaEvent, MediaId};
use mgcp_proto::params::ConnectionMode;

use crate::conn::{Conn, ConnSpec, Outgoing, Payload, SendingEvent, SharedStats, receives, sends};
use crate::g711::transcode;
use crate::mixer;
use crate::outbox::{Data, MAX_PACKET, Outbox, Transmit};
use crate::player::{Play, Player};
use crate::rfc4733::{Event, EventSender, event_code};
use crate::rtcp::{self, ReportBlock, SenderInfo};
use crate::rtp::{self, Header};
use crate::stats::round_trip;
use crate::tone::RATE;

/// Samples in one 10 ms frame, the step of line and conference audio.
pub(crate) const FRAME: usize = 80;
const TICK: Duration = Duration::from_millis(10);
const HOUSEKEEPING: Duration = Duration::from_millis(250);
/// Longest line recording kept (10 minutes).
const MAX_RECORDING: usize = 10 * 60 * RATE as usize;
/// Seconds between 1900 (NTP) and 1970 (Unix).
const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// Engine settings.
#[derive(Debug, Clone)]
pub(crate) struct EngineConfig {
    pub(crate) symmetric_rtp: bool,
    pub(crate) rtp_timeout: Option<Duration>,
    pub(crate) rtcp_interval: Duration,
    /// Most decoded audio queued per connection, samples.
    pub(crate) playout_max: usize,
    pub(crate) cname: String,
}

/// Where a signal plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Line(usize),
    Connection(MediaId),
}

/// The line side of an endpoint.
#[derive(Debug, Default)]
struct Line {
    /// Signals played to the line (tones the phone hears; for
    /// announcement and IVR endpoints, what their callers hear).
    players: Vec<Player>,
    /// What the line says (a WAV played into it).
    input: Option<Player>,
    /// What the line hears, while recording.
    recording: Option<Vec<i16>>,
}

impl Line {
    fn active(&self) -> bool {
        !self.players.is_empty() || self.input.is_some() || self.recording.is_some()
    }
}

#[derive(Debug, Default)]
struct Ep {
    kind: Option<EndpointKind>,
    members: Vec<usize>,
    line: Line,
    ticking: bool,
}

/// The engine.
#[derive(Debug)]
pub(crate) struct Engine {
    config: EngineConfig,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    ids: HashMap<MediaId, usize>,
    eps: HashMap<usize, Ep>,
    ticking: Vec<usize>,
    pub(crate) out: Outbox,
    events: VecDeque<MediaEvent>,
    rng: fastrand::Rng,
    epoch: Instant,
    /// NTP time at `epoch`, seconds since 1900 in 32.32 fixed point.
    ntp_epoch: u64,
    next_tick: Option<Instant>,
    next_housekeeping: Instant,
    decoded: Vec<i16>,
    frames: Vec<[i16; FRAME]>,
    members: Vec<usize>,
}

impl Engine {
    /// An engine started at `now`; `unix_now` is the wall clock then (for
    /// RTCP's NTP timestamps); `seed` drives SSRCs, initial sequence
    /// numbers and timestamps, and RTCP intervals.
    pub(crate) fn new(config: EngineConfig, seed: u64, now: Instant, unix_now: Duration) -> Engine {
        let secs = unix_now.as_secs() + NTP_UNIX_OFFSET;
        let frac = (u64::from(unix_now.subsec_nanos()) << 32) / 1_000_000_000;
        Engine {
            config,
            conns: Vec::new(),
            free: Vec::new(),
            ids: HashMap::new(),
            eps: HashMap::new(),
            ticking: Vec::new(),
            out: Outbox::default(),
            events: VecDeque::new(),
            rng: fastrand::Rng::with_seed(seed),
            epoch: now,
            ntp_epoch: (secs << 32) | frac,
            next_tick: None,
            next_housekeeping: now + HOUSEKEEPING,
            decoded: vec![0; MAX_PACKET],
            frames: Vec::new(),
            members: Vec::new(),
        }
    }

    // ---- commands ------------------------------------------------------------

    /// Opens a connection; returns its slot (the I/O layer keeps its
    /// sockets under the same slot).
    pub(crate) fn open(
        &mut self,
        now: Instant,
        id: MediaId,
        spec: ConnSpec,
        shared: Arc<SharedStats>,
    ) -> usize {
        let out = Outgoing::new(self.rng.u32(..), self.rng.u16(..), self.rng.u32(..));
        let rtcp_at = now + self.rtcp_delay().div_f64(2.0);
        let endpoint = spec.endpoint;
        let kind = spec.kind;
        let conn = Conn::new(id, spec, out, now, rtcp_at, shared);
        let slot = match self.free.pop() {
            Some(s) => {
                self.conns[s] = Some(conn);
                s
            }
            None => {
                self.conns.push(Some(conn));
                self.conns.len() - 1
            }
        };
        self.ids.insert(id, slot);
        let ep = self.eps.entry(endpoint).or_default();
        ep.kind = Some(kind);
        ep.members.push(slot);
        self.relink_around(slot);
        self.update_ticking(now, endpoint);
        slot
    }

    /// Changes a connection (MDCX, or the gateway relinking peers).
    pub(crate) fn modify(&mut self, now: Instant, id: MediaId, spec: ConnSpec) {
        let Some(&slot) = self.ids.get(&id) else {
            return;
        };
        let Some(c) = self.conns[slot].as_mut() else {
            return;
        };
        let endpoint = c.spec.endpoint;
        c.apply(spec, now);
        self.relink_around(slot);
        self.update_ticking(now, endpoint);
    }

    /// Closes a connection; returns the slot it had.
    pub(crate) fn close(&mut self, now: Instant, id: MediaId) -> Option<usize> {
        let slot = self.ids.remove(&id)?;
        let c = self.conns[slot].take()?;
        self.free.push(slot);
        let e = c.spec.endpoint;
        if let Some(ep) = self.eps.get_mut(&e) {
            ep.members.retain(|m| *m != slot);
        }
        self.relink(e);
        if let Some(t) = c.twin
            && let Some(tc) = self.conns[t].as_ref()
        {
            let te = tc.spec.endpoint;
            self.relink(te);
        }
        self.update_ticking(now, e);
        self.forget_idle(e);
        Some(slot)
    }

    /// Starts or stops a signal. `play` is `None` for signals without
    /// sound.
    pub(crate) fn signal(
        &mut self,
        now: Instant,
        target: Target,
        key: &str,
        play: Option<Play>,
        on: bool,
    ) {
        let endpoint = match target {
            Target::Connection(id) => {
                let Some(c) = self.ids.get(&id).and_then(|s| self.conns[*s].as_mut()) else {
                    return;
                };
                c.players.retain(|p| !p.key.eq_ignore_ascii_case(key));
                match play.filter(|_| on) {
                    Some(Play::Digit(d)) if c.spec.telephone_event.is_some() => {
                        c.digits.extend(event_code(d));
                    }
                    Some(p) => c.players.push(Player::new(key, &p)),
                    None => {}
                }
                c.spec.endpoint
            }
            Target::Line(e) => {
                let ep = self.eps.entry(e).or_default();
                ep.line.players.retain(|p| !p.key.eq_ignore_ascii_case(key));
                if let Some(p) = play.filter(|_| on) {
                    ep.line.players.push(Player::new(key, &p));
                }
                e
            }
        };
        self.update_ticking(now, endpoint);
        self.forget_idle(endpoint);
    }

    /// Plays `samples` into the line (what the phone says), or stops.
    pub(crate) fn line_input(
        &mut self,
        now: Instant,
        endpoint: usize,
        samples: Option<Arc<[i16]>>,
    ) {
        let ep = self.eps.entry(endpoint).or_default();
        ep.line.input = samples.map(|s| Player::new("line", &Play::Samples(s)));
        self.update_ticking(now, endpoint);
        self.forget_idle(endpoint);
    }

    /// Starts recording what the line hears (`start`), or stops and
    /// returns the recording.
    pub(crate) fn line_record(&mut self, now: Instant, endpoint: usize, start: bool) -> Vec<i16> {
        let ep = self.eps.entry(endpoint).or_default();
        let taken = if start {
            ep.line
                .recording
                .replace(Vec::with_capacity(RATE as usize * 4))
        } else {
            ep.line.recording.take()
        };
        self.update_ticking(now, endpoint);
        self.forget_idle(endpoint);
        taken.unwrap_or_default()
    }

    /// Samples recorded so far on a line.
    pub(crate) fn recorded(&self, endpoint: usize) -> usize {
        self.eps
            .get(&endpoint)
            .and_then(|ep| ep.line.recording.as_ref())
            .map_or(0, Vec::len)
    }

    /// The next event for the gateway.
    pub(crate) fn poll_event(&mut self) -> Option<MediaEvent> {
        self.events.pop_front()
    }

    /// When to call [`Engine::handle_timeout`] next.
    pub(crate) fn poll_timeout(&self) -> Instant {
        match self.next_tick {
            Some(t) => t.min(self.next_housekeeping),
            None => self.next_housekeeping,
        }
    }

    // ---- peers and ticking ------------------------------------------------------

    fn relink_around(&mut self, slot: usize) {
        let Some(c) = self.conns[slot].as_ref() else {
            return;
        };
        let e = c.spec.endpoint;
        let others: Vec<usize> = c
            .spec
            .peers
            .iter()
            .filter_map(|p| self.ids.get(p))
            .filter_map(|s| self.conns[*s].as_ref())
            .map(|p| p.spec.endpoint)
            .filter(|pe| *pe != e)
            .collect();
        self.relink(e);
        for pe in others {
            self.relink(pe);
        }
    }

    /// Resolves the peers of every connection of endpoint `e` to slots.
    fn relink(&mut self, e: usize) {
        let Some(ep) = self.eps.get(&e) else { return };
        let relays = matches!(
            ep.kind,
            Some(EndpointKind::Relay | EndpointKind::Rtpbridge | EndpointKind::Wiretap)
        );
        for &m in &ep.members {
            let Some(c) = self.conns[m].as_ref() else {
                continue;
            };
            let mut relay_to = Vec::new();
            let mut twin = None;
            for p in &c.spec.peers {
                let Some(&ps) = self.ids.get(p) else { continue };
                let Some(pc) = self.conns[ps].as_ref() else {
                    continue;
                };
                if pc.spec.endpoint == e {
                    if relays {
                        relay_to.push(ps);
                    }
                } else if twin.is_none() {
                    twin = Some(ps);
                }
            }
            if let Some(c) = self.conns[m].as_mut() {
                c.relay_to = relay_to;
                c.twin = twin;
            }
        }
    }

    fn needs_tick(&self, e: usize) -> bool {
        let Some(ep) = self.eps.get(&e) else {
            return false;
        };
        match ep.kind {
            Some(EndpointKind::Relay | EndpointKind::Rtpbridge | EndpointKind::Wiretap) => ep
                .members
                .iter()
                .filter_map(|m| self.conns[*m].as_ref())
                .any(Conn::generating),
            Some(EndpointKind::Null) => false,
            _ => !ep.members.is_empty() || ep.line.active(),
        }
    }

    fn update_ticking(&mut self, now: Instant, e: usize) {
        if !self.needs_tick(e) {
            return;
        }
        let Some(ep) = self.eps.get_mut(&e) else {
            return;
        };
        if !ep.ticking {
            ep.ticking = true;
            self.ticking.push(e);
        }
        if self.next_tick.is_none() {
            self.next_tick = Some(now);
        }
    }

    /// Drops the state of an endpoint with nothing left.
    fn forget_idle(&mut self, e: usize) {
        if self
            .eps
            .get(&e)
            .is_some_and(|ep| ep.members.is_empty() && !ep.line.active() && !ep.ticking)
        {
            self.eps.remove(&e);
        }
    }

    // ---- received datagrams ------------------------------------------------------

    /// A datagram arrived on slot `slot`'s RTP (or RTCP) socket from
    /// `from`; it sits in receive buffer `index`, which the engine may
    /// rewrite and queue for sending as is.
    pub(crate) fn on_datagram(
        &mut self,
        now: Instant,
        slot: usize,
        rtcp: bool,
        from: SocketAddr,
        index: usize,
        buf: &mut [u8],
    ) {
        if rtcp {
            self.on_rtcp(now, slot, from, buf);
        } else {
            self.on_rtp(now, slot, from, index, buf);
        }
    }

    fn arrival(&self, now: Instant) -> u32 {
        let d = now.saturating_duration_since(self.epoch);
        (d.as_micros() as u64 * u64::from(RATE) / 1_000_000) as u32
    }

    fn on_rtp(
        &mut self,
        now: Instant,
        slot: usize,
        from: SocketAddr,
        index: usize,
        buf: &mut [u8],
    ) {
        let arrival = self.arrival(now);
        let symmetric = self.config.symmetric_rtp;
        let Some(c) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        if !accept(c, from, symmetric) {
            c.unexpected += 1;
            return;
        }
        let Ok(h) = Header::parse(buf) else { return };
        c.reception
            .on_packet(h.ssrc, h.sequence, h.timestamp, arrival);
        c.shared.received(
            h.payload_len,
            c.reception.lost(),
            c.reception.jitter() / (RATE / 1000),
        );
        c.last_rx = Some(now);
        c.timeout_reported = false;
        if !c.media_started {
            c.media_started = true;
            self.events
                .push_back(MediaEvent::MediaStart { media: c.id });
        }
        let mode = c.spec.mode;
        let relays = !c.plays_audio();
        match mode {
            ConnectionMode::NetworkLoop => return self.echo(slot, index, buf.len()),
            ConnectionMode::Loopback if relays => return self.echo(slot, index, buf.len()),
            ConnectionMode::NetworkTest => return self.network_test(now, slot, buf, &h),
            _ => {}
        }
        if !receives(mode) {
            return;
        }
        if relays {
            self.relay(now, slot, index, buf, &h);
        } else {
            self.deliver(slot, buf, &h);
        }
    }

    /// `netwloop`: the packet goes back unchanged.
    fn echo(&mut self, slot: usize, index: usize, len: usize) {
        let Some(c) = self.conns[slot].as_mut() else {
            return;
        };
        let Some(to) = c.spec.remote else { return };
        c.out.count(len.saturating_sub(rtp::HEADER_LEN));
        c.shared.sent(len.saturating_sub(rtp::HEADER_LEN));
        self.out.push(Transmit {
            slot,
            rtcp: false,
            to,
            data: Data::Received { index, len },
        });
    }

    /// `netwtest`: decoded and encoded again with our codec, in our stream.
    fn network_test(&mut self, now: Instant, slot: usize, buf: &[u8], h: &Header) {
        let Some(c) = self.conns[slot].as_mut() else {
            return;
        };
        let Some(to) = c.spec.remote else { return };
        let Payload::Law(from_law) = c.payload(h.payload_type) else {
            return;
        };
        let Some((pt, Payload::Law(to_law))) = c.spec.send else {
            return;
        };
        let (seq, ts, marker) = c.out.relay(now, h.ssrc, h.sequence, h.timestamp);
        let (i, out) = self.out.buffer();
        let payload = &buf[h.payload_offset..h.payload_offset + h.payload_len];
        rtp::write_header(out, marker, pt, seq, ts, c.out.ssrc);
        for (o, code) in out[rtp::HEADER_LEN..].iter_mut().zip(payload) {
            *o = to_law.encode(from_law.decode(*code));
        }
        c.out.count(payload.len());
        c.shared.sent(payload.len());
        self.out.push(Transmit {
            slot,
            rtcp: false,
            to,
            data: Data::Own {
                index: i,
                len: rtp::HEADER_LEN + payload.len(),
            },
        });
    }

    /// Relay endpoints: out of each peer, in the peer's stream.
    fn relay(&mut self, now: Instant, src: usize, index: usize, buf: &mut [u8], h: &Header) {
        let Some(c) = self.conns[src].as_ref() else {
            return;
        };
        let payload = c.payload(h.payload_type);
        let peers = c.relay_to.len();
        for k in 0..peers {
            let Some(p) = self.conns[src].as_ref().map(|c| c.relay_to[k]) else {
                return;
            };
            let last = k + 1 == peers;
            self.relay_to(now, p, last, index, buf, h, payload);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn relay_to(
        &mut self,
        now: Instant,
        p: usize,
        in_place: bool,
        index: usize,
        buf: &mut [u8],
        h: &Header,
        payload: Payload,
    ) {
        let Some(d) = self.conns[p].as_mut() else {
            return;
        };
        if !sends(d.spec.mode) || d.generating() {
            return;
        }
        let Some(to) = d.spec.remote else { return };
        let (pt, laws) = match (payload, d.spec.send) {
            (Payload::Event, _) => match d.spec.telephone_event {
                Some(te) => (te, None),
                None => return,
            },
            (Payload::Law(a), Some((pt, Payload::Law(b)))) => (pt, Some((a, b))),
            _ => (h.payload_type, None),
        };
        let (seq, ts, marker) = d.out.relay(now, h.ssrc, h.sequence, h.timestamp);
        let ssrc = d.out.ssrc;
        d.out.count(h.payload_len);
        d.shared.sent(h.payload_len);
        let len = buf.len();
        let (bytes, data) = if in_place {
            (&mut buf[..], Data::Received { index, len })
        } else {
            let (i, own) = self.out.buffer();
            own[..len].copy_from_slice(buf);
            (&mut own[..len], Data::Own { index: i, len })
        };
        rtp::set_sequence(bytes, seq);
        rtp::set_timestamp(bytes, ts);
        rtp::set_ssrc(bytes, ssrc);
        rtp::set_payload_type(bytes, pt);
        if marker {
            rtp::set_marker(bytes, true);
        }
        if let Some((a, b)) = laws {
            transcode(
                a,
                b,
                &mut bytes[h.payload_offset..h.payload_offset + h.payload_len],
            );
        }
        self.out.push(Transmit {
            slot: p,
            rtcp: false,
            to,
            data,
        });
    }

    /// Line and conference endpoints: decode into the playout queue;
    /// detect digits.
    fn deliver(&mut self, slot: usize, buf: &[u8], h: &Header) {
        let max = self.config.playout_max;
        let Some(c) = self.conns[slot].as_mut() else {
            return;
        };
        let payload = &buf[h.payload_offset..h.payload_offset + h.payload_len];
        match c.payload(h.payload_type) {
            Payload::Event => {
                if let Some(d) = c.events_in.on_packet(h.timestamp, payload)
                    && c.reports_digits()
                {
                    self.events.push_back(MediaEvent::Digit {
                        media: c.id,
                        digit: d,
                    });
                }
            }
            Payload::Law(law) => {
                let samples = &mut self.decoded[..payload.len()];
                law.decode_into(payload, samples);
                c.queue_audio(samples, max);
                if let Some(d) = c.detector.as_mut().and_then(|det| det.push(samples)) {
                    self.events.push_back(MediaEvent::Digit {
                        media: c.id,
                        digit: d,
                    });
                }
            }
            Payload::Other => {}
        }
    }

    fn on_rtcp(&mut self, now: Instant, slot: usize, from: SocketAddr, buf: &[u8]) {
        let now_mid = (self.ntp(now) >> 16) as u32;
        let Some(c) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        if c.spec.remote.is_some_and(|r| r.ip() != from.ip()) {
            c.unexpected += 1;
            return;
        }
        let Some(report) = rtcp::read_report(buf, c.out.ssrc) else {
            return;
        };
        if let Some(s) = report.sender {
            c.rtcp.last_sr = Some(((s.ntp >> 16) as u32, now));
        }
        if let Some(rtt) = report
            .block
            .and_then(|b| round_trip(now_mid, b.lsr, b.dlsr))
        {
            c.note_round_trip(rtt);
        }
    }

    // ---- time ---------------------------------------------------------------------

    /// Runs what is due at `now`: audio frames, RTCP, RTP time-outs.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        if let Some(mut t) = self.next_tick
            && now >= t
        {
            let mut frames = 0;
            while now >= t && frames < 5 {
                self.tick(t);
                t += TICK;
                frames += 1;
            }
            if now >= t {
                // Far behind (an overloaded machine): skip, do not burst.
                t = now + TICK;
            }
            self.next_tick = (!self.ticking.is_empty()).then_some(t);
        }
        if now >= self.next_housekeeping {
            self.housekeeping(now);
            self.next_housekeeping = now + HOUSEKEEPING;
        }
    }

    fn tick(&mut self, now: Instant) {
        for k in 0..self.ticking.len() {
            let e = self.ticking[k];
            let kind = self.eps.get(&e).and_then(|ep| ep.kind);
            match kind {
                Some(EndpointKind::Conference) => self.tick_conference(now, e),
                Some(EndpointKind::Relay | EndpointKind::Rtpbridge | EndpointKind::Wiretap) => {
                    self.tick_generators(now, e)
                }
                _ => self.tick_line(now, e),
            }
        }
        let mut k = 0;
        while k < self.ticking.len() {
            let e = self.ticking[k];
            if self.needs_tick(e) {
                k += 1;
                continue;
            }
            self.ticking.swap_remove(k);
            if let Some(ep) = self.eps.get_mut(&e) {
                ep.ticking = false;
            }
            self.forget_idle(e);
        }
    }

    /// Takes the members list out (returned with [`Engine::put_members`]),
    /// so connections can be borrowed one by one.
    fn take_members(&mut self, e: usize) -> Vec<usize> {
        let mut m = std::mem::take(&mut self.members);
        m.clear();
        if let Some(ep) = self.eps.get(&e) {
            m.extend_from_slice(&ep.members);
        }
        m
    }

    fn put_members(&mut self, m: Vec<usize>) {
        self.members = m;
    }

    fn tick_line(&mut self, now: Instant, e: usize) {
        let mut says = [0i16; FRAME];
        let mut hears = [0i16; FRAME];
        let Some(ep) = self.eps.get_mut(&e) else {
            return;
        };
        let to_phone = matches!(
            ep.kind,
            None | Some(EndpointKind::Line | EndpointKind::Trunk)
        );
        if let Some(p) = ep.line.input.as_mut() {
            p.add_to(&mut says);
            if p.finished() {
                ep.line.input = None;
            }
        }
        let target = if to_phone { &mut hears } else { &mut says };
        play_all(&mut ep.line.players, target, e, &mut self.events);
        let members = self.take_members(e);
        let mut loopback = false;
        for &m in &members {
            let Some(c) = self.conns[m].as_mut() else {
                continue;
            };
            if receives(c.spec.mode) {
                c.take_audio(&mut hears);
            }
            loopback |= matches!(
                c.spec.mode,
                ConnectionMode::Loopback | ConnectionMode::ContinuityTest
            );
        }
        if loopback {
            mixer::add(&mut hears, &says);
        }
        if let Some(rec) = self
            .eps
            .get_mut(&e)
            .and_then(|ep| ep.line.recording.as_mut())
            && rec.len() < MAX_RECORDING
        {
            rec.extend_from_slice(&hears);
        }
        for &m in &members {
            self.send_frame(now, m, &says);
        }
        self.put_members(members);
    }

    fn tick_conference(&mut self, now: Instant, e: usize) {
        let mut common = [0i16; FRAME];
        if let Some(ep) = self.eps.get_mut(&e) {
            play_all(&mut ep.line.players, &mut common, e, &mut self.events);
        }
        let members = self.take_members(e);
        if self.frames.len() < members.len() {
            self.frames.resize(members.len(), [0; FRAME]);
        }
        let mut sum = [0i32; FRAME];
        for (k, &m) in members.iter().enumerate() {
            let frame = &mut self.frames[k];
            *frame = [0; FRAME];
            if let Some(c) = self.conns[m].as_mut()
                && receives(c.spec.mode)
            {
                c.take_audio(frame);
            }
            mixer::accumulate(&mut sum, frame);
        }
        for (k, &m) in members.iter().enumerate() {
            let mut hears = [0i16; FRAME];
            mixer::minus(&sum, &self.frames[k], &mut hears);
            mixer::add(&mut hears, &common);
            self.send_frame(now, m, &hears);
        }
        self.put_members(members);
    }

    fn tick_generators(&mut self, now: Instant, e: usize) {
        let members = self.take_members(e);
        for &m in &members {
            if self.conns[m].as_ref().is_some_and(Conn::generating) {
                self.send_frame(now, m, &[0; FRAME]);
            }
        }
        self.put_members(members);
    }

    /// One frame for connection `m`: its own signals if any play, else
    /// `frame`; sent when its mode sends, to its remote or its twin.
    fn send_frame(&mut self, now: Instant, m: usize, frame: &[i16; FRAME]) {
        let max = self.config.playout_max;
        let Some(c) = self.conns[m].as_mut() else {
            return;
        };
        let mut audio = *frame;
        if !c.players.is_empty() {
            audio = [0; FRAME];
            play_all(
                &mut c.players,
                &mut audio,
                c.spec.endpoint,
                &mut self.events,
            );
        }
        if !sends(c.spec.mode) {
            return;
        }
        match (c.spec.remote, c.twin) {
            (Some(to), _) => packetize(now, c, m, to, &audio, &mut self.out),
            (None, Some(t)) => {
                if let Some(tc) = self.conns[t].as_mut()
                    && receives(tc.spec.mode)
                {
                    tc.queue_audio(&audio, max);
                }
            }
            (None, None) => {}
        }
    }

    fn housekeeping(&mut self, now: Instant) {
        let timeout = self.config.rtp_timeout;
        for slot in 0..self.conns.len() {
            let due = match self.conns[slot].as_mut() {
                Some(c) => {
                    if let Some(limit) = timeout
                        && let Some(event) = check_timeout(c, now, limit)
                    {
                        self.events.push_back(event);
                    }
                    now >= c.rtcp.next_at
                }
                None => false,
            };
            if due {
                self.send_report(now, slot);
            }
        }
    }

    fn rtcp_delay(&mut self) -> Duration {
        self.config.rtcp_interval.mul_f64(0.5 + self.rng.f64())
    }

    /// NTP time of `now`.
    fn ntp(&self, now: Instant) -> u64 {
        let d = now.saturating_duration_since(self.epoch);
        let frac = (u64::from(d.subsec_nanos()) << 32) / 1_000_000_000;
        self.ntp_epoch
            .wrapping_add(d.as_secs() << 32)
            .wrapping_add(frac)
    }

    fn send_report(&mut self, now: Instant, slot: usize) {
        let delay = self.rtcp_delay();
        let ntp = self.ntp(now);
        let Some(c) = self.conns[slot].as_mut() else {
            return;
        };
        c.rtcp.next_at = now + delay;
        let Some(remote) = c.spec.remote else { return };
        let to = SocketAddr::new(remote.ip(), remote.port().wrapping_add(1));
        let sender = (c.out.since_report > 0).then(|| SenderInfo {
            ntp,
            rtp_timestamp: c.out.ts_at(now),
            packets: c.out.packets as u32,
            octets: c.out.octets as u32,
        });
        c.out.since_report = 0;
        let block = (c.reception.received() > 0).then(|| {
            let (lsr, dlsr) = match c.rtcp.last_sr {
                Some((lsr, at)) => {
                    let held = now.saturating_duration_since(at);
                    (lsr, ((held.as_micros() as u64) << 16) as u32 / 1_000_000)
                }
                None => (0, 0),
            };
            ReportBlock {
                ssrc: c.reception.ssrc,
                fraction_lost: c.reception.fraction_lost(),
                cumulative_lost: c
                    .reception
                    .lost()
                    .clamp(i64::from(i32::MIN), i64::from(i32::MAX))
                    as i32,
                extended_max: c.reception.extended_max(),
                jitter: c.reception.jitter(),
                lsr,
                dlsr,
            }
        });
        let ssrc = c.out.ssrc;
        let (i, buf) = self.out.buffer();
        if let Some(len) = rtcp::write_report(buf, ssrc, sender, block, &self.config.cname) {
            self.out.push(Transmit {
                slot,
                rtcp: true,
                to,
                data: Data::Own { index: i, len },
            });
        }
    }
}

/// Whether a packet from `from` is taken (RFC 3435: media goes to and
/// comes from the address the call agent gave; symmetric RTP, when on,
/// follows the sender instead).
fn accept(c: &mut Conn, from: SocketAddr, symmetric: bool) -> bool {
    match c.spec.remote {
        Some(r) if r == from => true,
        _ if symmetric => {
            c.spec.remote = Some(from);
            true
        }
        Some(_) => false,
        // No remote yet (early media before MDCX): played, never answered.
        None => true,
    }
}

/// The RTP time-out of a connection, once per silence.
fn check_timeout(c: &mut Conn, now: Instant, limit: Duration) -> Option<MediaEvent> {
    if c.timeout_reported || !receives(c.spec.mode) || c.spec.remote.is_none() {
        return None;
    }
    let since = c.last_rx.map_or(c.quiet_since, |t| t.max(c.quiet_since));
    if now.saturating_duration_since(since) < limit {
        return None;
    }
    c.timeout_reported = true;
    // Media arriving again is a new media start.
    c.media_started = false;
    Some(MediaEvent::RtpTimeout { media: c.id })
}

/// Adds every player onto `out`; drops finished ones, reporting those
/// that report (announcements) as done.
fn play_all(
    players: &mut Vec<Player>,
    out: &mut [i16],
    endpoint: usize,
    events: &mut VecDeque<MediaEvent>,
) {
    for p in players.iter_mut() {
        p.add_to(out);
    }
    players.retain(|p| {
        if !p.finished() {
            return true;
        }
        if p.report {
            events.push_back(MediaEvent::SignalDone {
                endpoint,
                signal: p.key.clone(),
                ok: true,
            });
        }
        false
    });
}

/// Appends a frame to the connection's next packet; sends each packet
/// as it fills (or, while a digit is sent as RFC 4733 events, the event
/// packet in its place).
fn packetize(
    now: Instant,
    c: &mut Conn,
    slot: usize,
    to: SocketAddr,
    frame: &[i16],
    out: &mut Outbox,
) {
    let Some((pt, send)) = c.spec.send else {
        return;
    };
    let n = c.spec.ptime_samples as usize;
    c.pending.extend_from_slice(frame);
    while c.pending.len() >= n {
        if c.event.is_none()
            && let Some(code) = c.digits.pop_front()
        {
            // 100 ms at the nominal -10 dBm0 (RFC 3660 §2.2 timing).
            c.event = Some(SendingEvent {
                sender: EventSender::new(code, 800, n as u32, 10),
                start_ts: None,
            });
        }
        let (seq, ts, marker) = c.out.own(now, n as u32);
        let (i, buf) = out.buffer();
        let len = match (c.event.as_mut(), c.spec.telephone_event) {
            (Some(ev), Some(te)) => match ev.sender.next() {
                Some(p) => {
                    let start = *ev.start_ts.get_or_insert(ts);
                    rtp::write_header(buf, p.first, te, seq, start, c.out.ssrc);
                    Event::write(&p.event, &mut buf[rtp::HEADER_LEN..]);
                    4
                }
                None => 0,
            },
            _ => match send {
                Payload::Law(law) => {
                    rtp::write_header(buf, marker, pt, seq, ts, c.out.ssrc);
                    law.encode_into(
                        &c.pending[..n],
                        &mut buf[rtp::HEADER_LEN..rtp::HEADER_LEN + n],
                    );
                    n
                }
                _ => 0,
            },
        };
        if c.event.as_ref().is_some_and(|e| e.sender.finished()) {
            c.event = None;
        }
        c.pending.drain(..n);
        if len == 0 {
            continue;
        }
        c.out.count(len);
        c.shared.sent(len);
        out.push(Transmit {
            slot,
            rtcp: false,
            to,
            data: Data::Own {
                index: i,
                len: rtp::HEADER_LEN + len,
            },
        });
    }
}

#[cfg(test)]
mod tests {
    //! The engine without sockets: datagrams in, the outbox out.

    use super::*;
    use crate::conn::Payload;
    use crate::g711::Law;

    fn engine() -> Engine {
        let config = EngineConfig {
            symmetric_rtp: false,
            rtp_timeout: None,
            rtcp_interval: Duration::from_secs(600),
            playout_max: 1600,
            cname: "test".into(),
        };
        Engine::new(config, 1, Instant::now(), Duration::ZERO)
    }

    fn spec(
        endpoint: usize,
        kind: EndpointKind,
        mode: ConnectionMode<'static>,
        law: Law,
        remote: u16,
        peers: Vec<MediaId>,
    ) -> ConnSpec {
        let pt = law.payload_type();
        ConnSpec {
            endpoint,
            kind,
            mode,
            send: Some((pt, Payload::Law(law))),
            receive: vec![(pt, Payload::Law(law))],
            telephone_event: None,
            ptime_samples: 160,
            remote: Some(SocketAddr::from(([127, 0, 0, 1], remote))),
            peers,
        }
    }

    fn packet(pt: u8, seq: u16, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0u8; 12 + payload.len()];
        rtp::write_header(&mut p, false, pt, seq, u32::from(seq) * 160, 0xABCD);
        p[12..].copy_from_slice(payload);
        p
    }

    #[test]
    fn a_relayed_packet_is_rewritten_in_its_receive_buffer() {
        let mut e = engine();
        let now = Instant::now();
        let s1 = e.open(
            now,
            1,
            spec(
                0,
                EndpointKind::Rtpbridge,
                ConnectionMode::SendRecv,
                Law::Mu,
                5000,
                vec![2],
            ),
            Arc::default(),
        );
        let s2 = e.open(
            now,
            2,
            spec(
                0,
                EndpointKind::Rtpbridge,
                ConnectionMode::SendRecv,
                Law::A,
                6000,
                vec![1],
            ),
            Arc::default(),
        );
        let from = SocketAddr::from(([127, 0, 0, 1], 5000));
        let mut p = packet(0, 7, &[0x80; 160]);
        e.on_datagram(now, s1, false, from, 3, &mut p);
        assert_eq!(
            e.out.items,
            [Transmit {
                slot: s2,
                rtcp: false,
                to: SocketAddr::from(([127, 0, 0, 1], 6000)),
                data: Data::Received { index: 3, len: 172 },
            }]
        );
        let h = Header::parse(&p).unwrap_or_else(|_| panic!("RTP"));
        assert_eq!(h.payload_type, 8);
        assert_ne!(h.ssrc, 0xABCD);
        assert!(h.marker);
        assert!(
            p[12..]
                .iter()
                .all(|c| *c == Law::A.encode(Law::Mu.decode(0x80)))
        );
        // Nothing is taken from elsewhere.
        e.out.clear();
        let mut p = packet(0, 8, &[0x80; 160]);
        e.on_datagram(
            now,
            s1,
            false,
            SocketAddr::from(([127, 0, 0, 9], 5000)),
            0,
            &mut p,
        );
        assert!(e.out.is_empty());
    }

    #[test]
    fn a_conference_tick_sends_each_member_the_others() {
        let mut e = engine();
        let t0 = Instant::now();
        let values = [1000i16, 2000, 4000];
        let mut slots = Vec::new();
        for k in 0..3u16 {
            let peers = (1..=3).filter(|p| *p != u64::from(k) + 1).collect();
            let s = spec(
                4,
                EndpointKind::Conference,
                ConnectionMode::Conference,
                Law::Mu,
                7000 + k,
                peers,
            );
            slots.push(e.open(t0, u64::from(k) + 1, s, Arc::default()));
        }
        for (k, &slot) in slots.iter().enumerate() {
            let code = Law::Mu.encode(values[k]);
            let mut p = packet(0, 1, &[code; 160]);
            e.on_datagram(
                t0,
                slot,
                false,
                SocketAddr::from(([127, 0, 0, 1], 7000 + k as u16)),
                0,
                &mut p,
            );
        }
        // Two 10 ms frames make one 20 ms packet per member.
        e.handle_timeout(t0);
        e.handle_timeout(t0 + TICK);
        assert_eq!(e.out.items.len(), 3);
        for t in e.out.items.clone() {
            let Data::Own { index, len } = t.data else {
                panic!("own packet")
            };
            let bytes = e.out.own(index, len);
            let k = usize::from(t.to.port() - 7000);
            let heard = Law::Mu.decode(bytes[12 + 100]);
            let others: i32 = values
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, v)| i32::from(Law::Mu.decode(Law::Mu.encode(*v))))
                .sum();
            assert!(
                (i32::from(heard) - others).abs() <= others / 16,
                "member {k} hears {heard}, not {others}"
            );
        }
    }
}
