//! The gateway: the transaction engine, the endpoint table and the media
//! plane, driven as one [`Node`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use foldhash::{HashMap, HashMapExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mgcp_proto::digit_map::DigitMap;
use mgcp_proto::params::{Param, ParamName, RestartMethod};
use mgcp_proto::{Command, EndpointName, Message, ReturnCode, TransactionId, Verb};
use mgcp_txn::{
    Config as TxnConfig, Delivery, Destination, Engine, Event, IncomingId, Node, Transmit,
};

use crate::config::{GatewayConfig, Unauthorized};
use crate::endpoint::{Endpoint, Hook, Notified, Service, Table};
use crate::media::{MediaEvent, MediaPlane};
use crate::reply::Reply;
use crate::request::Detected;

/// Something a person or test does on a line (the line-side seam: a
/// telephony card driver would feed the same events).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEvent {
    /// The handset is lifted (trunk: the channel is seized; a trunk's
    /// seizure is ISDN or CAS signalling, so no MGCP event is generated).
    OffHook,
    /// The handset is put down (trunk: released).
    OnHook,
    /// A hook flash.
    Flash,
    /// A key is pressed: `0`-`9`, `*`, `#`, `A`-`D`.
    Digit(char),
}

/// What the line currently experiences, for `mgcp phone` and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineStatus {
    /// Hook state.
    pub hook: Hook,
    /// Signals playing on the line side (`L/dl`, `L/rg`, …).
    pub signals: Vec<String>,
    /// Connections: id, mode, local port.
    pub connections: Vec<(String, String, u16)>,
    /// Service state.
    pub service: Service,
}

/// Why a line event was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineError {
    /// No endpoint has that name.
    UnknownEndpoint,
    /// The endpoint has no line side (announcement, relay, …).
    NoLine,
    /// Not a DTMF key.
    BadDigit,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LineError::UnknownEndpoint => "no such endpoint",
            LineError::NoLine => "this endpoint has no line side",
            LineError::BadDigit => "not a DTMF key (0-9, *, #, A-D)",
        })
    }
}

impl std::error::Error for LineError {}

/// What the gateway reports to its owner (daemon logs, tests, live view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayEvent {
    /// A signal started or stopped on a line or connection.
    Signal {
        /// Endpoint local name.
        endpoint: String,
        /// `package/name[@conn]`.
        signal: String,
        /// Started (true) or stopped.
        on: bool,
    },
    /// A Notify was sent.
    Notified {
        /// Endpoint local name.
        endpoint: String,
        /// The ObservedEvents value.
        events: String,
    },
    /// The restart procedure finished: endpoints are in service.
    InService,
    /// The call agent stopped answering: the disconnected procedure runs.
    Disconnected,
    /// A swap (hook-flash with the `S` action): the endpoint should switch
    /// between its connections (call waiting).
    Swap {
        /// Endpoint local name.
        endpoint: String,
    },
}

/// Counters kept by the gateway (the transaction engine keeps its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GatewayCounters {
    /// Connections created.
    pub connections_created: u64,
    /// Connections deleted.
    pub connections_deleted: u64,
    /// Notify commands sent.
    pub notifies_sent: u64,
    /// RSIP commands sent.
    pub rsips_sent: u64,
    /// Commands from call agents not allowed by the configuration.
    pub unauthorized: u64,
    /// Events dropped because the quarantine buffer was full.
    pub quarantine_overflow: u64,
    /// Commands refused because the gateway was over a limit.
    pub limit_rejections: u64,
    /// Media statistics of the connections already deleted (add the open
    /// connections' to get totals).
    pub closed_media: crate::MediaStats,
}

impl GatewayCounters {
    pub(crate) fn add_closed(&mut self, s: &crate::MediaStats) {
        let m = &mut self.closed_media;
        m.packets_sent += s.packets_sent;
        m.octets_sent += s.octets_sent;
        m.packets_received += s.packets_received;
        m.octets_received += s.octets_received;
        m.packets_lost += s.packets_lost;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    Signal { endpoint: usize, generation: u32 },
    Digit { endpoint: usize, generation: u32 },
    Restart { generation: u32 },
}

/// Where the restart procedure stands (gateway-wide: one wildcard RSIP
/// covers every endpoint).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The start-up timer runs.
    Waiting,
    /// An RSIP is outstanding.
    Announcing,
    /// In service.
    InService,
    /// Disconnected: the Td timer runs.
    Disconnected,
}

#[derive(Debug)]
pub(crate) struct Restart {
    pub(crate) phase: Phase,
    pub(crate) generation: u32,
    pub(crate) outstanding: Option<TransactionId>,
    pub(crate) method: RestartMethod<'static>,
    pub(crate) redirects: u32,
    pub(crate) td: Duration,
    pub(crate) last_attempt: Option<Instant>,
    pub(crate) disconnected_since: Option<Instant>,
}

/// The gateway engine: state machine fed datagrams, line events, media
/// events and time; produces datagrams and [`GatewayEvent`]s.
pub struct Gateway<M: MediaPlane> {
    pub(crate) config: GatewayConfig,
    pub(crate) engine: Engine,
    pub(crate) table: Table,
    pub(crate) media: M,
    pub(crate) rng: fastrand::Rng,
    pub(crate) timers: BinaryHeap<Reverse<(Instant, Timer)>>,
    pub(crate) events: VecDeque<GatewayEvent>,
    pub(crate) notifies: HashMap<TransactionId, usize>,
    pub(crate) restart: Restart,
    pub(crate) call_agents: Destination,
    pub(crate) next_media: u64,
    pub(crate) maps: HashMap<String, Arc<DigitMap>>,
    pub(crate) counters: GatewayCounters,
    pub(crate) scratch: String,
    pub(crate) total_connections: usize,
    /// Media id → endpoint index of every open connection, so that a
    /// media event finds its connection without scanning the endpoints.
    pub(crate) by_media: HashMap<crate::media::MediaId, usize>,
    /// The codecs the configuration allows, in its order.
    pub(crate) supported: Vec<crate::media::Codec>,
    pub(crate) resolver: Resolver,
}

/// Maps a host name and port from `N:` to addresses.
pub type Resolver = Box<dyn FnMut(&str, u16) -> Vec<SocketAddr> + Send>;

/// A configuration the gateway cannot run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl<M: MediaPlane> Gateway<M> {
    /// A gateway with `config` and `media`, started at `now`. `seed` drives
    /// every random choice (ids, restart delays).
    pub fn new(
        config: GatewayConfig,
        media: M,
        seed: u64,
        now: Instant,
    ) -> Result<Self, ConfigError> {
        let mut table = Table::default();
        for group in &config.endpoints {
            for name in group.names() {
                if let Err(e) = EndpointName::parse(&format!("{name}@{}", config.domain)) {
                    return Err(ConfigError(format!("endpoint name {name:?}: {e}")));
                }
                let max = group
                    .max_connections
                    .unwrap_or_else(|| group.kind.default_max_connections());
                if !table.add(Endpoint::new(name.clone().into(), group.kind, max)) {
                    return Err(ConfigError(format!("endpoint {name} is configured twice")));
                }
            }
        }
        if mgcp_proto::Domain::parse(&config.domain).is_err() {
            return Err(ConfigError(format!(
                "domain {:?} is not a host name or [address]",
                config.domain
            )));
        }
        let call_agents = Destination::new(config.call_agents.clone())
            .ok_or_else(|| ConfigError("at least one call agent address is needed".into()))?;
        let mut rng = fastrand::Rng::with_seed(seed);
        let txn = TxnConfig::default();
        let engine = Engine::new(txn, rng.u64(..));
        let supported = Self::codecs_of(&config);
        let mut gw = Gateway {
            supported,
            restart: Restart {
                phase: Phase::Waiting,
                generation: 0,
                outstanding: None,
                method: RestartMethod::Restart,
                redirects: 0,
                td: Duration::ZERO,
                last_attempt: None,
                disconnected_since: None,
            },
            config,
            engine,
            table,
            media,
            rng,
            timers: BinaryHeap::new(),
            events: VecDeque::new(),
            notifies: HashMap::new(),
            call_agents,
            next_media: 1,
            maps: HashMap::new(),
            counters: GatewayCounters::default(),
            scratch: String::new(),
            total_connections: 0,
            by_media: HashMap::new(),
            resolver: Box::new(literal_resolver),
        };
        gw.schedule_start(now);
        Ok(gw)
    }

    /// Replaces how host names in `N:` are resolved (the default knows
    /// only IP literals and `localhost`; the daemon installs DNS).
    pub fn set_resolver(&mut self, resolver: Resolver) {
        self.resolver = resolver;
    }

    /// The transaction engine (counters, settings).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The transaction engine, mutably (e.g. to set a peer's datagram size).
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// The media plane.
    pub fn media(&self) -> &M {
        &self.media
    }

    /// The media plane, mutably.
    pub fn media_mut(&mut self) -> &mut M {
        &mut self.media
    }

    /// The configuration.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    /// The gateway's counters.
    pub fn counters(&self) -> &GatewayCounters {
        &self.counters
    }

    /// Every endpoint.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.table.endpoints
    }

    /// The endpoint named `local` (case-insensitive).
    pub fn endpoint(&self, local: &str) -> Option<&Endpoint> {
        let mut s = String::new();
        self.table
            .find(local, &mut s)
            .map(|i| &self.table.endpoints[i])
    }

    /// The index of the endpoint named `local` (case-insensitive): what
    /// [`crate::media::MediaSpec::endpoint`] and
    /// [`crate::media::SignalTarget::Line`] call it.
    pub fn endpoint_index(&self, local: &str) -> Option<usize> {
        let mut s = String::new();
        self.table.find(local, &mut s)
    }

    /// Open connections over the gateway.
    pub fn connection_count(&self) -> usize {
        self.total_connections
    }

    /// True once the start-up RSIP was answered.
    pub fn in_service(&self) -> bool {
        self.restart.phase == Phase::InService
    }

    /// The next event for the owner.
    pub fn poll_event(&mut self) -> Option<GatewayEvent> {
        self.events.pop_front()
    }

    /// What a line hears and its hook state.
    pub fn line_status(&self, local: &str) -> Option<LineStatus> {
        let ep = self.endpoint(local)?;
        Some(LineStatus {
            hook: ep.hook,
            signals: ep
                .signals
                .iter()
                .filter(|s| s.signal.connection.is_none())
                .map(|s| s.signal.key())
                .collect(),
            connections: ep
                .connections
                .iter()
                .map(|c| (c.id.clone(), c.mode.to_string(), c.local.port))
                .collect(),
            service: ep.service,
        })
    }

    pub(crate) fn push_timer(&mut self, at: Instant, timer: Timer) {
        self.timers.push(Reverse((at, timer)));
    }

    /// Where commands for endpoint `i` go: its notified entity.
    pub(crate) fn destination(&self, i: usize) -> Destination {
        match &self.table.endpoints[i].notified {
            Notified::Provisioned => self.call_agents.clone(),
            Notified::LastCommander(addr) => Destination::from(*addr),
            Notified::Explicit { destination, .. } => destination.clone(),
        }
    }

    /// Resolves an `N:` value to addresses (default port 2727).
    pub(crate) fn resolve(
        &mut self,
        entity: &mgcp_proto::NotifiedEntity<'_>,
    ) -> Option<Destination> {
        let port = entity.port().unwrap_or(2727);
        let addrs = match entity.domain().ip() {
            Some(ip) => vec![SocketAddr::new(ip, port)],
            None => (self.resolver)(&entity.domain().to_string(), port),
        };
        Destination::new(addrs)
    }

    // ---- commands ------------------------------------------------------

    fn on_command(&mut self, now: Instant, id: IncomingId, from: SocketAddr, cmd: &Command<'_>) {
        if !self.authorized(from) {
            self.counters.unauthorized += 1;
            if self.config.security.unauthorized == Unauthorized::Reject {
                self.respond(now, id, Reply::code(ReturnCode::UNKNOWN_ENDPOINT));
            } else {
                self.engine.discard(id);
            }
            return;
        }
        self.restart_on_command(now);
        let reply = match mgcp_proto::validate::validate_command(cmd, &Default::default()) {
            Err(v) => Reply::error(v.code, v.reason),
            Ok(()) => self.execute(now, from, cmd),
        };
        self.respond(now, id, reply);
    }

    fn authorized(&self, from: SocketAddr) -> bool {
        let allowed = &self.config.security.allowed_call_agents;
        allowed.is_empty() || allowed.contains(&from.ip())
    }

    fn execute(&mut self, now: Instant, from: SocketAddr, cmd: &Command<'_>) -> Reply {
        if !cmd.version.is_supported() {
            return Reply::code(ReturnCode::INCOMPATIBLE_VERSION);
        }
        match cmd.verb {
            Verb::Crcx => self.create_connection(now, from, cmd),
            Verb::Mdcx => self.modify_connection(now, from, cmd),
            Verb::Dlcx => self.delete_connection(now, from, cmd),
            Verb::Rqnt => self.notification_request(now, from, cmd),
            Verb::Auep => self.audit_endpoint(from, cmd),
            Verb::Aucx => self.audit_connection(cmd),
            Verb::Epcf => self.endpoint_configuration(cmd),
            // A gateway receives neither: they are gateway-to-agent commands.
            Verb::Ntfy | Verb::Rsip | Verb::Extension(_) => {
                Reply::error(ReturnCode::UNKNOWN_COMMAND, "unsupported command")
            }
        }
    }

    pub(crate) fn respond(&mut self, now: Instant, id: IncomingId, reply: Reply) {
        let bytes = reply.encode(id.transaction_id);
        let _ = self.engine.respond_encoded(now, id, reply.code, bytes);
    }

    /// Sends a command of the gateway's own (NTFY, RSIP, DLCX).
    pub(crate) fn send(
        &mut self,
        now: Instant,
        destination: &Destination,
        text: &str,
    ) -> Option<TransactionId> {
        let opts = mgcp_proto::ParseOptions::lenient();
        let Ok(Message::Command(cmd)) = mgcp_proto::parse_with(text.as_bytes(), &opts) else {
            debug_assert!(false, "gateway built a bad command: {text}");
            return None;
        };
        self.engine.send_command(now, destination, cmd).ok()
    }

    /// The full endpoint name for messages: `local@domain`.
    pub(crate) fn full_name(&self, i: usize) -> String {
        format!("{}@{}", self.table.endpoints[i].name, self.config.domain)
    }

    // ---- responses to our commands ---------------------------------------

    fn on_response(
        &mut self,
        now: Instant,
        tid: TransactionId,
        response: &mgcp_proto::Response<'_>,
    ) {
        if let Some(i) = self.notifies.remove(&tid) {
            self.notify_answered(now, i, response.code);
            return;
        }
        if self.restart.outstanding == Some(tid) {
            let redirect = response
                .params
                .notified_entity()
                .and_then(|n| self.resolve(&n).map(|d| (n.to_string(), d)));
            self.rsip_answered(now, response.code, redirect);
        }
    }

    fn on_engine_event(&mut self, now: Instant, event: Event) {
        if let Event::TimedOut { transaction_id, .. } = event {
            if let Some(i) = self.notifies.remove(&transaction_id) {
                self.table.endpoints[i].notify_pending = None;
                self.table.endpoints[i].service = Service::Disconnected;
                self.become_disconnected(now);
            } else if self.restart.outstanding == Some(transaction_id) {
                self.restart.outstanding = None;
                self.become_disconnected(now);
            }
        }
    }

    fn drain_engine_events(&mut self, now: Instant) {
        while let Some(e) = self.engine.poll_event() {
            self.on_engine_event(now, e);
        }
    }

    // ---- line and media input ---------------------------------------------

    /// Something happened on a line (hook, flash, key).
    pub fn line_event(
        &mut self,
        now: Instant,
        local: &str,
        event: LineEvent,
    ) -> Result<(), LineError> {
        let mut s = std::mem::take(&mut self.scratch);
        let found = self.table.find(local, &mut s);
        self.scratch = s;
        let i = found.ok_or(LineError::UnknownEndpoint)?;
        let kind = self.table.endpoints[i].kind;
        if !kind.has_line() {
            return Err(LineError::NoLine);
        }
        let is_line = kind == crate::config::EndpointKind::Line;
        let detected = match event {
            LineEvent::OffHook => {
                self.table.endpoints[i].hook = Hook::Off;
                is_line.then(|| Detected::new("L", "hd"))
            }
            LineEvent::OnHook => {
                self.table.endpoints[i].hook = Hook::On;
                is_line.then(|| Detected::new("L", "hu"))
            }
            LineEvent::Flash => is_line.then(|| Detected::new("L", "hf")),
            LineEvent::Digit(c) => {
                let c = c.to_ascii_uppercase();
                if !(c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')) {
                    return Err(LineError::BadDigit);
                }
                Some(Detected::new("D", c.to_string()))
            }
        };
        if matches!(event, LineEvent::OffHook)
            && self.table.endpoints[i]
                .signals
                .iter()
                .any(|s| s.signal.key().eq_ignore_ascii_case("L/rg"))
        {
            // Answering stops ringing at once, as a real line does.
            self.stop_signal(i, "L/rg");
        }
        self.restart_on_activity(now);
        // A trunk's seizure is signalled by ISDN or CAS, not by MGCP
        // packages: only its state changes.
        if let Some(d) = detected {
            self.detect(now, i, d);
        }
        Ok(())
    }

    /// Something the media plane observed.
    pub fn media_event(&mut self, now: Instant, event: MediaEvent) {
        let (media, package, name) = match event {
            MediaEvent::Digit { media, digit } => {
                (media, "D", digit.to_ascii_uppercase().to_string())
            }
            MediaEvent::RtpTimeout { media } => (media, "R", "rto".to_string()),
            MediaEvent::MediaStart { media } => (media, "R", "ma".to_string()),
            MediaEvent::SignalDone {
                endpoint,
                signal,
                ok,
            } => {
                if endpoint < self.table.len() {
                    self.signal_finished(now, endpoint, &signal, ok);
                }
                return;
            }
        };
        // An index lookup, not a scan: a million endpoints stay flat.
        let Some(&i) = self.by_media.get(&media) else {
            return;
        };
        let Some(conn) = self.table.endpoints[i]
            .connections
            .iter()
            .find(|c| c.media == media)
            .map(|c| c.id.clone())
        else {
            return;
        };
        let mut d = Detected::new(package, name);
        d.connection = Some(conn);
        self.detect(now, i, d);
    }

    pub(crate) fn fresh_media_id(&mut self) -> u64 {
        let id = self.next_media;
        self.next_media += 1;
        id
    }

    pub(crate) fn new_connection_id(&mut self) -> String {
        format!("{:08X}", self.rng.u32(1..))
    }

    pub(crate) fn digit_map(&mut self, text: &str) -> Result<Arc<DigitMap>, ReturnCode> {
        if let Some(m) = self.maps.get(text) {
            return Ok(Arc::clone(m));
        }
        let map =
            DigitMap::parse(text, &Default::default()).map_err(|_| ReturnCode::BAD_DIGIT_MAP)?;
        if self.maps.len() >= 1024 {
            self.maps.clear();
        }
        let map = Arc::new(map);
        self.maps.insert(text.to_string(), Arc::clone(&map));
        Ok(map)
    }

    fn run_timers(&mut self, now: Instant) {
        while let Some(&Reverse((at, timer))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            match timer {
                Timer::Signal {
                    endpoint,
                    generation,
                } => self.signal_timer(now, endpoint, generation),
                Timer::Digit {
                    endpoint,
                    generation,
                } => self.digit_timer(now, endpoint, generation),
                Timer::Restart { generation } => {
                    if generation == self.restart.generation {
                        self.restart_timer(now);
                    }
                }
            }
        }
    }

    fn next_timer(&self) -> Option<Instant> {
        self.timers.peek().map(|Reverse((at, _))| *at)
    }
}

/// The default resolver: IP literals only (and `localhost`).
fn literal_resolver(host: &str, port: u16) -> Vec<SocketAddr> {
    if host.eq_ignore_ascii_case("localhost") {
        return vec![SocketAddr::from(([127, 0, 0, 1], port))];
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| vec![SocketAddr::new(ip, port)])
        .unwrap_or_default()
}

impl<M: MediaPlane> Node for Gateway<M> {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let deliveries = self.engine.receive(now, from, datagram);
        for d in deliveries {
            match d {
                Delivery::Command { id, from, command } => self.on_command(now, id, from, &command),
                Delivery::Response {
                    transaction_id,
                    response,
                    ..
                } => self.on_response(now, transaction_id, &response),
                Delivery::Provisional { .. } | Delivery::Malformed { .. } => {}
            }
        }
        self.drain_engine_events(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.drain_engine_events(now);
        self.run_timers(now);
        self.drain_engine_events(now);
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        let t = self.engine.poll_transmit();
        if t.is_none() {
            // The driver drained every answer of this input: now hand the
            // media plane's queued work over, once for the whole batch.
            self.media.flush();
        }
        t
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [self.engine.poll_timeout(), self.next_timer()]
            .into_iter()
            .flatten()
            .min()
    }
}

/// Parameters shared by connection commands for the embedded request.
pub(crate) fn has_embedded_request(cmd: &Command<'_>) -> bool {
    cmd.params.iter().any(|p| {
        matches!(
            p.name(),
            ParamName::RequestedEvents
                | ParamName::SignalRequests
                | ParamName::DigitMap
                | ParamName::DetectEvents
                | ParamName::QuarantineHandling
        )
    }) || cmd
        .params
        .iter()
        .any(|p| matches!(p, Param::RequestIdentifier(_)))
}
