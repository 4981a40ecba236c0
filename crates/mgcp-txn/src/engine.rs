//! The transaction engine: one per MGCP entity (gateway or call agent),
//! shared by all its endpoints and peers.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_proto::encode::joined_size;
use mgcp_proto::params::{Param, ParamName, ResponseAck, response_ack};
use mgcp_proto::{
    Command, Message, ParseError, ParseOptions, Response, ReturnCode, TransactionId, Verb,
    parse_datagram,
};

use crate::config::Config;
use crate::counters::Counters;
use crate::rto::Estimator;

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// The datagram (one message, or several piggybacked ones).
    pub contents: Vec<u8>,
}

/// Where a command goes: one or more addresses of the same peer, tried in
/// order when the current one stops answering (RFC 3435 §4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    addresses: Vec<SocketAddr>,
}

impl Destination {
    /// A peer with several addresses, in preference order; `None` if empty.
    pub fn new(addresses: Vec<SocketAddr>) -> Option<Destination> {
        (!addresses.is_empty()).then_some(Destination { addresses })
    }

    /// The addresses in preference order.
    pub fn addresses(&self) -> &[SocketAddr] {
        &self.addresses
    }
}

impl From<SocketAddr> for Destination {
    fn from(addr: SocketAddr) -> Self {
        Destination {
            addresses: vec![addr],
        }
    }
}

/// Identifies a command received from a peer, to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IncomingId {
    /// The peer's canonical address (its transaction id space).
    pub peer: SocketAddr,
    /// The command's transaction id.
    pub transaction_id: TransactionId,
}

/// What a datagram brought that the application must see.
#[derive(Debug)]
pub enum Delivery<'a> {
    /// A new command: execute it and answer with [`Engine::respond`].
    Command {
        /// The handle to answer with.
        id: IncomingId,
        /// Where it came from (the answer goes there).
        from: SocketAddr,
        /// The command.
        command: Command<'a>,
    },
    /// The final response to one of our commands (its first copy).
    Response {
        /// The transaction id [`Engine::send_command`] returned.
        transaction_id: TransactionId,
        /// Where it came from.
        from: SocketAddr,
        /// The response.
        response: Response<'a>,
        /// Time from the first transmission of the command.
        elapsed: Duration,
    },
    /// A provisional response (100, 101) to one of our commands.
    Provisional {
        /// The transaction id.
        transaction_id: TransactionId,
        /// The response.
        response: Response<'a>,
    },
    /// A message that did not parse. When it was a command with a readable
    /// transaction id, the engine has answered it with the error's code.
    Malformed {
        /// Where it came from.
        from: SocketAddr,
        /// The error.
        error: ParseError,
    },
}

/// Something that happened on a timer, for the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// One of our commands got no final response: T-MAX passed or Max2
    /// retransmissions went unanswered on the last address.
    TimedOut {
        /// The command's transaction id.
        transaction_id: TransactionId,
        /// Its verb.
        verb: Verb,
        /// The addresses it was sent to.
        destination: Destination,
    },
    /// Max1 retransmissions to this address went unanswered (RFC 3435
    /// §4.3 "suspicion threshold"): a good moment to re-resolve the peer.
    Suspect {
        /// The silent address.
        address: SocketAddr,
    },
    /// Retransmissions moved on to the peer's next address.
    Failover {
        /// The address given up.
        from: SocketAddr,
        /// The address tried next.
        to: SocketAddr,
    },
    /// Every address of a peer failed: the gateway runs its disconnected
    /// procedure, the call agent its failover.
    Unreachable {
        /// The peer's addresses.
        destination: Destination,
    },
    /// The engine answered a command with 406 because the application did
    /// not answer within `execution_timeout`.
    ExecutionTimedOut {
        /// The command.
        id: IncomingId,
    },
}

/// Why [`Engine::send_command`] refused a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Too many commands are outstanding (`pending_limit`).
    Overloaded,
    /// One of our outstanding commands already uses this transaction id.
    IdInUse,
    /// The encoded command exceeds the peer's datagram size.
    TooLarge {
        /// The encoded size.
        size: usize,
        /// The limit.
        limit: usize,
    },
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Overloaded => f.write_str("too many outstanding commands"),
            SendError::IdInUse => f.write_str("transaction id already in use"),
            SendError::TooLarge { size, limit } => {
                write!(
                    f,
                    "command of {size} bytes exceeds the peer's limit of {limit}"
                )
            }
        }
    }
}

impl std::error::Error for SendError {}

/// Why [`Engine::respond`] refused a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RespondError {
    /// No command with this id is waiting for an answer (never received,
    /// already answered, or forgotten after T-HIST).
    NotExecuting,
}

impl std::fmt::Display for RespondError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no command with this id is waiting for an answer")
    }
}

impl std::error::Error for RespondError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Retransmit(TransactionId),
    FinalRetransmit(IncomingId),
    Execution(IncomingId),
}

#[derive(Debug)]
enum InState {
    Executing,
    Responded {
        bytes: Vec<u8>,
        awaiting_ack: Option<FinalRetransmission>,
    },
    Confirmed,
}

#[derive(Debug, Clone, Copy)]
struct FinalRetransmission {
    sends: u32,
    t_delay: Duration,
}

#[derive(Debug)]
struct Incoming {
    source: SocketAddr,
    fingerprint: u64,
    state: InState,
    provisional_sent: bool,
    queued: bool,
    received: Instant,
    deadline: Option<Instant>,
    expires: Option<Instant>,
}

#[derive(Debug)]
struct Outgoing {
    verb: Verb,
    destination: Destination,
    index: usize,
    bytes: Vec<u8>,
    first_sent: Instant,
    retransmitted: bool,
    retransmissions_here: u32,
    suspected: bool,
    t_delay: Duration,
    deadline: Instant,
    provisional_at: Option<Instant>,
}

/// The sans-IO transaction engine of RFC 3435 §3.5.
///
/// Feed it datagrams with [`Engine::receive`] and time with
/// [`Engine::handle_timeout`]; give it commands to send with
/// [`Engine::send_command`] and answers with [`Engine::respond`]. After
/// every call, drain [`Engine::poll_transmit`] and [`Engine::poll_event`],
/// then sleep until [`Engine::poll_timeout`].
#[derive(Debug)]
pub struct Engine {
    config: Config,
    parse_options: Arc<ParseOptions>,
    rng: fastrand::Rng,
    next_tid: u32,
    incoming: HashMap<IncomingId, Incoming>,
    history_expiry: VecDeque<(Instant, IncomingId)>,
    executions: VecDeque<(Instant, IncomingId)>,
    outgoing: HashMap<TransactionId, Outgoing>,
    completed: HashMap<TransactionId, bool>,
    completed_expiry: VecDeque<(Instant, TransactionId)>,
    estimators: HashMap<SocketAddr, Estimator>,
    preferred: HashMap<SocketAddr, usize>,
    to_confirm: HashMap<SocketAddr, Vec<TransactionId>>,
    peer_limits: HashMap<SocketAddr, usize>,
    timers: BinaryHeap<Reverse<(Instant, Timer)>>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    counters: Counters,
}

/// Most transaction ids remembered per peer for the next `K:`.
const MAX_TO_CONFIRM: usize = 64;

impl Engine {
    /// An engine with `config`; `seed` drives transaction id allocation and
    /// timer jitter, so runs with the same seed replay identically.
    pub fn new(config: Config, seed: u64) -> Engine {
        let mut rng = fastrand::Rng::with_seed(seed);
        let next_tid = rng.u32(1..=TransactionId::MAX / 2);
        Engine {
            config,
            parse_options: Arc::new(ParseOptions::lenient()),
            rng,
            next_tid,
            incoming: HashMap::new(),
            history_expiry: VecDeque::new(),
            executions: VecDeque::new(),
            outgoing: HashMap::new(),
            completed: HashMap::new(),
            completed_expiry: VecDeque::new(),
            estimators: HashMap::new(),
            preferred: HashMap::new(),
            to_confirm: HashMap::new(),
            peer_limits: HashMap::new(),
            timers: BinaryHeap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            counters: Counters::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the parser settings (lenient by default).
    pub fn set_parse_options(&mut self, options: ParseOptions) {
        self.parse_options = Arc::new(options);
    }

    /// The counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// How many commands we sent are still waiting for a final response.
    pub fn outstanding(&self) -> usize {
        self.outgoing.len()
    }

    /// How many received transactions are remembered (executing or in
    /// history).
    pub fn remembered(&self) -> usize {
        self.incoming.len()
    }

    /// Sets the largest datagram `peer` accepts (learned from `MD:` in an
    /// audit response).
    pub fn set_max_datagram(&mut self, peer: SocketAddr, size: usize) {
        self.peer_limits.insert(peer, size);
    }

    /// The largest datagram `peer` accepts: what [`Engine::set_max_datagram`]
    /// set, else [`Config::max_datagram`]. Responses larger than this are
    /// replaced by 533.
    pub fn max_datagram(&self, peer: SocketAddr) -> usize {
        self.limit(peer)
    }

    fn limit(&self, peer: SocketAddr) -> usize {
        self.peer_limits
            .get(&peer)
            .copied()
            .unwrap_or(self.config.max_datagram)
    }

    fn namespace(&self, addr: SocketAddr) -> SocketAddr {
        self.config.same_peer.get(&addr).copied().unwrap_or(addr)
    }

    // ---- input -------------------------------------------------------

    /// Handles one received datagram: splits piggybacked messages and
    /// processes each in order. Returns what the application must act on;
    /// retransmitted commands, acknowledgements and duplicates are handled
    /// here and never reach it.
    pub fn receive<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        datagram: &'a [u8],
    ) -> Vec<Delivery<'a>> {
        self.counters.datagrams_received += 1;
        let mut out = Vec::new();
        let opts = Arc::clone(&self.parse_options);
        for result in parse_datagram(datagram, &opts) {
            let delivery = match result {
                Ok(Message::Command(command)) => self.on_command(now, from, command),
                Ok(Message::Response(response)) => self.on_response(now, from, response),
                Err(error) => Some(self.on_malformed(now, from, error)),
            };
            out.extend(delivery);
        }
        self.prune_timers();
        out
    }

    fn on_malformed<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        error: ParseError,
    ) -> Delivery<'a> {
        self.counters.malformed_received += 1;
        if let (true, Some(tid)) = (error.is_answerable(), error.transaction_id) {
            let id = IncomingId {
                peer: self.namespace(from),
                transaction_id: tid,
            };
            let commentary = commentary(&error);
            if !self.incoming.contains_key(&id) {
                self.insert_executing(now, id, from, 0);
                let response =
                    Response::new(error.return_code(), tid).with_commentary(Some(&commentary));
                self.finish(now, id, response);
            } else {
                self.on_duplicate(now, id, from);
            }
        }
        Delivery::Malformed { from, error }
    }

    fn on_command<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        command: Command<'a>,
    ) -> Option<Delivery<'a>> {
        let id = IncomingId {
            peer: self.namespace(from),
            transaction_id: command.transaction_id,
        };
        if let Some(ack) = command.params.response_ack() {
            self.confirm(id.peer, ack);
        }
        let fingerprint = fingerprint(&command);
        if let Some(entry) = self.incoming.get(&id) {
            if entry.fingerprint == fingerprint || entry.fingerprint == 0 {
                self.on_duplicate(now, id, from);
                return None;
            }
            self.counters.reused_ids += 1;
            self.incoming.remove(&id);
        }
        if self.incoming.len() >= self.config.history_limit && !self.evict_oldest_answered() {
            self.counters.overload_rejections += 1;
            let response = Response::new(ReturnCode::OVERLOAD, id.transaction_id);
            self.queue_message(from, &Message::Response(response));
            return None;
        }
        self.counters.commands_received.add(command.verb);
        self.insert_executing(now, id, from, fingerprint);
        Some(Delivery::Command { id, from, command })
    }

    /// Makes room in a full history by forgetting the oldest answered
    /// transaction before its T-HIST is up (counted). A retransmission that
    /// late is far less likely than the harm of refusing new commands;
    /// only when every remembered command is still executing is the new
    /// one refused with 409.
    fn evict_oldest_answered(&mut self) -> bool {
        while let Some((at, id)) = self.history_expiry.pop_front() {
            if self
                .incoming
                .get(&id)
                .is_some_and(|e| e.expires == Some(at))
            {
                self.incoming.remove(&id);
                self.counters.history_evictions += 1;
                return true;
            }
        }
        false
    }

    fn insert_executing(
        &mut self,
        now: Instant,
        id: IncomingId,
        from: SocketAddr,
        fingerprint: u64,
    ) {
        let first = match self.config.auto_provisional {
            Some(after) if after < self.config.execution_timeout => now + after,
            _ => now + self.config.execution_timeout,
        };
        self.incoming.insert(
            id,
            Incoming {
                source: from,
                fingerprint,
                state: InState::Executing,
                provisional_sent: false,
                queued: false,
                received: now,
                deadline: Some(first),
                expires: None,
            },
        );
        if self.config.auto_provisional.is_some() {
            self.timers.push(Reverse((first, Timer::Execution(id))));
        } else {
            // Deadlines are `now + constant`, so a queue keeps them sorted
            // at O(1) per command.
            self.executions.push_back((first, id));
        }
    }

    /// A retransmitted command (RFC 3435 §3.5.1, §3.5.6).
    fn on_duplicate(&mut self, now: Instant, id: IncomingId, from: SocketAddr) {
        self.counters.duplicates_received += 1;
        let Some(entry) = self.incoming.get_mut(&id) else {
            return;
        };
        entry.source = from;
        match &entry.state {
            InState::Executing => {
                let code = if entry.queued {
                    ReturnCode::QUEUED
                } else {
                    ReturnCode::EXECUTING
                };
                entry.provisional_sent = true;
                self.send_provisional(id.transaction_id, from, code);
            }
            InState::Responded { bytes, .. } => {
                self.counters.answered_from_history += 1;
                let bytes = bytes.clone();
                self.transmits.push_back(Transmit {
                    destination: from,
                    contents: bytes,
                });
            }
            InState::Confirmed => self.counters.duplicates_discarded += 1,
        }
        let _ = now;
    }

    /// Applies a `K:` received from `peer`: those responses were received,
    /// so their copies can go (RFC 3435 §3.2.2.19).
    fn confirm(&mut self, peer: SocketAddr, ack: ResponseAck<'_>) {
        for (first, last) in ack.ranges() {
            let span = last.value() - first.value();
            if span > 10_000 {
                // A huge range would cost a long loop; walk the table instead.
                let hits: Vec<IncomingId> = self
                    .incoming
                    .keys()
                    .filter(|k| {
                        k.peer == peer && first <= k.transaction_id && k.transaction_id <= last
                    })
                    .copied()
                    .collect();
                hits.into_iter().for_each(|k| self.confirm_one(k));
            } else {
                for v in first.value()..=last.value() {
                    if let Some(tid) = TransactionId::new(v) {
                        self.confirm_one(IncomingId {
                            peer,
                            transaction_id: tid,
                        });
                    }
                }
            }
        }
    }

    fn confirm_one(&mut self, id: IncomingId) {
        if let Some(entry) = self.incoming.get_mut(&id)
            && matches!(entry.state, InState::Responded { .. })
        {
            entry.state = InState::Confirmed;
            self.counters.confirmed_by_response_ack += 1;
        }
    }

    fn on_response<'a>(
        &mut self,
        now: Instant,
        from: SocketAddr,
        response: Response<'a>,
    ) -> Option<Delivery<'a>> {
        let tid = response.transaction_id;
        if response.code == ReturnCode::ACK {
            self.on_ack(from, tid);
            return None;
        }
        if response.code.is_provisional() {
            return self.on_provisional(now, response);
        }
        let Some(out) = self.outgoing.remove(&tid) else {
            match self.completed.get(&tid) {
                Some(&wants_ack) => {
                    if wants_ack {
                        self.send_ack(from, tid);
                    }
                }
                None => self.counters.stray_responses += 1,
            }
            return None;
        };
        self.counters.responses_received.add(response.code);
        let elapsed = now.saturating_duration_since(out.first_sent);
        if !out.retransmitted && out.provisional_at.is_none() {
            self.estimators
                .entry(out.destination.addresses[out.index])
                .or_default()
                .sample(elapsed);
        }
        if out.index != 0 {
            self.preferred
                .insert(out.destination.addresses[0], out.index);
        }
        let wants_ack = response.params.contains(ParamName::ResponseAck);
        if wants_ack {
            self.send_ack(from, tid);
        }
        self.completed.insert(tid, wants_ack);
        self.completed_expiry
            .push_back((now + self.config.t_hist, tid));
        if self.config.send_response_acks {
            let list = self
                .to_confirm
                .entry(self.namespace(out.destination.addresses[0]))
                .or_default();
            if list.len() < MAX_TO_CONFIRM {
                list.push(tid);
            }
        }
        Some(Delivery::Response {
            transaction_id: tid,
            from,
            response,
            elapsed,
        })
    }

    fn on_provisional<'a>(&mut self, now: Instant, response: Response<'a>) -> Option<Delivery<'a>> {
        let tid = response.transaction_id;
        let Some(out) = self.outgoing.get_mut(&tid) else {
            self.counters.stray_responses += 1;
            return None;
        };
        self.counters.provisionals_received += 1;
        let first = out.provisional_at.is_none();
        if first && !out.retransmitted {
            let delay = now.saturating_duration_since(out.first_sent);
            self.estimators
                .entry(out.destination.addresses[out.index])
                .or_default()
                .sample(delay);
        }
        out.provisional_at = Some(now);
        out.deadline = now + self.config.longtran;
        self.timers
            .push(Reverse((out.deadline, Timer::Retransmit(tid))));
        if first {
            self.counters.responses_received.add(response.code);
            Some(Delivery::Provisional {
                transaction_id: tid,
                response,
            })
        } else {
            None
        }
    }

    fn on_ack(&mut self, from: SocketAddr, tid: TransactionId) {
        self.counters.acks_received += 1;
        let id = IncomingId {
            peer: self.namespace(from),
            transaction_id: tid,
        };
        if let Some(entry) = self.incoming.get_mut(&id)
            && let InState::Responded { awaiting_ack, .. } = &mut entry.state
        {
            *awaiting_ack = None;
        }
    }

    // ---- application commands ----------------------------------------

    /// Sends a command: allocates its transaction id (the one in `command`
    /// is replaced), adds `K:` for responses received from this peer,
    /// and retransmits it until a final response, T-MAX or Max2.
    pub fn send_command(
        &mut self,
        now: Instant,
        destination: &Destination,
        command: Command<'_>,
    ) -> Result<TransactionId, SendError> {
        if self.outgoing.len() >= self.config.pending_limit {
            return Err(SendError::Overloaded);
        }
        let tid = self.allocate_tid();
        self.send_with_id(now, destination, command, tid)
    }

    /// Sends a command keeping the transaction id it carries (tools such as
    /// `mgcp send` let the user choose it). Fails with
    /// [`SendError::IdInUse`] when one of our commands already uses it.
    pub fn send_command_keeping_id(
        &mut self,
        now: Instant,
        destination: &Destination,
        command: Command<'_>,
    ) -> Result<TransactionId, SendError> {
        let tid = command.transaction_id;
        if self.outgoing.contains_key(&tid) {
            return Err(SendError::IdInUse);
        }
        if self.outgoing.len() >= self.config.pending_limit {
            return Err(SendError::Overloaded);
        }
        self.send_with_id(now, destination, command, tid)
    }

    fn send_with_id(
        &mut self,
        now: Instant,
        destination: &Destination,
        mut command: Command<'_>,
        tid: TransactionId,
    ) -> Result<TransactionId, SendError> {
        command.transaction_id = tid;
        let canonical = self.namespace(destination.addresses[0]);
        let ranges = self.take_confirmations(canonical, &command);
        let mut command = command;
        if let Some(text) = &ranges
            && let Ok(ack) = ResponseAck::parse(text)
        {
            command.params.push(Param::ResponseAck(ack));
        }
        let bytes = Message::Command(command.clone()).to_bytes();
        let index = self
            .preferred
            .get(&destination.addresses[0])
            .copied()
            .filter(|&i| i < destination.addresses.len())
            .unwrap_or(0);
        let address = destination.addresses[index];
        let limit = self.limit(address);
        if bytes.len() > limit {
            return Err(SendError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        let (rto, t_delay) = self
            .estimators
            .get(&address)
            .copied()
            .unwrap_or_default()
            .initial(&self.config);
        self.counters.commands_sent.add(command.verb);
        self.transmits.push_back(Transmit {
            destination: address,
            contents: bytes.clone(),
        });
        let deadline = now + rto;
        self.outgoing.insert(
            tid,
            Outgoing {
                verb: command.verb,
                destination: destination.clone(),
                index,
                bytes,
                first_sent: now,
                retransmitted: false,
                retransmissions_here: 0,
                suspected: false,
                t_delay,
                deadline,
                provisional_at: None,
            },
        );
        self.timers
            .push(Reverse((deadline, Timer::Retransmit(tid))));
        self.prune_timers();
        Ok(tid)
    }

    fn allocate_tid(&mut self) -> TransactionId {
        loop {
            let candidate = TransactionId::new(self.next_tid).unwrap_or(TransactionId::ZERO.next());
            self.next_tid = candidate.next().value();
            if !self.outgoing.contains_key(&candidate) && !self.completed.contains_key(&candidate) {
                return candidate;
            }
        }
    }

    /// The `K:` value confirming responses received from `peer`, unless the
    /// application already put one in the command.
    fn take_confirmations(&mut self, peer: SocketAddr, command: &Command<'_>) -> Option<String> {
        if !self.config.send_response_acks || command.params.contains(ParamName::ResponseAck) {
            return None;
        }
        let mut ids = self.to_confirm.remove(&peer)?;
        ids.sort_unstable();
        ids.dedup();
        let mut text = String::new();
        response_ack::write_ranges(&mut text, &ids).ok()?;
        Some(text)
    }

    /// Answers a received command with its final response (the
    /// transaction id is set from `id`). A provisional code sends a
    /// provisional response instead, as [`Engine::provisional`] does.
    pub fn respond(
        &mut self,
        now: Instant,
        id: IncomingId,
        mut response: Response<'_>,
    ) -> Result<(), RespondError> {
        let executing = self
            .incoming
            .get(&id)
            .is_some_and(|e| matches!(e.state, InState::Executing));
        if !executing {
            return Err(RespondError::NotExecuting);
        }
        if response.code.is_provisional() {
            return self.provisional(now, id, response.code == ReturnCode::QUEUED);
        }
        response.transaction_id = id.transaction_id;
        self.finish(now, id, response);
        self.prune_timers();
        Ok(())
    }

    /// Forgets a received command without answering it (a gateway that
    /// ignores unauthorised call agents). A retransmission of it will be
    /// delivered again.
    pub fn discard(&mut self, id: IncomingId) {
        if self
            .incoming
            .get(&id)
            .is_some_and(|e| matches!(e.state, InState::Executing))
        {
            self.incoming.remove(&id);
        }
    }

    /// Sends a provisional response now: 100 "being executed", or 101
    /// "queued" when `queued`. Later duplicates of the command get the same
    /// code, and the final response will ask for a `000` acknowledgement.
    pub fn provisional(
        &mut self,
        _now: Instant,
        id: IncomingId,
        queued: bool,
    ) -> Result<(), RespondError> {
        let Some(entry) = self.incoming.get_mut(&id) else {
            return Err(RespondError::NotExecuting);
        };
        if !matches!(entry.state, InState::Executing) {
            return Err(RespondError::NotExecuting);
        }
        entry.queued = queued;
        entry.provisional_sent = true;
        let to = entry.source;
        let code = if queued {
            ReturnCode::QUEUED
        } else {
            ReturnCode::EXECUTING
        };
        self.send_provisional(id.transaction_id, to, code);
        Ok(())
    }

    /// Stores and sends a final response.
    fn finish(&mut self, now: Instant, id: IncomingId, response: Response<'_>) {
        let code = response.code;
        let bytes = Message::Response(response).to_bytes();
        self.finish_encoded(now, id, code, bytes);
    }

    /// Answers a received command with a final response the application
    /// encoded itself (the first line must be `code tid ...`). Saves a
    /// parse and a copy on busy gateways; otherwise like
    /// [`Engine::respond`].
    pub fn respond_encoded(
        &mut self,
        now: Instant,
        id: IncomingId,
        code: ReturnCode,
        bytes: Vec<u8>,
    ) -> Result<(), RespondError> {
        let executing = self
            .incoming
            .get(&id)
            .is_some_and(|e| matches!(e.state, InState::Executing));
        if !executing || !code.is_final() {
            return Err(RespondError::NotExecuting);
        }
        self.finish_encoded(now, id, code, bytes);
        self.prune_timers();
        Ok(())
    }

    fn finish_encoded(
        &mut self,
        now: Instant,
        id: IncomingId,
        mut code: ReturnCode,
        mut bytes: Vec<u8>,
    ) {
        let Some(entry) = self.incoming.get(&id) else {
            return;
        };
        let (to, provisional_sent) = (entry.source, entry.provisional_sent);
        if provisional_sent {
            insert_empty_response_ack(&mut bytes);
        }
        if bytes.len() > self.limit(to) {
            self.counters.responses_too_large += 1;
            let mut small = Response::new(ReturnCode::RESPONSE_TOO_LARGE, id.transaction_id);
            if provisional_sent {
                small.params.push(Param::ResponseAck(ResponseAck::EMPTY));
            }
            bytes = Message::Response(small).to_bytes();
            code = ReturnCode::RESPONSE_TOO_LARGE;
        }
        self.counters.responses_sent.add(code);
        self.transmits.push_back(Transmit {
            destination: to,
            contents: bytes.clone(),
        });
        let awaiting_ack = provisional_sent.then(|| {
            let (rto, t_delay) = self
                .estimators
                .get(&to)
                .copied()
                .unwrap_or_default()
                .initial(&self.config);
            self.timers
                .push(Reverse((now + rto, Timer::FinalRetransmit(id))));
            (now + rto, FinalRetransmission { sends: 0, t_delay })
        });
        let expires = now + self.config.t_hist;
        if let Some(entry) = self.incoming.get_mut(&id) {
            entry.deadline = awaiting_ack.map(|(at, _)| at);
            entry.expires = Some(expires);
            entry.state = InState::Responded {
                bytes,
                awaiting_ack: awaiting_ack.map(|(_, r)| r),
            };
        }
        self.history_expiry.push_back((expires, id));
    }

    fn send_provisional(&mut self, tid: TransactionId, to: SocketAddr, code: ReturnCode) {
        self.counters.provisionals_sent += 1;
        self.counters.responses_sent.add(code);
        let response = Response::new(code, tid);
        self.queue_message(to, &Message::Response(response));
    }

    fn send_ack(&mut self, to: SocketAddr, tid: TransactionId) {
        self.counters.acks_sent += 1;
        let ack = Response::new(ReturnCode::ACK, tid).with_commentary(None);
        self.queue_message(to, &Message::Response(ack));
    }

    fn queue_message(&mut self, to: SocketAddr, message: &Message<'_>) {
        self.transmits.push_back(Transmit {
            destination: to,
            contents: message.to_bytes(),
        });
    }

    // ---- time ----------------------------------------------------------

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&Reverse((at, timer))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            match timer {
                Timer::Retransmit(tid) => self.on_retransmit_timer(now, at, tid),
                Timer::FinalRetransmit(id) => self.on_final_timer(now, at, id),
                Timer::Execution(id) => self.on_execution_timer(now, at, id),
            }
        }
        while let Some(&(at, id)) = self.executions.front() {
            if at > now {
                break;
            }
            self.executions.pop_front();
            self.on_execution_timer(now, at, id);
        }
        self.expire_history(now);
        self.prune_timers();
    }

    fn expire_history(&mut self, now: Instant) {
        while let Some(&(at, id)) = self.history_expiry.front() {
            if at > now {
                break;
            }
            self.history_expiry.pop_front();
            if self
                .incoming
                .get(&id)
                .is_some_and(|e| e.expires == Some(at))
            {
                self.incoming.remove(&id);
            }
        }
        while let Some(&(at, tid)) = self.completed_expiry.front() {
            if at > now {
                break;
            }
            self.completed_expiry.pop_front();
            if !self.outgoing.contains_key(&tid) {
                self.completed.remove(&tid);
            }
        }
    }

    fn on_retransmit_timer(&mut self, now: Instant, at: Instant, tid: TransactionId) {
        let Some(out) = self.outgoing.get(&tid) else {
            return;
        };
        if out.deadline != at {
            return;
        }
        if let Some(heard) = out.provisional_at {
            if now.saturating_duration_since(heard) >= self.config.t_max {
                self.fail(tid);
            } else {
                self.retransmit(now, tid, self.config.longtran);
            }
            return;
        }
        if now.saturating_duration_since(out.first_sent) >= self.config.t_max {
            self.fail(tid);
            return;
        }
        let here = out.retransmissions_here;
        let address = out.destination.addresses[out.index];
        let has_next = out.index + 1 < out.destination.addresses.len();
        if here >= self.config.max1 && !out.suspected {
            self.events.push_back(Event::Suspect { address });
            if let Some(o) = self.outgoing.get_mut(&tid) {
                o.suspected = true;
            }
        }
        if here >= self.config.max1 && has_next {
            self.counters.failovers += 1;
            if let Some(o) = self.outgoing.get_mut(&tid) {
                o.index += 1;
                o.retransmissions_here = 0;
                o.suspected = false;
                let to = o.destination.addresses[o.index];
                self.events.push_back(Event::Failover { from: address, to });
            }
        } else if here >= self.config.max2 {
            self.fail(tid);
            return;
        }
        let unit = self.rng.f64();
        let Some(out) = self.outgoing.get_mut(&tid) else {
            return;
        };
        let address = out.destination.addresses[out.index];
        let estimator = self.estimators.get(&address).copied().unwrap_or_default();
        let (rto, t_delay) = estimator.backoff(out.t_delay, &self.config, unit);
        out.t_delay = t_delay;
        self.retransmit(now, tid, rto);
    }

    fn retransmit(&mut self, now: Instant, tid: TransactionId, after: Duration) {
        let Some(out) = self.outgoing.get_mut(&tid) else {
            return;
        };
        out.retransmitted = true;
        out.retransmissions_here += 1;
        out.deadline = now + after;
        self.counters.retransmissions_sent += 1;
        self.transmits.push_back(Transmit {
            destination: out.destination.addresses[out.index],
            contents: out.bytes.clone(),
        });
        self.timers
            .push(Reverse((out.deadline, Timer::Retransmit(tid))));
    }

    fn fail(&mut self, tid: TransactionId) {
        let Some(out) = self.outgoing.remove(&tid) else {
            return;
        };
        self.counters.timeouts += 1;
        self.preferred.remove(&out.destination.addresses[0]);
        self.events.push_back(Event::TimedOut {
            transaction_id: tid,
            verb: out.verb,
            destination: out.destination.clone(),
        });
        self.events.push_back(Event::Unreachable {
            destination: out.destination,
        });
    }

    fn on_final_timer(&mut self, now: Instant, at: Instant, id: IncomingId) {
        let unit = self.rng.f64();
        let Some(entry) = self.incoming.get_mut(&id) else {
            return;
        };
        if entry.deadline != Some(at) {
            return;
        }
        let InState::Responded {
            bytes,
            awaiting_ack: Some(retx),
        } = &mut entry.state
        else {
            return;
        };
        if retx.sends >= self.config.max2 {
            entry.state = match std::mem::replace(&mut entry.state, InState::Confirmed) {
                InState::Responded { bytes, .. } => InState::Responded {
                    bytes,
                    awaiting_ack: None,
                },
                other => other,
            };
            entry.deadline = None;
            return;
        }
        retx.sends += 1;
        let estimator = self
            .estimators
            .get(&entry.source)
            .copied()
            .unwrap_or_default();
        let (rto, t_delay) = estimator.backoff(retx.t_delay, &self.config, unit);
        retx.t_delay = t_delay;
        entry.deadline = Some(now + rto);
        self.counters.response_retransmissions_sent += 1;
        self.transmits.push_back(Transmit {
            destination: entry.source,
            contents: bytes.clone(),
        });
        self.timers
            .push(Reverse((now + rto, Timer::FinalRetransmit(id))));
    }

    fn on_execution_timer(&mut self, now: Instant, at: Instant, id: IncomingId) {
        let Some(entry) = self.incoming.get_mut(&id) else {
            return;
        };
        if entry.deadline != Some(at) || !matches!(entry.state, InState::Executing) {
            return;
        }
        let timeout_at = entry.received + self.config.execution_timeout;
        if now < timeout_at {
            // The auto-provisional timer.
            let (to, queued) = (entry.source, entry.queued);
            entry.provisional_sent = true;
            entry.deadline = Some(timeout_at);
            self.timers
                .push(Reverse((timeout_at, Timer::Execution(id))));
            let code = if queued {
                ReturnCode::QUEUED
            } else {
                ReturnCode::EXECUTING
            };
            self.send_provisional(id.transaction_id, to, code);
            return;
        }
        self.counters.execution_timeouts += 1;
        self.events.push_back(Event::ExecutionTimedOut { id });
        let response = Response::new(ReturnCode::TRANSACTION_TIMEOUT, id.transaction_id);
        self.finish(now, id, response);
    }

    // ---- output --------------------------------------------------------

    /// The next datagram to send. With [`Config::piggyback`], messages
    /// queued for the same address one after the other share a datagram
    /// (RFC 3435 §3.5.5) as long as the peer's datagram size allows.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let mut first = self.transmits.pop_front()?;
        let limit = self.limit(first.destination);
        let mut joined = 0;
        while let Some(next) = self.transmits.front().filter(|_| self.config.piggyback) {
            if next.destination != first.destination
                || joined_size(first.contents.len(), next.contents.len()) > limit
            {
                break;
            }
            let Some(next) = self.transmits.pop_front() else {
                break;
            };
            first.contents.extend_from_slice(b".\r\n");
            first.contents.extend_from_slice(&next.contents);
            joined += 1;
        }
        self.counters.datagrams_sent += 1;
        if joined > 0 {
            self.counters.piggybacked_sent += joined + 1;
        }
        Some(first)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Drops timers whose transaction finished or moved its deadline, so
    /// that [`Engine::poll_timeout`] never reports a stale wake-up.
    fn prune_timers(&mut self) {
        while let Some(&Reverse((at, timer))) = self.timers.peek() {
            let live = match timer {
                Timer::Retransmit(tid) => self.outgoing.get(&tid).is_some_and(|o| o.deadline == at),
                Timer::FinalRetransmit(id) | Timer::Execution(id) => self
                    .incoming
                    .get(&id)
                    .is_some_and(|e| e.deadline == Some(at)),
            };
            if live {
                break;
            }
            self.timers.pop();
        }
    }

    /// When [`Engine::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let timer = self.timers.peek().map(|Reverse((at, _))| *at);
        let history = self.history_expiry.front().map(|(at, _)| *at);
        let completed = self.completed_expiry.front().map(|(at, _)| *at);
        let execution = self.executions.front().map(|(at, _)| *at);
        [timer, history, completed, execution]
            .into_iter()
            .flatten()
            .min()
    }
}

/// Adds an empty `K:` line after the response line (RFC 3435 §3.3: a
/// final response after a provisional one asks for a `000`), unless the
/// response already has one.
fn insert_empty_response_ack(bytes: &mut Vec<u8>) {
    let has_k = bytes
        .split(|&b| b == b'\n')
        .skip(1)
        .take_while(|l| !l.is_empty() && *l != b"\r")
        .any(|l| l.len() >= 2 && (l[0] == b'K' || l[0] == b'k') && l[1] == b':');
    if has_k {
        return;
    }
    let Some(first_eol) = bytes.iter().position(|&b| b == b'\n') else {
        bytes.extend_from_slice(b"\r\nK:\r\n");
        return;
    };
    let at = first_eol + 1;
    bytes.splice(at..at, b"K:\r\n".iter().copied());
}

/// A cheap hash of verb and endpoint (case-insensitive), to tell a
/// retransmission from a different command that reused the id.
fn fingerprint(command: &Command<'_>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |b: u8| {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    command.verb.as_str().bytes().for_each(&mut feed);
    command.endpoint.local_name().bytes().for_each(&mut feed);
    h | 1
}

/// A one-line commentary for an error response: printable ASCII only.
fn commentary(error: &ParseError) -> String {
    let text = error.kind.to_string();
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect()
}
