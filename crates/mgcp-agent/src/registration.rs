//! Registration, audits and supervision (RFC 3435 §2.3.12, §4.4.6,
//! §4.4.7, §4.3; rules RS-14, FO-23 of
//! `docs/rfc/rfc3435-transactions-and-restart.md`).
//!
//! - RestartInProgress is always answered (a failed or ignored RSIP makes
//!   the gateway disconnect, RS-14): 200 (with `N:` when a notified
//!   entity is configured, RS-11), or 521 with `N:` when the agent
//!   hands its gateways to another agent. `restart` and `forced` mean the
//!   connections are gone: calls on those endpoints are cleared (the other
//!   side is released and a CDR written). `disconnected` keeps them: the
//!   endpoints are audited and their calls go on. `graceful` stops new
//!   calls and takes idle endpoints out of service after `RD:`;
//!   `cancel-graceful` undoes it; `X-KeepAlive` only says the gateway is
//!   alive.
//! - Audits learn each endpoint's hook state and connections (AUEP
//!   `F: I, ES`), then each connection's call (AUCX `F: C, M`, seed 003).
//!   Connections are matched to calls by CallId: known calls are confirmed,
//!   pairs of unknown connections with one CallId on two endpoints are
//!   adopted as answered calls, and what no call accounts for is deleted
//!   when the audit round ends — no connection leaks.
//! - A gateway whose commands time out (Max2/T-MAX, FO-23) is marked
//!   unreachable and its endpoints out of service; calls through it are
//!   cleared on the other side. Gateways silent for the keep-alive period
//!   get an AUEP.

use std::time::{Duration, Instant};

use mgcp_proto::params::{ParamName, RestartMethod};
use mgcp_proto::{Command, Param, ReturnCode};
use mgcp_txn::IncomingId;

use crate::agent::{Agent, AgentEvent, CallState, GatewayState, Pending, Phase, Timer};

impl Agent {
    /// RSIP (RFC 3435 §2.3.12).
    pub(crate) fn on_restart(
        &mut self,
        now: Instant,
        id: IncomingId,
        from: std::net::SocketAddr,
        cmd: &Command<'_>,
    ) {
        self.counters.rsips += 1;
        let domain = cmd.endpoint.domain().to_string().to_ascii_lowercase();
        let Some(&g) = self.gateway_by_domain.get(&domain) else {
            self.counters.refused += 1;
            self.respond(now, id, ReturnCode::UNKNOWN_ENDPOINT, "");
            return;
        };
        let targets = self.restart_targets(g, cmd.endpoint.local_name());
        if targets.is_empty() {
            self.counters.refused += 1;
            self.respond(now, id, ReturnCode::UNKNOWN_ENDPOINT, "");
            return;
        }
        let method = cmd
            .params
            .restart_method()
            .unwrap_or(RestartMethod::Restart);
        if let RestartMethod::Extension(m) = method {
            if m.eq_ignore_ascii_case("X-KeepAlive") {
                self.heard_from(now, g, from);
                self.respond(now, id, ReturnCode::OK, "");
            } else {
                self.counters.refused += 1;
                self.respond(now, id, ReturnCode::BAD_RESTART_METHOD, "");
            }
            return;
        }
        if let Some(other) = self.config.redirect_to.clone() {
            // Hand-over: the gateway re-registers with the other agent
            // (RFC 3435 §3.3.8, RS-12).
            self.respond(now, id, ReturnCode::REDIRECTED, &format!("N: {other}\r\n"));
            return;
        }
        self.heard_from(now, g, from);
        // With a configured notified entity, the 200 carries it (RS-11):
        // the gateway uses it from now on, before any request names it.
        let ne = self.notified_entity_line();
        self.respond(now, id, ReturnCode::OK, &ne);
        match method {
            RestartMethod::Restart | RestartMethod::Forced => {
                let (phase, outcome) = if method == RestartMethod::Restart {
                    (Phase::Unknown, "gateway-restart")
                } else {
                    (Phase::OutOfService, "gateway-shutdown")
                };
                self.forget_connections(&targets);
                for &l in &targets {
                    self.lose_calls(now, l, outcome);
                    self.lines[l].phase = phase;
                    self.lines[l].draining = false;
                    if phase == Phase::Unknown {
                        self.queue_audit(l);
                    }
                }
            }
            RestartMethod::Disconnected => {
                for &l in &targets {
                    if self.lines[l].phase == Phase::OutOfService {
                        self.lines[l].phase = Phase::Unknown;
                    }
                    self.queue_audit(l);
                }
            }
            RestartMethod::Graceful => {
                let delay = cmd.params.restart_delay().unwrap_or(0);
                for &l in &targets {
                    self.lines[l].draining = true;
                    if delay > 0 {
                        let at = now + Duration::from_secs(u64::from(delay));
                        self.push_timer(at, Timer::Shutdown { line: l });
                    }
                }
            }
            RestartMethod::CancelGraceful => {
                for &l in &targets {
                    self.lines[l].draining = false;
                    if self.lines[l].phase == Phase::OutOfService {
                        self.lines[l].phase = Phase::Unknown;
                        self.queue_audit(l);
                    }
                }
            }
            RestartMethod::Extension(_) => {}
        }
        self.start_audit_round(now);
        self.pump_audits(now, g);
    }

    /// The lines an RSIP names: `*@gw` (all), `prefix/*@gw`, or one.
    fn restart_targets(&self, g: usize, local: &str) -> Vec<usize> {
        let gw = &self.gateways[g];
        if !local.contains(['*', '$']) {
            let name = format!("{local}@{}", gw.domain);
            return self.line_index(&name).into_iter().collect();
        }
        gw.lines
            .iter()
            .copied()
            .filter(|&l| {
                let own = self.lines[l].name.split('@').next().unwrap_or("");
                wildcard_matches(local, own)
            })
            .collect()
    }

    /// Any message from the gateway: remember where it is and that it
    /// lives; a gateway heard from for the first time (or again after it
    /// was unreachable) is put in service.
    pub(crate) fn heard_from(&mut self, now: Instant, g: usize, from: std::net::SocketAddr) {
        let gw = &mut self.gateways[g];
        if gw.addresses.is_empty() {
            gw.addresses.push(from);
        }
        gw.last_heard = Some(now);
        if gw.state != GatewayState::InService {
            gw.state = GatewayState::InService;
            let domain = gw.domain.clone();
            self.events
                .push_back(AgentEvent::GatewayInService { domain });
        }
    }

    /// First contact from gateway `g` in a state we do not know. A standby
    /// agent that a gateway turns to takes over every gateway (the primary
    /// is presumed gone): calls between gateways are found only when both
    /// sides are audited.
    pub(crate) fn take_over(&mut self, now: Instant, g: usize) {
        if self.config.standby && !self.taken_over {
            self.taken_over = true;
            for other in 0..self.gateways.len() {
                let gw = &self.gateways[other];
                if other != g && gw.state == GatewayState::Unknown && !gw.addresses.is_empty() {
                    self.audit_gateway(now, other);
                }
            }
        }
        self.audit_gateway(now, g);
    }

    /// Audits every endpoint of gateway `g` (agent start-up, first contact
    /// after a fail-over).
    pub(crate) fn audit_gateway(&mut self, now: Instant, g: usize) {
        for l in self.gateways[g].lines.clone() {
            self.queue_audit(l);
        }
        self.start_audit_round(now);
        self.pump_audits(now, g);
    }

    pub(crate) fn queue_audit(&mut self, l: usize) {
        let line = &mut self.lines[l];
        if line.audit_queued {
            return;
        }
        line.audit_queued = true;
        let g = line.gateway;
        self.gateways[g].audit_queue.push_back(l);
        self.gateways[g].auditing = true;
    }

    /// Unclaimed connections found by audits are deleted when the round
    /// ends: when every audit is done, or at the latest after
    /// `recovery_ms`.
    fn start_audit_round(&mut self, now: Instant) {
        if self.recovery_until.is_none() {
            let at = now + Duration::from_millis(self.config.timers.recovery_ms);
            self.recovery_until = Some(at);
            self.push_timer(at, Timer::Recovery);
        }
    }

    /// Sends queued audits while fewer than `audit_window` are in flight.
    pub(crate) fn pump_audits(&mut self, now: Instant, g: usize) {
        let window = self.config.audit_window.max(1);
        while self.gateways[g].audits_in_flight < window {
            let Some(l) = self.gateways[g].audit_queue.pop_front() else {
                break;
            };
            let mut info = String::from("I, ES");
            if self.gateways[g].capabilities.is_none() && self.gateways[g].lines.first() == Some(&l)
            {
                info.push_str(", A");
            }
            let text = format!("AUEP 1 {} MGCP 1.0\r\nF: {info}\r\n", self.lines[l].name);
            if self.send(now, g, &text, Pending::Auep { line: l }) {
                self.gateways[g].audits_in_flight += 1;
            } else {
                self.lines[l].audit_queued = false;
            }
        }
        let gw = &mut self.gateways[g];
        if gw.audit_queue.is_empty() && gw.audits_in_flight == 0 {
            gw.auditing = false;
            self.maybe_finish_recovery(now);
        }
    }

    /// AUEP answered: hook state and connections; audit each connection.
    pub(crate) fn auep_answered(
        &mut self,
        now: Instant,
        l: usize,
        response: &mgcp_proto::Response<'_>,
    ) {
        let g = self.lines[l].gateway;
        if !response.code.is_success() {
            self.end_line_audit(l);
            if response.code == ReturnCode::UNKNOWN_ENDPOINT {
                self.lines[l].phase = Phase::OutOfService;
            } else {
                self.settle_line(now, l, false);
            }
            self.pump_audits(now, g);
            return;
        }
        if let Some(a) = response.params.capabilities().next() {
            self.gateways[g].capabilities = Some(a.to_string());
        }
        let off_hook = response
            .params
            .event_states()
            .is_some_and(|es| es.iter().any(|e| e.name.event.covers("hd")));
        let conns: Vec<String> = response
            .params
            .all(ParamName::ConnectionId)
            .filter_map(|p| match p {
                Param::ConnectionId(v) => Some(*v),
                _ => None,
            })
            .flat_map(|v| v.split(','))
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        let name = self.lines[l].name.clone();
        let line = &mut self.lines[l];
        line.off_hook = off_hook;
        line.found.clear();
        line.audit_left = 0;
        for conn in conns {
            let text = format!("AUCX 1 {name} MGCP 1.0\r\nI: {conn}\r\nF: C, M\r\n");
            if self.send(now, g, &text, Pending::Aucx { line: l, conn }) {
                self.lines[l].audit_left += 1;
            }
        }
        if self.lines[l].audit_left == 0 {
            self.line_audited(now, l);
        }
        self.pump_audits(now, g);
    }

    /// AUCX answered: the connection's CallId.
    pub(crate) fn aucx_answered(
        &mut self,
        now: Instant,
        l: usize,
        conn: &str,
        response: &mgcp_proto::Response<'_>,
    ) {
        if response.code.is_success()
            && let Some(call) = response.params.call_id()
        {
            self.lines[l]
                .found
                .push((conn.to_string(), call.to_string()));
        }
        self.lines[l].audit_left = self.lines[l].audit_left.saturating_sub(1);
        if self.lines[l].audit_left == 0 {
            self.line_audited(now, l);
        }
    }

    /// An audit command to this line timed out (its gateway is being
    /// marked unreachable).
    pub(crate) fn line_audit_failed(&mut self, _now: Instant, l: usize, _auep: bool) {
        self.end_line_audit(l);
        self.lines[l].audit_left = 0;
        self.lines[l].found.clear();
    }

    /// Every connection of line `l` is known: match them to calls.
    /// Line `l` leaves the audit (answered or failed): one fewer in flight.
    fn end_line_audit(&mut self, l: usize) {
        if std::mem::take(&mut self.lines[l].audit_queued) {
            let g = self.lines[l].gateway;
            let gw = &mut self.gateways[g];
            gw.audits_in_flight = gw.audits_in_flight.saturating_sub(1);
        }
    }

    fn line_audited(&mut self, now: Instant, l: usize) {
        self.end_line_audit(l);
        let found = std::mem::take(&mut self.lines[l].found);
        let mut confirmed = Vec::new();
        for (conn, call_id) in &found {
            let known = u64::from_str_radix(call_id, 16)
                .ok()
                .filter(|id| self.claim_leg(*id, l, conn));
            match known {
                Some(id) => confirmed.push(id),
                None => self.unclaimed_connection(now, l, conn, call_id),
            }
        }
        // Calls that believe they have a connection here that is gone.
        for id in [self.lines[l].call, self.lines[l].other]
            .into_iter()
            .flatten()
        {
            let Some(c) = self.calls.get(&id) else {
                continue;
            };
            let Some(leg) = c.leg_of(l) else { continue };
            let here = c.legs[leg].conn.as_deref();
            let lost = here.is_some_and(|k| !found.iter().any(|(f, _)| f.eq_ignore_ascii_case(k)))
                && matches!(c.state, CallState::Active | CallState::Recovering);
            if lost {
                let outcome = if c.state == CallState::Recovering {
                    "not-found-after-restart"
                } else {
                    "connection-lost"
                };
                if let Some(c) = self.calls.get_mut(&id) {
                    c.legs[leg].conn = None;
                }
                self.release(now, id, outcome, None);
            }
        }
        for id in confirmed {
            self.try_resume(now, id);
        }
        if self.lines[l].call.is_none() && self.lines[l].phase != Phase::OutOfService {
            self.settle_line(now, l, false);
        }
        let g = self.lines[l].gateway;
        self.pump_audits(now, g);
    }

    /// True when call `id` has a leg on line `l` that `conn` can be.
    fn claim_leg(&mut self, id: u64, l: usize, conn: &str) -> bool {
        let Some(c) = self.calls.get_mut(&id) else {
            return false;
        };
        let Some(leg) = c.leg_of(l) else {
            return false;
        };
        let same = c.legs[leg]
            .conn
            .as_deref()
            .is_some_and(|k| k.eq_ignore_ascii_case(conn));
        if same || (c.legs[leg].conn.is_none() && c.state == CallState::Recovering) {
            c.legs[leg].conn = Some(conn.to_string());
            c.legs[leg].confirmed = true;
            return true;
        }
        false
    }

    /// A recovered call whose legs were both found goes on.
    fn try_resume(&mut self, now: Instant, id: u64) {
        let Some(c) = self.calls.get(&id) else { return };
        if c.state != CallState::Recovering || !c.legs.iter().all(|l| l.confirmed) {
            return;
        }
        if c.answered_at.is_none() {
            // Set-up cannot be resumed halfway: clear it.
            self.release(now, id, "setup-interrupted", None);
            return;
        }
        let (a, b) = (c.caller, c.callee);
        if let Some(c) = self.calls.get_mut(&id) {
            c.state = CallState::Active;
        }
        self.counters.adopted += 1;
        self.events.push_back(AgentEvent::Adopted { call: id });
        self.arm(now, a);
        self.arm(now, b);
    }

    /// A connection no known call claims: adopted with its twin, or
    /// deleted when the round ends.
    fn unclaimed_connection(&mut self, now: Instant, l: usize, conn: &str, call_id: &str) {
        let key = call_id.to_ascii_uppercase();
        let entry = self.unclaimed.entry(key.clone()).or_default();
        if !entry.iter().any(|(x, c)| *x == l && c == conn) {
            entry.push((l, conn.to_string()));
        }
        let pair = entry.len() == 2 && entry[0].0 != entry[1].0;
        if pair {
            let legs = self.unclaimed.remove(&key).unwrap_or_default();
            self.adopt(now, &key, &legs);
        }
    }

    /// Two connections of one CallId on two endpoints: an answered call
    /// this agent did not know (a fail-over, or a restart without store).
    fn adopt(&mut self, now: Instant, call_id: &str, legs: &[(usize, String)]) {
        let (a, b) = (legs[0].0, legs[1].0);
        let free = |x: usize| self.lines[x].call.is_none() || self.lines[x].other.is_none();
        let id = u64::from_str_radix(call_id, 16)
            .ok()
            .filter(|id| !self.calls.contains_key(id));
        let Some(id) = id.filter(|_| free(a) && free(b)) else {
            for (l, conn) in legs {
                self.delete_orphan(now, *l, conn, call_id);
            }
            return;
        };
        let leg = |conn: &str| crate::agent::Leg {
            conn: Some(conn.to_string()),
            confirmed: true,
            ..Default::default()
        };
        let call = crate::agent::Call {
            id,
            caller: a,
            callee: b,
            state: CallState::Active,
            dialled: String::new(),
            waiting: false,
            legs: [leg(&legs[0].1), leg(&legs[1].1)],
            dialled_at: now,
            ringing_at: None,
            answered_at: Some(now),
            outcome: None,
            stats: [None, None],
            deletes_left: 0,
        };
        self.calls.insert(id, call);
        for x in [a, b] {
            let line = &mut self.lines[x];
            if line.call.is_none() {
                line.call = Some(id);
            } else {
                line.other = Some(id);
            }
            line.phase = Phase::Call;
            line.off_hook = line.off_hook || line.kind == crate::agent::LineKind::Line;
        }
        self.counters.adopted += 1;
        self.events.push_back(AgentEvent::Adopted { call: id });
        self.persist(id);
        self.arm(now, a);
        self.arm(now, b);
    }

    pub(crate) fn delete_orphan(&mut self, now: Instant, l: usize, conn: &str, call_id: &str) {
        let text = format!(
            "DLCX 1 {} MGCP 1.0\r\nC: {call_id}\r\nI: {conn}\r\n",
            self.lines[l].name
        );
        let g = self.lines[l].gateway;
        self.send(
            now,
            g,
            &text,
            Pending::Dlcx {
                call: None,
                leg: 0,
                line: l,
            },
        );
        self.counters.orphans_deleted += 1;
        self.events.push_back(AgentEvent::OrphanDeleted {
            endpoint: self.lines[l].name.clone(),
            connection: conn.to_string(),
        });
    }

    fn maybe_finish_recovery(&mut self, now: Instant) {
        if self.recovery_until.is_none() || self.gateways.iter().any(|g| g.auditing) {
            return;
        }
        let waiting = self.calls.values().any(|c| {
            c.state == CallState::Recovering
                && [c.caller, c.callee].iter().any(|&l| {
                    let g = self.lines[l].gateway;
                    self.gateways[g].last_heard.is_none()
                        && self.gateways[g].state != GatewayState::Unreachable
                })
        });
        if !waiting {
            self.finish_recovery(now);
        }
    }

    /// The audit round is over: recovered calls not found are cleared,
    /// connections nobody claimed are deleted.
    pub(crate) fn finish_recovery(&mut self, now: Instant) {
        if self.recovery_until.take().is_none() {
            return;
        }
        let stale: Vec<u64> = self
            .calls
            .values()
            .filter(|c| c.state == CallState::Recovering)
            .map(|c| c.id)
            .collect();
        for id in stale {
            self.release(now, id, "not-found-after-restart", None);
        }
        let orphans: Vec<(String, Vec<(usize, String)>)> = self.unclaimed.drain().collect();
        for (call_id, legs) in orphans {
            for (l, conn) in legs {
                self.delete_orphan(now, l, &conn, &call_id);
            }
        }
    }

    /// The connections of these lines are gone (restart, or unreachable):
    /// no DeleteConnection is sent for them, even when both sides of a
    /// call are among them.
    fn forget_connections(&mut self, lines: &[usize]) {
        for &l in lines {
            for id in [self.lines[l].call, self.lines[l].other]
                .into_iter()
                .flatten()
            {
                if let Some(c) = self.calls.get_mut(&id)
                    && let Some(leg) = c.leg_of(l)
                {
                    c.legs[leg].conn = None;
                }
            }
        }
    }

    /// Every call on line `l` is lost with the gateway's connections: the
    /// other side is released.
    pub(crate) fn lose_calls(&mut self, now: Instant, l: usize, outcome: &'static str) {
        for id in [self.lines[l].call, self.lines[l].other]
            .into_iter()
            .flatten()
        {
            if let Some(c) = self.calls.get_mut(&id)
                && let Some(leg) = c.leg_of(l)
            {
                c.legs[leg].conn = None;
                self.release(now, id, outcome, Some(l));
            }
        }
        self.lines[l].call = None;
        self.lines[l].other = None;
    }

    /// Commands to gateway `g` went unanswered (FO-23): its endpoints are
    /// out of service until it registers again.
    pub(crate) fn gateway_unreachable(&mut self, now: Instant, g: usize) {
        if self.gateways[g].state == GatewayState::Unreachable {
            return;
        }
        self.counters.gateways_lost += 1;
        let gw = &mut self.gateways[g];
        gw.state = GatewayState::Unreachable;
        gw.audit_queue.clear();
        gw.audits_in_flight = 0;
        gw.auditing = false;
        gw.keepalive = None;
        let domain = gw.domain.clone();
        self.events
            .push_back(AgentEvent::GatewayUnreachable { domain });
        let lines = self.gateways[g].lines.clone();
        self.forget_connections(&lines);
        for l in lines {
            self.lose_calls(now, l, "gateway-unreachable");
            let line = &mut self.lines[l];
            line.phase = Phase::OutOfService;
            line.audit_queued = false;
            line.audit_left = 0;
        }
        self.maybe_finish_recovery(now);
    }

    /// Keep-alive: audit gateways silent for the keep-alive period.
    pub(crate) fn keepalive_round(&mut self, now: Instant) {
        let every = Duration::from_millis(self.config.timers.keepalive_ms);
        for g in 0..self.gateways.len() {
            let gw = &self.gateways[g];
            // Unreachable gateways are probed too: one that answers again
            // is audited and put back in service.
            let probed = match gw.state {
                GatewayState::InService => true,
                GatewayState::Unreachable => !gw.addresses.is_empty(),
                GatewayState::Unknown => false,
            };
            let due = probed
                && gw.keepalive.is_none()
                && gw
                    .last_heard
                    .is_none_or(|t| now.saturating_duration_since(t) >= every);
            let Some(&first) = gw.lines.first().filter(|_| due) else {
                continue;
            };
            let text = format!("AUEP 1 {} MGCP 1.0\r\n", self.lines[first].name);
            if self.send(now, g, &text, Pending::KeepAlive { gateway: g }) {
                self.gateways[g].keepalive = Some(mgcp_proto::TransactionId::ZERO);
            }
        }
        self.push_timer(now + every / 4, Timer::Keepalive);
    }

    /// A keep-alive audit was answered.
    pub(crate) fn keepalive_answered(&mut self, now: Instant, g: usize) {
        self.gateways[g].keepalive = None;
        self.gateway_alive(now, g);
    }

    /// The gateway answered one of our commands. One we had never heard
    /// from is in service (its audit is under way); one we had given up on
    /// is audited again.
    pub(crate) fn gateway_alive(&mut self, now: Instant, g: usize) {
        let gw = &mut self.gateways[g];
        gw.last_heard = Some(now);
        if gw.state == GatewayState::Unknown {
            gw.state = GatewayState::InService;
            let domain = gw.domain.clone();
            self.events
                .push_back(AgentEvent::GatewayInService { domain });
        } else if gw.state == GatewayState::Unreachable {
            gw.state = GatewayState::InService;
            let domain = gw.domain.clone();
            self.events
                .push_back(AgentEvent::GatewayInService { domain });
            for l in self.gateways[g].lines.clone() {
                self.lines[l].phase = Phase::Unknown;
            }
            self.audit_gateway(now, g);
        }
    }

    /// The `RD:` of a graceful restart passed: idle endpoints go out of
    /// service (busy ones when their call ends).
    pub(crate) fn graceful_deadline(&mut self, _now: Instant, l: usize) {
        let line = &mut self.lines[l];
        if line.draining && line.call.is_none() {
            line.phase = Phase::OutOfService;
        }
    }
}

/// RSIP wildcard matching: `*` stands for one term, or for the rest when
/// it is the last term.
fn wildcard_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    for (i, term) in p.iter().enumerate() {
        if *term == "*" && i == p.len() - 1 {
            return n.len() >= p.len();
        }
        match n.get(i) {
            Some(x) if *term == "*" || term.eq_ignore_ascii_case(x) => {}
            _ => return false,
        }
    }
    p.len() == n.len()
}

#[cfg(test)]
mod tests {
    use super::wildcard_matches;

    #[test]
    fn rfc3435_s2_1_2_all_of_wildcards_name_groups() {
        assert!(wildcard_matches("*", "aaln/1"));
        assert!(wildcard_matches("ds/ds1-1/*", "ds/ds1-1/7"));
        assert!(!wildcard_matches("ds/ds1-1/*", "ds/ds1-2/7"));
        assert!(wildcard_matches("aaln/*", "AALN/2"));
        assert!(!wildcard_matches("aaln/1", "aaln/2"));
    }
}
