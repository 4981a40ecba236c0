//! Restart and fail-over (RFC 3435 §2.3.12, §4.4.6, §4.4.7): the start-up
//! RSIP after a random delay, redirection (521), the disconnected procedure
//! with its doubling timer, and graceful or forced shutdown.

use std::time::{Duration, Instant};

use mgcp_proto::ReturnCode;
use mgcp_proto::params::RestartMethod;
use mgcp_txn::Destination;

use crate::endpoint::{Notified, Service};
use crate::gateway::{Gateway, GatewayEvent, Phase, Timer};
use crate::media::MediaPlane;

/// Most 521 redirections followed in a row before giving up on them.
const MAX_REDIRECTS: u32 = 4;

impl<M: MediaPlane> Gateway<M> {
    /// Arms the start-up timer: uniform in [0, MWD] (RFC 3435 §4.4.6).
    pub(crate) fn schedule_start(&mut self, now: Instant) {
        if !self.config.restart.rsip_on_start {
            self.restart.phase = Phase::InService;
            for ep in &mut self.table.endpoints {
                ep.service = Service::InService;
            }
            return;
        }
        let max = self.config.restart.max_waiting_delay_ms;
        let delay = Duration::from_millis(if max == 0 { 0 } else { self.rng.u64(0..=max) });
        self.restart.phase = Phase::Waiting;
        self.arm_restart_timer(now + delay);
    }

    fn arm_restart_timer(&mut self, at: Instant) {
        self.restart.generation = self.restart.generation.wrapping_add(1);
        let generation = self.restart.generation;
        self.push_timer(at, Timer::Restart { generation });
    }

    pub(crate) fn restart_timer(&mut self, now: Instant) {
        match self.restart.phase {
            Phase::Waiting => self.send_rsip(now, RestartMethod::Restart),
            Phase::Disconnected => self.send_rsip(now, RestartMethod::Disconnected),
            Phase::Announcing | Phase::InService => {}
        }
    }

    /// A command arrived: while waiting to restart or disconnected, the
    /// procedure starts now, and the RSIP goes out before the response
    /// (RFC 3435 §4.4.6 step 3, §4.4.7 step 3).
    pub(crate) fn restart_on_command(&mut self, now: Instant) {
        match self.restart.phase {
            Phase::Waiting => self.send_rsip(now, RestartMethod::Restart),
            Phase::Disconnected => self.send_rsip(now, RestartMethod::Disconnected),
            _ => {}
        }
    }

    /// Local user activity (off-hook, a digit): same triggers, but while
    /// disconnected only once Tdmin has passed since the last attempt.
    pub(crate) fn restart_on_activity(&mut self, now: Instant) {
        match self.restart.phase {
            Phase::Waiting => self.send_rsip(now, RestartMethod::Restart),
            Phase::Disconnected => {
                let min = Duration::from_millis(self.config.restart.disconnected_min_ms);
                let since = self
                    .restart
                    .last_attempt
                    .or(self.restart.disconnected_since);
                if since.is_none_or(|t| now.saturating_duration_since(t) >= min) {
                    self.send_rsip(now, RestartMethod::Disconnected);
                }
            }
            _ => {}
        }
    }

    /// Sends the RSIP for the whole gateway (`*@domain`) or, without the
    /// wildcard option, for the first endpoint (one per endpoint would be
    /// sent by a gateway whose endpoints restart separately).
    pub(crate) fn send_rsip(&mut self, now: Instant, method: RestartMethod<'static>) {
        if self.restart.outstanding.is_some() {
            return;
        }
        let endpoint = if self.config.restart.wildcard || self.table.is_empty() {
            format!("*@{}", self.config.domain)
        } else {
            self.full_name(0)
        };
        let mut text = format!("RSIP 1 {endpoint} MGCP 1.0\r\nRM: {method}\r\n");
        match method {
            RestartMethod::Graceful => {
                text.push_str(&format!("RD: {}\r\n", self.config.restart.graceful_delay_s))
            }
            RestartMethod::Restart => text.push_str("RD: 0\r\n"),
            _ => {}
        }
        let destination = self.rsip_destination();
        self.restart.method = method;
        self.restart.last_attempt = Some(now);
        if let Some(tid) = self.send(now, &destination, &text) {
            self.counters.rsips_sent += 1;
            self.restart.outstanding = Some(tid);
            if matches!(method, RestartMethod::Restart | RestartMethod::Disconnected) {
                self.restart.phase = Phase::Announcing;
            }
        }
    }

    /// RSIP goes to the notified entity; after a restart that is the
    /// provisioned call agent (or where a 521 redirected us).
    fn rsip_destination(&self) -> Destination {
        match self.table.endpoints.first().map(|e| &e.notified) {
            Some(Notified::Explicit { destination, .. }) => destination.clone(),
            Some(Notified::LastCommander(a)) => Destination::from(*a),
            _ => self.call_agents.clone(),
        }
    }

    /// The call agent answered our RSIP.
    pub(crate) fn rsip_answered(
        &mut self,
        now: Instant,
        code: ReturnCode,
        entity: Option<(String, Destination)>,
    ) {
        self.restart.outstanding = None;
        let method = self.restart.method;
        if code == ReturnCode::REDIRECTED {
            match entity {
                Some((text, destination)) if self.restart.redirects < MAX_REDIRECTS => {
                    self.restart.redirects += 1;
                    self.set_all_notified(text, destination);
                    self.send_rsip(now, method);
                }
                _ => self.become_disconnected(now),
            }
            return;
        }
        if !code.is_success() {
            self.become_disconnected(now);
            return;
        }
        self.restart.redirects = 0;
        if let Some((text, destination)) = entity {
            self.set_all_notified(text, destination);
        }
        match method {
            RestartMethod::Restart
            | RestartMethod::Disconnected
            | RestartMethod::CancelGraceful => {
                self.restart.phase = Phase::InService;
                self.restart.td = Duration::ZERO;
                self.restart.disconnected_since = None;
                for ep in &mut self.table.endpoints {
                    if ep.service != Service::OutOfService {
                        ep.service = Service::InService;
                    }
                }
                self.events.push_back(GatewayEvent::InService);
                // Events held while disconnected go out now.
                for i in 0..self.table.len() {
                    let held: Vec<_> = self.table.endpoints[i].quarantine.drain(..).collect();
                    for d in held {
                        self.detect(now, i, d);
                    }
                }
            }
            RestartMethod::Graceful | RestartMethod::Forced => {}
            RestartMethod::Extension(_) => {}
        }
    }

    fn set_all_notified(&mut self, text: String, destination: Destination) {
        for ep in &mut self.table.endpoints {
            ep.notified = Notified::Explicit {
                text: text.clone(),
                destination: destination.clone(),
            };
        }
    }

    /// The call agent stopped answering: start (or continue) the
    /// disconnected procedure with Td doubling up to Tdmax (RFC 3435
    /// §4.4.7). Connections are kept.
    pub(crate) fn become_disconnected(&mut self, now: Instant) {
        let cfg = &self.config.restart;
        let (init, max) = (
            cfg.disconnected_initial_ms.max(1000),
            cfg.disconnected_max_ms,
        );
        self.restart.td = if self.restart.td.is_zero() {
            Duration::from_millis(self.rng.u64(1000..=init))
        } else {
            (self.restart.td * 2).min(Duration::from_millis(max))
        };
        if self.restart.phase != Phase::Disconnected {
            self.restart.disconnected_since = Some(now);
            self.events.push_back(GatewayEvent::Disconnected);
        }
        self.restart.phase = Phase::Disconnected;
        self.restart.outstanding = None;
        for ep in &mut self.table.endpoints {
            if ep.service != Service::OutOfService {
                ep.service = Service::Disconnected;
            }
        }
        let at = now + self.restart.td;
        self.arm_restart_timer(at);
    }

    /// Takes the gateway out of service: `graceful` keeps connections
    /// until the call agent clears them, `forced` deletes them now.
    pub fn shutdown(&mut self, now: Instant, graceful: bool) {
        let method = if graceful {
            RestartMethod::Graceful
        } else {
            RestartMethod::Forced
        };
        if !graceful {
            for i in 0..self.table.len() {
                while !self.table.endpoints[i].connections.is_empty() {
                    self.remove_connection(i, 0);
                }
            }
        }
        for ep in &mut self.table.endpoints {
            ep.service = Service::OutOfService;
        }
        self.restart.outstanding = None;
        self.send_rsip(now, method);
    }

    /// Cancels a graceful shutdown: the endpoints stay in service.
    pub fn cancel_graceful(&mut self, now: Instant) {
        for ep in &mut self.table.endpoints {
            ep.service = Service::InService;
        }
        self.restart.outstanding = None;
        self.send_rsip(now, RestartMethod::CancelGraceful);
    }
}
