//! The agent: the transaction engine, the gateway and line tables, the
//! calls, the commands in flight and the timers, driven as one [`Node`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use foldhash::{HashMap, HashMapExt};
use mgcp_proto::{Command, Message, ParseOptions, ReturnCode, TransactionId, Verb};
use mgcp_txn::{
    Config as TxnConfig, Delivery, Destination, Engine, Event, IncomingId, Node, Transmit,
};

use crate::config::AgentConfig;
use crate::dial_plan::DialPlan;
use crate::store::{CallRecord, Cdr, Store};

/// What kind of endpoint a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// An analog line with a phone (L package).
    Line,
    /// A trunk channel (DS0); its seizure and answer are signalled outside
    /// MGCP (ISDN, CAS).
    Trunk,
}

/// Where a line stands, as the agent sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not audited yet (or being audited).
    Unknown,
    /// Out of service: its gateway is unreachable, restarting or shut down.
    OutOfService,
    /// On hook, watching for off-hook.
    Idle,
    /// Off hook: dial tone, collecting digits.
    Dialling,
    /// A tone (busy `bz`, reorder `ro`) plays until the phone is hung up.
    Tone(&'static str),
    /// In a call.
    Call,
}

/// A line or trunk channel of the directory.
#[derive(Debug, Clone)]
pub struct Line {
    /// `local@domain`.
    pub name: String,
    /// Index of its gateway.
    pub gateway: usize,
    /// Line or trunk channel.
    pub kind: LineKind,
    /// Its number, for lines of the directory.
    pub number: Option<String>,
    /// Call waiting allowed.
    pub call_waiting: bool,
    /// Where it stands.
    pub phase: Phase,
    /// Hook state as last reported.
    pub off_hook: bool,
    /// The current call.
    pub call: Option<u64>,
    /// The other call: waiting (ringing through) or on hold.
    pub other: Option<u64>,
    /// A graceful shutdown is under way: no new calls.
    pub draining: bool,
    /// The trunk group of a trunk channel (index into the configuration).
    pub group: Option<usize>,
    pub(crate) request_id: u64,
    pub(crate) previous_request: u64,
    pub(crate) audit_left: usize,
    pub(crate) audit_queued: bool,
    pub(crate) found: Vec<(String, String)>,
}

/// How a gateway stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayState {
    /// Never heard from.
    Unknown,
    /// Registered (RSIP answered) or adopted by auditing.
    InService,
    /// Stopped answering: its endpoints are out of service.
    Unreachable,
}

/// A gateway as the agent sees it.
#[derive(Debug, Clone)]
pub struct GatewayStatus {
    /// Its domain name.
    pub domain: String,
    /// Where its commands go.
    pub addresses: Vec<SocketAddr>,
    /// Its state.
    pub state: GatewayState,
    /// Capabilities learned by auditing (`A:` of the first line).
    pub capabilities: Option<String>,
    pub(crate) lines: Vec<usize>,
    pub(crate) last_heard: Option<Instant>,
    pub(crate) keepalive: Option<TransactionId>,
    pub(crate) audit_queue: VecDeque<usize>,
    pub(crate) audits_in_flight: usize,
    pub(crate) auditing: bool,
}

impl GatewayStatus {
    pub(crate) fn destination(&self) -> Option<Destination> {
        Destination::new(self.addresses.clone())
    }
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// The caller's connection is being created.
    Creating,
    /// The callee's connection is being created, then it rings.
    Alerting,
    /// Answered: media flows both ways.
    Active,
    /// Being cleared: connections are being deleted.
    Releasing,
    /// Read back from the store after a restart; its connections are being
    /// looked for by auditing.
    Recovering,
}

/// One side of a call.
#[derive(Debug, Clone, Default)]
pub(crate) struct Leg {
    pub(crate) conn: Option<String>,
    pub(crate) sdp: Option<String>,
    pub(crate) confirmed: bool,
    pub(crate) creating: bool,
    pub(crate) deleting: bool,
}

/// A call between two endpoints.
#[derive(Debug, Clone)]
pub struct Call {
    /// The call id; `C:` is its hexadecimal form.
    pub id: u64,
    /// The calling endpoint (line index).
    pub caller: usize,
    /// The called endpoint (line index).
    pub callee: usize,
    /// Where it stands.
    pub state: CallState,
    /// The digits dialled.
    pub dialled: String,
    /// True when it waits on a busy line (call waiting).
    pub waiting: bool,
    pub(crate) legs: [Leg; 2],
    pub(crate) dialled_at: Instant,
    pub(crate) ringing_at: Option<Instant>,
    pub(crate) answered_at: Option<Instant>,
    pub(crate) outcome: Option<&'static str>,
    pub(crate) stats: [Option<String>; 2],
    pub(crate) deletes_left: usize,
}

impl Call {
    /// The `C:` value.
    pub fn call_id(&self) -> String {
        format!("{:X}", self.id)
    }

    /// The connection ids of caller and callee, once created.
    pub fn connections(&self) -> [Option<&str>; 2] {
        [self.legs[0].conn.as_deref(), self.legs[1].conn.as_deref()]
    }

    /// Time from the end of dialling to ringing.
    pub fn setup_time(&self) -> Option<Duration> {
        self.ringing_at
            .map(|r| r.saturating_duration_since(self.dialled_at))
    }

    pub(crate) fn leg_of(&self, line: usize) -> Option<usize> {
        if self.caller == line {
            Some(0)
        } else if self.callee == line {
            Some(1)
        } else {
            None
        }
    }

    pub(crate) fn line_of(&self, leg: usize) -> usize {
        if leg == 0 { self.caller } else { self.callee }
    }
}

/// What the agent reports to its owner (daemon logs, tests, the demo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentEvent {
    /// A gateway registered (RSIP) or was adopted.
    GatewayInService {
        /// Its domain.
        domain: String,
    },
    /// A gateway stopped answering.
    GatewayUnreachable {
        /// Its domain.
        domain: String,
    },
    /// The callee rings.
    Ringing {
        /// The call.
        call: u64,
    },
    /// The callee answered.
    Answered {
        /// The call.
        call: u64,
    },
    /// A call found by auditing was adopted.
    Adopted {
        /// The call.
        call: u64,
    },
    /// A call ended; its record.
    Ended(Cdr),
    /// A connection no call accounts for was deleted.
    OrphanDeleted {
        /// The endpoint.
        endpoint: String,
        /// The connection.
        connection: String,
    },
}

/// Counters kept by the agent (the transaction engine keeps its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentCounters {
    /// Calls set up (a callee was chosen).
    pub calls_attempted: u64,
    /// Calls answered.
    pub calls_answered: u64,
    /// Calls that ended after being answered.
    pub calls_completed: u64,
    /// Calls to a busy callee.
    pub busy: u64,
    /// Numbers nobody answers.
    pub unknown_numbers: u64,
    /// Calls cleared because nobody answered.
    pub no_answer: u64,
    /// Callers who hung up while dialling or ringing.
    pub abandoned: u64,
    /// Calls adopted after auditing.
    pub adopted: u64,
    /// Connections deleted because no call accounted for them.
    pub orphans_deleted: u64,
    /// RestartInProgress commands received.
    pub rsips: u64,
    /// Notify commands received.
    pub notifies: u64,
    /// Commands from gateways refused (unknown endpoint, bad request id,
    /// unsupported command).
    pub refused: u64,
    /// Times a gateway was found unreachable.
    pub gateways_lost: u64,
}

/// A configuration the agent cannot run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A command of ours waiting for its response.
#[derive(Debug, Clone)]
pub(crate) enum Pending {
    Rqnt {
        line: usize,
        request: u64,
    },
    Crcx {
        call: u64,
        leg: usize,
    },
    Mdcx {
        line: usize,
    },
    Dlcx {
        call: Option<u64>,
        leg: usize,
        line: usize,
    },
    Auep {
        line: usize,
    },
    Aucx {
        line: usize,
        conn: String,
    },
    KeepAlive {
        gateway: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    NoAnswer { call: u64 },
    Keepalive,
    Recovery,
    Shutdown { line: usize },
}

/// The call agent engine.
pub struct Agent {
    pub(crate) config: AgentConfig,
    pub(crate) plan: DialPlan,
    pub(crate) engine: Engine,
    pub(crate) gateways: Vec<GatewayStatus>,
    pub(crate) gateway_by_domain: HashMap<String, usize>,
    pub(crate) lines: Vec<Line>,
    pub(crate) line_by_name: HashMap<String, usize>,
    pub(crate) directory: Vec<Option<usize>>,
    pub(crate) groups: Vec<Vec<usize>>,
    pub(crate) calls: HashMap<u64, Call>,
    pub(crate) pending: HashMap<TransactionId, Pending>,
    pub(crate) timers: BinaryHeap<Reverse<(Instant, Timer)>>,
    pub(crate) events: VecDeque<AgentEvent>,
    pub(crate) store: Box<dyn Store + Send>,
    pub(crate) counters: AgentCounters,
    pub(crate) rng: fastrand::Rng,
    pub(crate) next_request: u64,
    pub(crate) unclaimed: HashMap<String, Vec<(usize, String)>>,
    pub(crate) recovery_until: Option<Instant>,
    pub(crate) parse_options: ParseOptions,
    pub(crate) scratch: String,
    pub(crate) taken_over: bool,
}

impl Agent {
    /// An agent with `config` and `store`, started at `now`; `seed` drives
    /// call ids and transaction ids. Calls found in the store are
    /// recovered: gateways with known addresses are audited at once.
    pub fn new(
        config: AgentConfig,
        store: Box<dyn Store + Send>,
        seed: u64,
        now: Instant,
    ) -> Result<Agent, ConfigError> {
        let plan = DialPlan::new(&config).map_err(ConfigError)?;
        mgcp_proto::digit_map::DigitMap::parse(plan.digit_map(), &Default::default())
            .map_err(|e| ConfigError(format!("digit map {}: {e}", plan.digit_map())))?;
        let mut rng = fastrand::Rng::with_seed(seed);
        let engine = Engine::new(TxnConfig::default(), rng.u64(..));
        let mut agent = Agent {
            plan,
            engine,
            gateways: Vec::new(),
            gateway_by_domain: HashMap::new(),
            lines: Vec::new(),
            line_by_name: HashMap::new(),
            directory: Vec::new(),
            groups: Vec::new(),
            calls: HashMap::new(),
            pending: HashMap::new(),
            timers: BinaryHeap::new(),
            events: VecDeque::new(),
            store,
            counters: AgentCounters::default(),
            next_request: rng.u64(1..1 << 40),
            rng,
            unclaimed: HashMap::new(),
            recovery_until: None,
            parse_options: ParseOptions::lenient(),
            scratch: String::new(),
            taken_over: false,
            config,
        };
        agent.build_tables()?;
        agent.restore_calls(now);
        if agent.config.timers.keepalive_ms > 0 {
            let every = Duration::from_millis(agent.config.timers.keepalive_ms);
            agent.push_timer(now + every, Timer::Keepalive);
        }
        for g in 0..agent.gateways.len() {
            if !agent.gateways[g].addresses.is_empty() && !agent.config.standby {
                agent.audit_gateway(now, g);
            }
        }
        agent.store.flush();
        Ok(agent)
    }

    fn build_tables(&mut self) -> Result<(), ConfigError> {
        for g in self.config.gateways.clone() {
            let key = g.domain.to_ascii_lowercase();
            if self.gateway_by_domain.contains_key(&key) {
                return Err(ConfigError(format!(
                    "gateway {} configured twice",
                    g.domain
                )));
            }
            self.gateway_by_domain.insert(key, self.gateways.len());
            self.gateways.push(GatewayStatus {
                domain: g.domain,
                addresses: g.addresses,
                state: GatewayState::Unknown,
                capabilities: None,
                lines: Vec::new(),
                last_heard: None,
                keepalive: None,
                audit_queue: VecDeque::new(),
                audits_in_flight: 0,
                auditing: false,
            });
        }
        for entry in self.config.lines.clone() {
            let i = self.add_line(&entry.endpoint, LineKind::Line, None)?;
            self.lines[i].number = Some(entry.number.clone());
            self.lines[i].call_waiting = entry.call_waiting;
            self.directory.push(Some(i));
        }
        for (k, group) in self.config.trunk_groups.clone().iter().enumerate() {
            let mut members = Vec::new();
            for name in group.names() {
                members.push(self.add_line(&name, LineKind::Trunk, Some(k))?);
            }
            self.groups.push(members);
        }
        Ok(())
    }

    fn add_line(
        &mut self,
        name: &str,
        kind: LineKind,
        group: Option<usize>,
    ) -> Result<usize, ConfigError> {
        let parsed = mgcp_proto::EndpointName::parse(name)
            .map_err(|e| ConfigError(format!("endpoint {name}: {e}")))?;
        if parsed.is_wildcard() {
            return Err(ConfigError(format!("endpoint {name} is a wildcard")));
        }
        let domain = parsed.domain().to_string().to_ascii_lowercase();
        let gateway = *self.gateway_by_domain.get(&domain).ok_or_else(|| {
            ConfigError(format!("endpoint {name}: no gateway {domain} configured"))
        })?;
        let key = name.to_ascii_lowercase();
        if self.line_by_name.contains_key(&key) {
            return Err(ConfigError(format!("endpoint {name} configured twice")));
        }
        let i = self.lines.len();
        self.line_by_name.insert(key, i);
        self.gateways[gateway].lines.push(i);
        self.lines.push(Line {
            name: name.to_string(),
            gateway,
            kind,
            number: None,
            call_waiting: false,
            phase: Phase::Unknown,
            off_hook: false,
            call: None,
            other: None,
            draining: false,
            group,
            request_id: 0,
            previous_request: 0,
            audit_left: 0,
            audit_queued: false,
            found: Vec::new(),
        });
        Ok(i)
    }

    /// Reads the calls the store kept: they wait, `Recovering`, for the
    /// audits to find their connections.
    fn restore_calls(&mut self, now: Instant) {
        for record in self.store.calls() {
            let Some(call) = self.call_from_record(now, &record) else {
                self.store.remove_call(&record.id);
                self.store.add_cdr(&lost_cdr(&record));
                continue;
            };
            for line in [call.caller, call.callee] {
                if self.lines[line].call.is_none() {
                    self.lines[line].call = Some(call.id);
                } else {
                    self.lines[line].other = Some(call.id);
                }
                self.lines[line].phase = Phase::Call;
            }
            self.calls.insert(call.id, call);
        }
        if !self.calls.is_empty() {
            let wait = Duration::from_millis(self.config.timers.recovery_ms);
            self.recovery_until = Some(now + wait);
            self.push_timer(now + wait, Timer::Recovery);
        }
    }

    fn call_from_record(&self, now: Instant, r: &CallRecord) -> Option<Call> {
        let id = u64::from_str_radix(&r.id, 16).ok()?;
        let caller = self.line_index(&r.caller)?;
        let callee = self.line_index(r.callee.as_deref()?)?;
        let leg = |conn: &Option<String>| Leg {
            conn: conn.clone(),
            ..Leg::default()
        };
        Some(Call {
            id,
            caller,
            callee,
            state: CallState::Recovering,
            dialled: r.dialled.clone(),
            waiting: false,
            legs: [leg(&r.caller_connection), leg(&r.callee_connection)],
            dialled_at: now,
            ringing_at: None,
            answered_at: r.answered.then_some(now),
            outcome: None,
            stats: [None, None],
            deletes_left: 0,
        })
    }

    // ---- accessors -----------------------------------------------------------

    /// The transaction engine (counters).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The configuration.
    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// The digit map sent to lines.
    pub fn digit_map(&self) -> &str {
        self.plan.digit_map()
    }

    /// The agent's counters.
    pub fn counters(&self) -> &AgentCounters {
        &self.counters
    }

    /// The gateways.
    pub fn gateways(&self) -> &[GatewayStatus] {
        &self.gateways
    }

    /// The lines and trunk channels.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The line named `local@domain` (case-insensitive).
    pub fn line(&self, name: &str) -> Option<&Line> {
        self.line_index(name).map(|i| &self.lines[i])
    }

    pub(crate) fn line_index(&self, name: &str) -> Option<usize> {
        self.line_by_name.get(&name.to_ascii_lowercase()).copied()
    }

    /// The calls in progress.
    pub fn calls(&self) -> impl Iterator<Item = &Call> {
        self.calls.values()
    }

    /// One call.
    pub fn call(&self, id: u64) -> Option<&Call> {
        self.calls.get(&id)
    }

    /// The store (CDRs).
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// The next event for the owner.
    pub fn poll_event(&mut self) -> Option<AgentEvent> {
        self.events.pop_front()
    }

    /// True while connections found after a restart are still being
    /// matched to calls.
    pub fn recovering(&self) -> bool {
        self.recovery_until.is_some()
    }

    // ---- sending -------------------------------------------------------------

    pub(crate) fn push_timer(&mut self, at: Instant, timer: Timer) {
        self.timers.push(Reverse((at, timer)));
    }

    pub(crate) fn fresh_request(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    pub(crate) fn fresh_call_id(&mut self) -> u64 {
        loop {
            let id = self.rng.u64(1 << 32..1 << 60);
            if !self.calls.contains_key(&id) {
                return id;
            }
        }
    }

    /// Sends a command built as text to the gateway of line `line` (or
    /// gateway `gateway`); remembers what it was for.
    pub(crate) fn send(
        &mut self,
        now: Instant,
        gateway: usize,
        text: &str,
        pending: Pending,
    ) -> bool {
        let Some(destination) = self.gateways[gateway].destination() else {
            return false;
        };
        let Ok(Message::Command(cmd)) =
            mgcp_proto::parse_with(text.as_bytes(), &self.parse_options)
        else {
            debug_assert!(false, "agent built a bad command: {text}");
            return false;
        };
        match self.engine.send_command(now, &destination, cmd) {
            Ok(tid) => {
                self.pending.insert(tid, pending);
                true
            }
            Err(_) => false,
        }
    }

    /// `N:` for our notification requests, when configured.
    pub(crate) fn notified_entity_line(&self) -> String {
        match &self.config.notified_entity {
            Some(n) => format!("N: {n}\r\n"),
            None => String::new(),
        }
    }

    // ---- input ---------------------------------------------------------------

    fn on_command(&mut self, now: Instant, id: IncomingId, from: SocketAddr, cmd: &Command<'_>) {
        if let Err(v) = mgcp_proto::validate::validate_command(cmd, &Default::default()) {
            self.counters.refused += 1;
            let r = mgcp_proto::Response::new(v.code, id.transaction_id);
            let _ = self.engine.respond(now, id, r);
            return;
        }
        match cmd.verb {
            Verb::Ntfy => self.on_notify(now, id, from, cmd),
            Verb::Rsip => self.on_restart(now, id, from, cmd),
            _ => {
                self.counters.refused += 1;
                self.respond(now, id, ReturnCode::UNKNOWN_COMMAND, "");
            }
        }
    }

    /// Answers a command from a gateway; `extra` holds parameter lines.
    pub(crate) fn respond(&mut self, now: Instant, id: IncomingId, code: ReturnCode, extra: &str) {
        let text = format!(
            "{:03} {} {}\r\n{extra}",
            code.value(),
            id.transaction_id,
            code.short_text()
        );
        let _ = self
            .engine
            .respond_encoded(now, id, code, text.into_bytes());
    }

    fn on_response(
        &mut self,
        now: Instant,
        tid: TransactionId,
        response: &mgcp_proto::Response<'_>,
    ) {
        let Some(pending) = self.pending.remove(&tid) else {
            return;
        };
        if let Some(g) = self.pending_gateway(&pending) {
            self.gateway_alive(now, g);
        }
        match pending {
            Pending::Rqnt { line, request } => {
                self.rqnt_answered(now, line, request, response.code)
            }
            Pending::Crcx { call, leg } => self.crcx_answered(now, call, leg, response),
            Pending::Mdcx { .. } => {}
            Pending::Dlcx { call, leg, line } => self.dlcx_answered(now, call, leg, line, response),
            Pending::Auep { line } => self.auep_answered(now, line, response),
            Pending::Aucx { line, conn } => self.aucx_answered(now, line, &conn, response),
            Pending::KeepAlive { gateway } => self.keepalive_answered(now, gateway),
        }
    }

    pub(crate) fn pending_gateway(&self, p: &Pending) -> Option<usize> {
        let line = match p {
            Pending::Rqnt { line, .. }
            | Pending::Auep { line }
            | Pending::Aucx { line, .. }
            | Pending::Mdcx { line }
            | Pending::Dlcx { line, .. } => *line,
            Pending::Crcx { call, leg } => self.calls.get(call)?.line_of(*leg),
            Pending::KeepAlive { gateway } => return Some(*gateway),
        };
        Some(self.lines[line].gateway)
    }

    fn on_engine_event(&mut self, now: Instant, event: Event) {
        if let Event::TimedOut { transaction_id, .. } = event
            && let Some(pending) = self.pending.remove(&transaction_id)
        {
            let gateway = self.pending_gateway(&pending);
            match pending {
                Pending::Dlcx { call, leg, .. } => self.dlcx_failed(now, call, leg),
                Pending::Crcx { call, leg } => self.crcx_failed(now, call, leg),
                Pending::Auep { line } => self.line_audit_failed(now, line, true),
                Pending::Aucx { line, .. } => self.line_audit_failed(now, line, false),
                Pending::KeepAlive { gateway } => self.gateways[gateway].keepalive = None,
                _ => {}
            }
            if let Some(g) = gateway {
                self.gateway_unreachable(now, g);
            }
        }
    }

    fn drain_engine_events(&mut self, now: Instant) {
        while let Some(e) = self.engine.poll_event() {
            self.on_engine_event(now, e);
        }
    }

    fn run_timers(&mut self, now: Instant) {
        while let Some(&Reverse((at, timer))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            match timer {
                Timer::NoAnswer { call } => self.no_answer(now, call),
                Timer::Keepalive => self.keepalive_round(now),
                Timer::Recovery => self.finish_recovery(now),
                Timer::Shutdown { line } => self.graceful_deadline(now, line),
            }
        }
    }

    /// Writes a call's current state to the store.
    pub(crate) fn persist(&mut self, id: u64) {
        let Some(c) = self.calls.get(&id) else {
            return;
        };
        let record = CallRecord {
            id: c.call_id(),
            caller: self.lines[c.caller].name.clone(),
            callee: Some(self.lines[c.callee].name.clone()),
            caller_connection: c.legs[0].conn.clone(),
            callee_connection: c.legs[1].conn.clone(),
            dialled: c.dialled.clone(),
            answered: c.answered_at.is_some(),
        };
        self.store.save_call(&record);
    }
}

fn lost_cdr(r: &CallRecord) -> Cdr {
    Cdr {
        call_id: r.id.clone(),
        caller: r.caller.clone(),
        callee: r.callee.clone(),
        dialled: r.dialled.clone(),
        outcome: "not-found-after-restart".into(),
        setup_ms: None,
        talk_ms: 0,
        stats: vec![],
        written_unix_ms: 0,
    }
}

impl Node for Agent {
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
        self.store.flush();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.drain_engine_events(now);
        self.run_timers(now);
        self.drain_engine_events(now);
        self.store.flush();
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.engine.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let timer = self.timers.peek().map(|Reverse((at, _))| *at);
        [self.engine.poll_timeout(), timer]
            .into_iter()
            .flatten()
            .min()
    }
}
