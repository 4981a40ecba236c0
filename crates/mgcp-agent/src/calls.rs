//! Call control: what each Notify means for a line, the notification
//! request that goes with each line state, and the connection commands of
//! a call.
//!
//! The flow line to line (RFC 3435 §2.3, RFC 2705 §2.1.3):
//!
//! ```text
//! caller            agent                       callee
//!   NTFY L/hd  ->
//!             <-  RQNT R: L/hu, L/hf, D/[0-9#*T](D)  S: L/dl  D: <digit map>
//!   NTFY D/1,D/0,D/0,D/2 ->
//!             <-  RQNT R: L/hu, L/hf                (dial tone off)
//!             <-  CRCX M: recvonly                  (1: the caller's SDP)
//!                   CRCX M: recvonly + caller SDP ->  (2: the callee's SDP)
//!                   RQNT R: L/hd  S: L/rg ->
//!             <-  MDCX + callee SDP                 (3)
//!             <-  RQNT R: L/hu  S: G/rt             (ringback)
//!                                      <- NTFY L/hd  (answer)
//!             <-  MDCX M: sendrecv   MDCX M: sendrecv ->
//!   NTFY L/hu ->  (either side)
//!             <-  DLCX               DLCX ->         (250 + P: statistics)
//!             <-  RQNT R: L/hd       RQNT R: L/hu S: L/ro ->
//! ```
//!
//! Every line state has one notification request (`Agent::arm`); after a
//! Notify the line is re-armed, which also ends the gateway's lockstep.
//! A request answered 401 (already off hook) or 402 (already on hook)
//! tells the agent the hook state it missed, and is handled as that event.

use std::time::{Duration, Instant};

use mgcp_proto::event::EventId;
use mgcp_proto::{Command, ReturnCode};
use mgcp_txn::IncomingId;

use crate::agent::{
    Agent, AgentEvent, Call, CallState, GatewayState, Leg, LineKind, Pending, Phase, Timer,
};
use crate::dial_plan::Destination;
use crate::store::Cdr;

impl Agent {
    // ---- Notify ----------------------------------------------------------------

    /// NTFY (RFC 3435 §2.3.2).
    pub(crate) fn on_notify(
        &mut self,
        now: Instant,
        id: IncomingId,
        from: std::net::SocketAddr,
        cmd: &Command<'_>,
    ) {
        self.counters.notifies += 1;
        let mut key = std::mem::take(&mut self.scratch);
        key.clear();
        key.push_str(cmd.endpoint.local_name());
        key.push('@');
        key.push_str(&cmd.endpoint.domain().to_string());
        let found = self.line_index(&key);
        self.scratch = key;
        let Some(l) = found else {
            self.counters.refused += 1;
            self.respond(now, id, ReturnCode::UNKNOWN_ENDPOINT, "");
            return;
        };
        let g = self.lines[l].gateway;
        let x = cmd.params.request_id().unwrap_or("");
        let value = u64::from_str_radix(x, 16).ok();
        let line = &self.lines[l];
        let current = line.request_id != 0 && value == Some(line.request_id);
        let known = current
            || x == "0"
            || (line.previous_request != 0 && value == Some(line.previous_request));
        let stranger = self.gateways[g].state != GatewayState::InService || line.request_id == 0;
        if stranger {
            // A gateway we do not know the state of (our own restart, a
            // fail-over to us): learn it by auditing, then act.
            let new_gateway = self.gateways[g].state != GatewayState::InService;
            self.heard_from(now, g, from);
            self.respond(now, id, ReturnCode::OK, "");
            if new_gateway {
                self.take_over(now, g);
            } else {
                self.queue_audit(l);
                self.pump_audits(now, g);
            }
            return;
        }
        if !known {
            self.counters.refused += 1;
            self.respond(now, id, ReturnCode::BAD_PARAMETER, "");
            return;
        }
        self.heard_from(now, g, from);
        self.respond(now, id, ReturnCode::OK, "");
        let before = self.lines[l].request_id;
        let mut digits = String::new();
        if let Some(observed) = cmd.params.observed_events() {
            for e in observed.iter() {
                let EventId::Name(name) = e.name.event else {
                    continue;
                };
                let package = e.name.package_name().unwrap_or("L");
                self.observed(now, l, package, name, current, &mut digits);
            }
        }
        if !digits.is_empty() && self.lines[l].phase == Phase::Dialling {
            self.dialled(now, l, &digits);
        }
        if self.lines[l].request_id == before {
            // Re-arm: a Notify leaves the endpoint in lockstep until the
            // next request (RFC 3435 §4.4.1).
            self.arm(now, l);
        }
    }

    fn observed(
        &mut self,
        now: Instant,
        l: usize,
        package: &str,
        name: &str,
        current: bool,
        digits: &mut String,
    ) {
        if package.eq_ignore_ascii_case("L") {
            if name.eq_ignore_ascii_case("hd") {
                self.hook(now, l, true);
            } else if name.eq_ignore_ascii_case("hu") {
                self.hook(now, l, false);
            } else if name.eq_ignore_ascii_case("hf") && current {
                self.flash(now, l);
            }
        } else if package.eq_ignore_ascii_case("D") && current {
            digits.push_str(name);
        }
    }

    /// A hook transition, reported or deduced from a 401/402.
    pub(crate) fn hook(&mut self, now: Instant, l: usize, off: bool) {
        self.lines[l].off_hook = off;
        match (off, self.lines[l].phase) {
            (true, Phase::Idle) => {
                self.lines[l].phase = Phase::Dialling;
                self.arm(now, l);
            }
            (true, Phase::Call) => {
                let ringing = self.lines[l]
                    .call
                    .and_then(|id| self.calls.get(&id))
                    .filter(|c| c.callee == l && c.state == CallState::Alerting && !c.waiting)
                    .filter(|c| c.legs[1].conn.is_some())
                    .map(|c| c.id);
                if let Some(id) = ringing {
                    self.answer(now, id);
                }
            }
            (false, Phase::Dialling) => {
                self.counters.abandoned += 1;
                self.lines[l].phase = Phase::Idle;
                self.arm(now, l);
            }
            (false, Phase::Tone(_)) => {
                self.lines[l].phase = Phase::Idle;
                self.arm(now, l);
            }
            (false, Phase::Call) => self.hang_up(now, l),
            _ => {}
        }
    }

    // ---- notification requests ----------------------------------------------

    /// Sends the notification request that goes with line `l`'s state.
    pub(crate) fn arm(&mut self, now: Instant, l: usize) {
        let line = &self.lines[l];
        if line.kind == LineKind::Trunk {
            return;
        }
        let (events, signal, map) = match line.phase {
            Phase::Unknown | Phase::OutOfService => return,
            Phase::Idle => ("L/hd(N)", "", false),
            Phase::Dialling => ("L/hu(N), L/hf(N), D/[0-9#*T](D)", "L/dl", true),
            Phase::Tone("bz") => ("L/hu(N)", "L/bz", false),
            Phase::Tone(_) => ("L/hu(N)", "L/ro", false),
            Phase::Call => self.call_request(l),
        };
        let request = self.fresh_request();
        let ne = self.notified_entity_line();
        let line = &mut self.lines[l];
        line.previous_request = line.request_id;
        line.request_id = request;
        let mut text = format!(
            "RQNT 1 {} MGCP 1.0\r\n{ne}X: {request:X}\r\nR: {events}\r\n",
            line.name,
        );
        if !signal.is_empty() {
            text.push_str(&format!("S: {signal}\r\n"));
        }
        if map {
            text.push_str(&format!("D: {}\r\n", self.plan.digit_map()));
        }
        let g = self.lines[l].gateway;
        self.send(now, g, &text, Pending::Rqnt { line: l, request });
    }

    fn call_request(&self, l: usize) -> (&'static str, &'static str, bool) {
        let line = &self.lines[l];
        let call = line.call.and_then(|id| self.calls.get(&id));
        let waiting = line
            .other
            .and_then(|id| self.calls.get(&id))
            .is_some_and(|c| c.waiting && c.state == CallState::Alerting);
        match call {
            Some(c) if c.callee == l && c.state == CallState::Alerting && !c.waiting => {
                ("L/hd(N)", "L/rg", false)
            }
            Some(c)
                if c.caller == l && c.state == CallState::Alerting && c.ringing_at.is_some() =>
            {
                ("L/hu(N), L/hf(N)", "G/rt", false)
            }
            _ if waiting => ("L/hu(N), L/hf(N)", "L/wt", false),
            _ => ("L/hu(N), L/hf(N)", "", false),
        }
    }

    /// The response to a notification request.
    pub(crate) fn rqnt_answered(&mut self, now: Instant, l: usize, request: u64, code: ReturnCode) {
        if request != self.lines[l].request_id {
            return;
        }
        match code {
            ReturnCode::ALREADY_OFF_HOOK => self.hook(now, l, true),
            ReturnCode::ALREADY_ON_HOOK => self.hook(now, l, false),
            ReturnCode::UNKNOWN_ENDPOINT => self.lines[l].phase = Phase::OutOfService,
            _ => {}
        }
    }

    /// A line without a call settles: idle on hook, dial tone (or, after a
    /// call, reorder) off hook.
    pub(crate) fn settle_line(&mut self, now: Instant, l: usize, after_call: bool) {
        let g = self.lines[l].gateway;
        let line = &mut self.lines[l];
        line.phase = if self.gateways[g].state == GatewayState::Unreachable {
            Phase::OutOfService
        } else if line.kind == LineKind::Trunk || !line.off_hook {
            Phase::Idle
        } else if after_call {
            Phase::Tone("ro")
        } else {
            Phase::Dialling
        };
        self.arm(now, l);
    }

    fn tone(&mut self, now: Instant, l: usize, tone: &'static str) {
        self.lines[l].phase = if self.lines[l].kind == LineKind::Trunk {
            Phase::Idle
        } else {
            Phase::Tone(tone)
        };
        self.arm(now, l);
    }

    // ---- set-up ----------------------------------------------------------------

    /// Digits collected against the digit map.
    pub(crate) fn dialled(&mut self, now: Instant, l: usize, digits: &str) {
        match self.plan.lookup(digits) {
            Destination::Number(i) => match self.directory.get(i).copied().flatten() {
                Some(t) => self.start_call(now, l, t, digits),
                None => self.unknown_number(now, l, digits),
            },
            Destination::Trunk { group, .. } => {
                let free = self.groups[group]
                    .iter()
                    .copied()
                    .find(|&t| self.available(t));
                match free {
                    Some(t) => self.start_call(now, l, t, digits),
                    None => self.busy(now, l, None, digits),
                }
            }
            Destination::Unknown => self.unknown_number(now, l, digits),
        }
    }

    fn available(&self, t: usize) -> bool {
        let line = &self.lines[t];
        line.phase == Phase::Idle
            && !line.draining
            && self.gateways[line.gateway].state == GatewayState::InService
    }

    fn unknown_number(&mut self, now: Instant, l: usize, digits: &str) {
        self.counters.unknown_numbers += 1;
        let cdr = self.cdr_without_call(l, None, digits, "unknown-number");
        self.end_record(cdr);
        self.tone(now, l, "ro");
    }

    fn busy(&mut self, now: Instant, l: usize, callee: Option<usize>, digits: &str) {
        self.counters.busy += 1;
        let cdr = self.cdr_without_call(l, callee, digits, "busy");
        self.end_record(cdr);
        self.tone(now, l, "bz");
    }

    /// Can the busy line `t` take a second call (call waiting)?
    fn can_wait(&self, t: usize) -> bool {
        let line = &self.lines[t];
        line.kind == LineKind::Line
            && line.call_waiting
            && line.phase == Phase::Call
            && line.other.is_none()
            && line
                .call
                .and_then(|id| self.calls.get(&id))
                .is_some_and(|c| c.state == CallState::Active)
    }

    fn start_call(&mut self, now: Instant, l: usize, t: usize, digits: &str) {
        let waiting = !self.available(t) && t != l && self.can_wait(t);
        if t == l || (!self.available(t) && !waiting) {
            self.busy(now, l, Some(t), digits);
            return;
        }
        let id = self.fresh_call_id();
        self.counters.calls_attempted += 1;
        let call = Call {
            id,
            caller: l,
            callee: t,
            state: CallState::Creating,
            dialled: digits.to_string(),
            waiting,
            legs: [Leg::default(), Leg::default()],
            dialled_at: now,
            ringing_at: None,
            answered_at: None,
            outcome: None,
            stats: [None, None],
            deletes_left: 0,
        };
        self.calls.insert(id, call);
        self.lines[l].phase = Phase::Call;
        self.lines[l].call = Some(id);
        if waiting {
            self.lines[t].other = Some(id);
        } else {
            self.lines[t].phase = Phase::Call;
            self.lines[t].call = Some(id);
        }
        self.persist(id);
        self.arm(now, l);
        self.create_connection(now, id, 0, "recvonly", None);
    }

    fn create_connection(
        &mut self,
        now: Instant,
        id: u64,
        leg: usize,
        mode: &str,
        sdp: Option<String>,
    ) {
        let Some(c) = self.calls.get(&id) else { return };
        let l = c.line_of(leg);
        let mut text = format!(
            "CRCX 1 {} MGCP 1.0\r\nC: {}\r\nL: p:{}, a:{}\r\nM: {mode}\r\n",
            self.lines[l].name,
            c.call_id(),
            self.config.ptime_ms,
            self.config.codecs.join(";"),
        );
        if let Some(sdp) = sdp {
            text.push_str("\r\n");
            text.push_str(&sdp);
        }
        let g = self.lines[l].gateway;
        if self.send(now, g, &text, Pending::Crcx { call: id, leg }) {
            if let Some(c) = self.calls.get_mut(&id) {
                c.legs[leg].creating = true;
            }
        } else {
            self.release(now, id, "failed", None);
        }
    }

    /// A connection was created (or refused).
    pub(crate) fn crcx_answered(
        &mut self,
        now: Instant,
        id: u64,
        leg: usize,
        response: &mgcp_proto::Response<'_>,
    ) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.legs[leg].creating = false;
        if !response.code.is_success() {
            if c.state == CallState::Releasing {
                self.delete_done(now, id);
            } else if leg == 1 {
                self.release(now, id, "callee-unavailable", None);
            } else {
                self.release(now, id, "failed", None);
            }
            return;
        }
        c.legs[leg].conn = response.params.connection_id().map(str::to_string);
        c.legs[leg].sdp = response.sdp.iter().next().map(|s| s.as_str().to_string());
        if c.state == CallState::Releasing {
            self.delete_leg(now, id, leg);
            return;
        }
        self.persist(id);
        if leg == 0 {
            self.caller_created(now, id);
        } else {
            self.callee_created(now, id);
        }
    }

    /// Step 2 of RFC 2705 §2.1.3: the callee's connection with the
    /// caller's session description.
    fn caller_created(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.state = CallState::Alerting;
        let mode = match (self.lines[c.callee].kind, c.waiting) {
            (LineKind::Trunk, _) => "sendrecv",
            (_, true) => "inactive",
            _ => "recvonly",
        };
        let sdp = c.legs[0].sdp.clone();
        self.create_connection(now, id, 1, mode, sdp);
    }

    /// Step 3: the caller's connection gets the callee's session
    /// description; the callee rings, the caller hears ringback.
    fn callee_created(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.ringing_at = Some(now);
        let (caller, callee, waiting) = (c.caller, c.callee, c.waiting);
        let sdp = c.legs[1].sdp.clone().unwrap_or_default();
        self.modify(now, id, 0, "recvonly", Some(sdp));
        self.events.push_back(AgentEvent::Ringing { call: id });
        let answers_at_once =
            self.lines[callee].kind == LineKind::Trunk || (!waiting && self.lines[callee].off_hook);
        if answers_at_once {
            self.answer(now, id);
            return;
        }
        self.arm(now, callee);
        self.arm(now, caller);
        let at = now + Duration::from_millis(self.config.timers.no_answer_ms);
        self.push_timer(at, Timer::NoAnswer { call: id });
    }

    /// MDCX of one leg: mode, and the other side's SDP when given.
    fn modify(&mut self, now: Instant, id: u64, leg: usize, mode: &str, sdp: Option<String>) {
        let Some(c) = self.calls.get(&id) else { return };
        let Some(conn) = c.legs[leg].conn.clone() else {
            return;
        };
        let l = c.line_of(leg);
        let mut text = format!(
            "MDCX 1 {} MGCP 1.0\r\nC: {}\r\nI: {conn}\r\nM: {mode}\r\n",
            self.lines[l].name,
            c.call_id()
        );
        if let Some(sdp) = sdp.filter(|s| !s.is_empty()) {
            text.push_str("\r\n");
            text.push_str(&sdp);
        }
        let g = self.lines[l].gateway;
        self.send(now, g, &text, Pending::Mdcx { line: l });
    }

    /// The callee answered: media both ways.
    fn answer(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.state = CallState::Active;
        c.waiting = false;
        c.answered_at = Some(now);
        let (a, b) = (c.caller, c.callee);
        self.counters.calls_answered += 1;
        self.modify(now, id, 0, "sendrecv", None);
        self.modify(now, id, 1, "sendrecv", None);
        self.persist(id);
        self.events.push_back(AgentEvent::Answered { call: id });
        self.arm(now, a);
        self.arm(now, b);
    }

    pub(crate) fn no_answer(&mut self, now: Instant, id: u64) {
        if self
            .calls
            .get(&id)
            .is_some_and(|c| c.state == CallState::Alerting)
        {
            self.counters.no_answer += 1;
            self.release(now, id, "no-answer", None);
        }
    }

    /// A CRCX went unanswered: the call cannot go on.
    pub(crate) fn crcx_failed(&mut self, now: Instant, id: u64, leg: usize) {
        if let Some(c) = self.calls.get_mut(&id) {
            c.legs[leg].creating = false;
        }
        match self.calls.get(&id).map(|c| c.state) {
            Some(CallState::Releasing) => self.delete_done(now, id),
            Some(_) => self.release(now, id, "gateway-unreachable", None),
            None => {}
        }
    }

    // ---- call waiting ----------------------------------------------------------

    /// Hook flash: swap between the current call and the other one
    /// (answering a waiting call, or taking one off hold).
    fn flash(&mut self, now: Instant, l: usize) {
        let (Some(cur), Some(other)) = (self.lines[l].call, self.lines[l].other) else {
            return;
        };
        if let Some(leg) = self.calls.get(&cur).and_then(|c| c.leg_of(l))
            && self
                .calls
                .get(&cur)
                .is_some_and(|c| c.state == CallState::Active)
        {
            self.modify(now, cur, leg, "inactive", None);
        }
        self.lines[l].call = Some(other);
        self.lines[l].other = Some(cur);
        self.resume(now, l);
    }

    /// Line `l`'s current call becomes the one it talks on.
    fn resume(&mut self, now: Instant, l: usize) {
        let Some(id) = self.lines[l].call else { return };
        let Some(c) = self.calls.get(&id) else { return };
        if c.state == CallState::Alerting && c.waiting && c.callee == l {
            if c.legs[1].conn.is_some() {
                self.answer(now, id);
                return;
            }
        } else if c.state == CallState::Active
            && let Some(leg) = c.leg_of(l)
        {
            self.modify(now, id, leg, "sendrecv", None);
        }
        self.arm(now, l);
    }

    // ---- release ---------------------------------------------------------------

    /// Line `l` went on hook: every call on it ends.
    fn hang_up(&mut self, now: Instant, l: usize) {
        let calls: Vec<u64> = [self.lines[l].call.take(), self.lines[l].other.take()]
            .into_iter()
            .flatten()
            .collect();
        for id in calls {
            let outcome = match self.calls.get(&id) {
                Some(c) if c.state == CallState::Active => "normal",
                Some(c) if c.caller == l => {
                    self.counters.abandoned += 1;
                    "abandoned"
                }
                Some(_) => "normal",
                None => continue,
            };
            self.release(now, id, outcome, Some(l));
        }
        self.settle_line(now, l, false);
    }

    /// Clears call `id`: deletes its connections, settles both lines
    /// (except `hung_up`, which its caller settles), and writes the CDR
    /// once every DLCX is answered.
    pub(crate) fn release(
        &mut self,
        now: Instant,
        id: u64,
        outcome: &'static str,
        hung_up: Option<usize>,
    ) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        if c.state == CallState::Releasing {
            return;
        }
        c.state = CallState::Releasing;
        c.outcome = Some(outcome);
        if c.answered_at.is_some() && outcome == "normal" {
            self.counters.calls_completed += 1;
        }
        self.store.remove_call(&format!("{id:X}"));
        for leg in 0..2 {
            let creating = self
                .calls
                .get(&id)
                .is_some_and(|c| c.legs[leg].conn.is_none() && c.legs[leg].creating);
            if creating {
                if let Some(c) = self.calls.get_mut(&id) {
                    c.deletes_left += 1;
                }
            } else {
                self.delete_leg_counted(now, id, leg);
            }
        }
        let Some(c) = self.calls.get(&id) else { return };
        let (a, b) = (c.caller, c.callee);
        for l in [a, b] {
            self.detach(l, id);
            if Some(l) != hung_up {
                self.after_call(now, l);
            }
        }
        if self.calls.get(&id).is_some_and(|c| c.deletes_left == 0) {
            self.finish_call(now, id);
        }
    }

    fn delete_leg_counted(&mut self, now: Instant, id: u64, leg: usize) {
        let Some(c) = self.calls.get(&id) else { return };
        if c.legs[leg].conn.is_none() {
            return;
        }
        if let Some(c) = self.calls.get_mut(&id) {
            c.deletes_left += 1;
        }
        self.delete_leg(now, id, leg);
    }

    /// DLCX of one leg whose delete is already counted in `deletes_left`.
    fn delete_leg(&mut self, now: Instant, id: u64, leg: usize) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(conn) = c.legs[leg].conn.clone() else {
            self.delete_done(now, id);
            return;
        };
        c.legs[leg].deleting = true;
        let l = c.line_of(leg);
        let text = format!(
            "DLCX 1 {} MGCP 1.0\r\nC: {}\r\nI: {conn}\r\n",
            self.lines[l].name,
            c.call_id()
        );
        let g = self.lines[l].gateway;
        let pending = Pending::Dlcx {
            call: Some(id),
            leg,
            line: l,
        };
        if !self.send(now, g, &text, pending) {
            self.delete_done(now, id);
        }
    }

    fn detach(&mut self, l: usize, id: u64) {
        let line = &mut self.lines[l];
        if line.call == Some(id) {
            line.call = line.other.take();
        } else if line.other == Some(id) {
            line.other = None;
        }
    }

    /// The other party of a call that ended.
    fn after_call(&mut self, now: Instant, l: usize) {
        if matches!(self.lines[l].phase, Phase::OutOfService | Phase::Unknown) {
            return;
        }
        if self.lines[l].call.is_some() {
            if self.lines[l].phase == Phase::Call {
                self.resume(now, l);
            }
            return;
        }
        if self.lines[l].draining {
            self.lines[l].phase = Phase::OutOfService;
            return;
        }
        self.settle_line(now, l, true);
    }

    /// A DLCX of a call was answered: keep its statistics.
    pub(crate) fn dlcx_answered(
        &mut self,
        now: Instant,
        call: Option<u64>,
        leg: usize,
        _line: usize,
        response: &mgcp_proto::Response<'_>,
    ) {
        let Some(id) = call else { return };
        if let Some(c) = self.calls.get_mut(&id)
            && let Some(p) = response.params.connection_parameters()
        {
            c.stats[leg] = Some(p.to_string());
        }
        self.delete_done(now, id);
    }

    pub(crate) fn dlcx_failed(&mut self, now: Instant, call: Option<u64>, _leg: usize) {
        if let Some(id) = call {
            self.delete_done(now, id);
        }
    }

    fn delete_done(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get_mut(&id) else {
            return;
        };
        c.deletes_left = c.deletes_left.saturating_sub(1);
        if c.deletes_left == 0 && c.state == CallState::Releasing {
            self.finish_call(now, id);
        }
    }

    /// The call is gone: its CDR is written.
    fn finish_call(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.remove(&id) else {
            return;
        };
        let talk_ms = c
            .answered_at
            .map(|a| now.saturating_duration_since(a).as_millis() as u64)
            .unwrap_or(0);
        let cdr = Cdr {
            call_id: c.call_id(),
            caller: self.lines[c.caller].name.clone(),
            callee: Some(self.lines[c.callee].name.clone()),
            dialled: c.dialled.clone(),
            outcome: c.outcome.unwrap_or("normal").to_string(),
            setup_ms: c.setup_time().map(|d| d.as_millis() as u64),
            talk_ms,
            stats: c.stats.iter().flatten().cloned().collect(),
            written_unix_ms: 0,
        };
        self.end_record(cdr);
    }

    fn cdr_without_call(
        &self,
        l: usize,
        callee: Option<usize>,
        digits: &str,
        outcome: &str,
    ) -> Cdr {
        Cdr {
            call_id: String::new(),
            caller: self.lines[l].name.clone(),
            callee: callee.map(|t| self.lines[t].name.clone()),
            dialled: digits.to_string(),
            outcome: outcome.to_string(),
            setup_ms: None,
            talk_ms: 0,
            stats: vec![],
            written_unix_ms: 0,
        }
    }

    fn end_record(&mut self, cdr: Cdr) {
        self.store.add_cdr(&cdr);
        self.events.push_back(AgentEvent::Ended(cdr));
    }

    // ---- application input ----------------------------------------------------

    /// A call arrives on trunk channel `trunk` for `number` (the seizure
    /// and the number come by ISDN or CAS signalling, outside MGCP).
    /// Returns the call id, or why it could not start.
    pub fn trunk_call(&mut self, now: Instant, trunk: &str, number: &str) -> Result<u64, String> {
        let l = self
            .line_index(trunk)
            .filter(|&l| self.lines[l].kind == LineKind::Trunk)
            .ok_or_else(|| format!("{trunk} is not a trunk channel of this agent"))?;
        if !self.available(l) {
            return Err(format!("{trunk} is not idle"));
        }
        self.dialled(now, l, number);
        let id = self.lines[l].call;
        self.store.flush();
        id.ok_or_else(|| format!("{number}: busy or unknown"))
    }

    /// The far end released the call on trunk channel `trunk`.
    pub fn trunk_release(&mut self, now: Instant, trunk: &str) -> Result<(), String> {
        let l = self
            .line_index(trunk)
            .filter(|&l| self.lines[l].kind == LineKind::Trunk)
            .ok_or_else(|| format!("{trunk} is not a trunk channel of this agent"))?;
        self.hang_up(now, l);
        self.store.flush();
        Ok(())
    }

    /// Clears a call (operator action).
    pub fn release_call(&mut self, now: Instant, id: u64) -> bool {
        let known = self.calls.contains_key(&id);
        self.release(now, id, "released", None);
        self.store.flush();
        known
    }
}
