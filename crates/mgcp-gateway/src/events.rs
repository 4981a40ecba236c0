//! Notification requests, event detection, signals and Notify (RFC 3435
//! §2.3.2, §2.3.3, §4.4.1; RFC 3660 timers).
//!
//! An endpoint holds one request: the events to detect with their actions,
//! the signals to play, the digit map. A detected event is matched against
//! it: notify now, accumulate, collect digits against the digit map, swap,
//! ignore, keep signals, or switch to an embedded request. While a Notify
//! waits for its response, or after one in `step` mode until the next
//! request (lockstep), events are quarantined and processed or discarded
//! when the next request arrives.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_proto::digit_map::{Outcome, Symbol, Timer as DigitTimer};
use mgcp_proto::packages::{SignalType, Timeout};
use mgcp_proto::params::{LoopControl, ProcessControl};
use mgcp_proto::{Command, ReturnCode};

use crate::catalog;
use crate::config::EndpointKind;
use crate::endpoint::{ActiveSignal, Hook};
use crate::gateway::{Gateway, GatewayEvent, Timer};
use crate::media::{MediaPlane, SignalTarget};
use crate::reply::Reply;
use crate::request::{self, Conn, Detected, EventMatch, Requested, Signal};

/// Critical inter-digit timer (RFC 3660: 4 s).
const T_CRITICAL: Duration = Duration::from_secs(4);
/// Partial inter-digit timer (RFC 3660: 16 s).
const T_PARTIAL: Duration = Duration::from_secs(16);

/// A request taken apart, checked, ready to install.
struct Prepared {
    requested: Option<Vec<Requested>>,
    signals: Option<Vec<Signal>>,
    digit_map: Option<String>,
    detect: Option<Vec<request::Pattern>>,
}

impl<M: MediaPlane> Gateway<M> {
    /// RQNT (RFC 3435 §2.3.1).
    pub(crate) fn notification_request(
        &mut self,
        now: Instant,
        from: SocketAddr,
        cmd: &Command<'_>,
    ) -> Reply {
        let targets = match self.targets(cmd, true) {
            Ok(crate::commands::Targets::One(i)) => vec![i],
            Ok(crate::commands::Targets::Many(v)) => v,
            Err(r) => return r,
        };
        for &i in &targets {
            if let Err(r) = self.check_embedded(i, cmd, None) {
                return r;
            }
        }
        for &i in &targets {
            if let Err(r) = self.note_commander(i, from, cmd) {
                return r;
            }
            self.apply_embedded(now, i, cmd, None);
        }
        Reply::code(ReturnCode::OK)
    }

    /// Checks the (embedded) notification request of a command without
    /// changing anything: packages, events, signals, digit map, hook state.
    pub(crate) fn check_embedded(
        &mut self,
        i: usize,
        cmd: &Command<'_>,
        current: Option<&str>,
    ) -> Result<(), Reply> {
        if !crate::gateway::has_embedded_request(cmd) {
            return Ok(());
        }
        let prepared = self.prepare(i, cmd, current)?;
        let ep = &self.table.endpoints[i];
        if let Some(requested) = &prepared.requested {
            let uses_map = requested.iter().any(|r| r.actions.digit_map);
            if uses_map && prepared.digit_map.is_none() && ep.digits.map.is_none() {
                return Err(Reply::code(ReturnCode::NO_DIGIT_MAP));
            }
            if ep.kind == EndpointKind::Line {
                check_hook(ep.hook, requested)?;
            }
        }
        if let Some(text) = &prepared.digit_map {
            self.digit_map(text).map_err(Reply::code)?;
        }
        Ok(())
    }

    fn prepare(
        &self,
        i: usize,
        cmd: &Command<'_>,
        current: Option<&str>,
    ) -> Result<Prepared, Reply> {
        let ep = &self.table.endpoints[i];
        let default = ep.kind.default_package();
        let requested = cmd
            .params
            .requested_events()
            .map(|r| request::requested(&r, default, current));
        let signals = cmd
            .params
            .signal_requests()
            .map(|s| request::signals(&s, default, current));
        let detect = cmd.params.detect_events().map(|t| {
            t.iter()
                .map(|e| request::pattern(&e.name, default, current))
                .collect::<Vec<_>>()
        });
        for r in requested.iter().flatten() {
            self.check_requested(i, r)?;
        }
        for s in signals.iter().flatten() {
            self.check_signal(i, s)?;
        }
        for p in detect.iter().flatten() {
            catalog::check_event(ep.kind, p).map_err(Reply::code)?;
        }
        Ok(Prepared {
            requested,
            signals,
            digit_map: cmd.params.digit_map().map(|d| d.to_string()),
            detect,
        })
    }

    fn check_requested(&self, i: usize, r: &Requested) -> Result<(), Reply> {
        let kind = self.table.endpoints[i].kind;
        catalog::check_event(kind, &r.pattern).map_err(Reply::code)?;
        self.check_connection(i, r.pattern.connection.as_ref())?;
        if let Some(e) = &r.actions.embedded {
            for x in e.requested.iter().flatten() {
                self.check_requested(i, x)?;
            }
            for s in e.signals.iter().flatten() {
                self.check_signal(i, s)?;
            }
        }
        Ok(())
    }

    fn check_signal(&self, i: usize, s: &Signal) -> Result<(), Reply> {
        let kind = self.table.endpoints[i].kind;
        let t = catalog::check_signal(kind, s).map_err(Reply::code)?;
        self.check_connection(i, s.connection.as_ref())?;
        if matches!(t, SignalType::OnOff) && !matches!(s.parameters.trim(), "" | "+" | "-") {
            return Err(Reply::error(
                ReturnCode::EVENT_PARAMETER_ERROR,
                "on/off signals take + or -",
            ));
        }
        Ok(())
    }

    fn check_connection(&self, i: usize, conn: Option<&Conn>) -> Result<(), Reply> {
        match conn {
            Some(Conn::Id(id)) if self.table.endpoints[i].connection(id).is_none() => {
                Err(Reply::code(ReturnCode::INCORRECT_CONNECTION_ID))
            }
            _ => Ok(()),
        }
    }

    /// Installs the (embedded) notification request of a command that was
    /// checked with [`Gateway::check_embedded`].
    pub(crate) fn apply_embedded(
        &mut self,
        now: Instant,
        i: usize,
        cmd: &Command<'_>,
        current: Option<&str>,
    ) {
        if !crate::gateway::has_embedded_request(cmd) {
            return;
        }
        let Ok(prepared) = self.prepare(i, cmd, current) else {
            return;
        };
        {
            let ep = &mut self.table.endpoints[i];
            ep.request.id = cmd.params.request_id().unwrap_or("0").to_string();
            ep.request.requested = prepared.requested.unwrap_or_default();
            ep.request.detect = prepared.detect.unwrap_or_default();
            let q = cmd.params.quarantine_handling();
            ep.request.process = q.and_then(|q| q.process);
            ep.request.looping = q.and_then(|q| q.looping);
            ep.observed.clear();
            ep.lockstep = false;
            ep.requested_while_notifying = ep.notify_pending.is_some();
        }
        if let Some(text) = prepared.digit_map {
            self.set_digit_map(i, &text);
        }
        self.reset_digits(i);
        self.apply_signals(now, i, prepared.signals.unwrap_or_default());
        self.release_quarantine(now, i);
    }

    fn set_digit_map(&mut self, i: usize, text: &str) {
        if let Ok(map) = self.digit_map(text) {
            let ep = &mut self.table.endpoints[i];
            ep.digits.map = Some(map);
            ep.digits.text = Some(text.to_string());
        }
    }

    fn reset_digits(&mut self, i: usize) {
        let ep = &mut self.table.endpoints[i];
        ep.digits.state = ep.digits.map.as_ref().map(|m| m.start());
        ep.digits.timer = None;
        ep.digit_generation = ep.digit_generation.wrapping_add(1);
    }

    /// The quarantined events after a new request: processed against it
    /// (`process`, the default) or dropped (`discard`).
    fn release_quarantine(&mut self, now: Instant, i: usize) {
        let ep = &mut self.table.endpoints[i];
        if ep.notify_pending.is_some() {
            return;
        }
        let held: Vec<Detected> = ep.quarantine.drain(..).collect();
        if ep.request.process == Some(ProcessControl::Discard) {
            return;
        }
        for d in held {
            self.detect(now, i, d);
        }
    }

    // ---- signals --------------------------------------------------------------

    /// Applies a new signal list: time-out and brief signals not in it stop;
    /// on/off signals stay until turned off with `-` (RFC 3435 §2.3.3).
    fn apply_signals(&mut self, now: Instant, i: usize, signals: Vec<Signal>) {
        let requested_keys: Vec<String> = signals.iter().map(Signal::key).collect();
        let stopping: Vec<String> = self.table.endpoints[i]
            .signals
            .iter()
            .filter(|a| {
                !a.on_off
                    && !requested_keys
                        .iter()
                        .any(|k| k.eq_ignore_ascii_case(&a.signal.key()))
            })
            .map(|a| a.signal.key())
            .collect();
        for key in stopping {
            self.stop_signal(i, &key);
        }
        for s in signals {
            self.start_signal(now, i, s);
        }
    }

    fn start_signal(&mut self, now: Instant, i: usize, s: Signal) {
        let kind = self.table.endpoints[i].kind;
        let Ok(t) = catalog::check_signal(kind, &s) else {
            return;
        };
        let key = s.key();
        if matches!(t, SignalType::OnOff) && s.switch() == Some(false) {
            self.stop_signal(i, &key);
            return;
        }
        let already = self.table.endpoints[i].signals.iter().any(|a| {
            a.signal.key().eq_ignore_ascii_case(&key) && a.signal.connection == s.connection
        });
        if already {
            return; // A re-requested signal keeps playing (RFC 3435 §2.3.3).
        }
        if self.table.endpoints[i].signals.len() >= self.config.limits.signals {
            return;
        }
        let ends = match t {
            // Announcements and scripts end by themselves (the media plane
            // reports it); `to` does not apply to them (RFC 3660 §2).
            SignalType::TimeOut {
                default: Timeout::Variable,
            } => None,
            SignalType::TimeOut { default } => {
                let ms = s.timeout_ms().or(default.millis().map(u64::from));
                // `to=0` or an infinite default: until stopped.
                ms.filter(|ms| *ms > 0)
                    .map(|ms| now + Duration::from_millis(ms))
            }
            SignalType::Brief => Some(now),
            SignalType::OnOff => None,
        };
        for target in self.signal_targets(i, s.connection.as_ref()) {
            self.media.signal(&target, &key, &s.parameters, true);
        }
        self.events.push_back(GatewayEvent::Signal {
            endpoint: self.table.endpoints[i].name.to_string(),
            signal: s.to_string(),
            on: true,
        });
        let ep = &mut self.table.endpoints[i];
        let brief = matches!(t, SignalType::Brief);
        if !brief {
            ep.signals.push(ActiveSignal {
                signal: s,
                ends,
                on_off: matches!(t, SignalType::OnOff),
            });
        }
        if let Some(at) = ends.filter(|_| !brief) {
            let generation = ep.signal_generation;
            self.push_timer(
                at,
                Timer::Signal {
                    endpoint: i,
                    generation,
                },
            );
        }
    }

    fn signal_targets(&self, i: usize, conn: Option<&Conn>) -> Vec<SignalTarget> {
        let ep = &self.table.endpoints[i];
        match conn {
            None => vec![SignalTarget::Line { endpoint: i }],
            Some(Conn::Id(id)) => ep
                .connection(id)
                .map(|c| SignalTarget::Connection(c.media))
                .into_iter()
                .collect(),
            Some(Conn::All) => ep
                .connections
                .iter()
                .map(|c| SignalTarget::Connection(c.media))
                .collect(),
        }
    }

    /// Stops a signal by `package/name`.
    pub(crate) fn stop_signal(&mut self, i: usize, key: &str) {
        let ep = &mut self.table.endpoints[i];
        let Some(pos) = ep
            .signals
            .iter()
            .position(|a| a.signal.key().eq_ignore_ascii_case(key))
        else {
            return;
        };
        let a = ep.signals.remove(pos);
        for target in self.signal_targets(i, a.signal.connection.as_ref()) {
            self.media
                .signal(&target, &a.signal.key(), &a.signal.parameters, false);
        }
        self.events.push_back(GatewayEvent::Signal {
            endpoint: self.table.endpoints[i].name.to_string(),
            signal: a.signal.to_string(),
            on: false,
        });
    }

    /// Stops the signals of a connection that goes away.
    pub(crate) fn stop_connection_signals(&mut self, i: usize, conn: &str) {
        let keys: Vec<String> = self.table.endpoints[i]
            .signals
            .iter()
            .filter(|a| matches!(&a.signal.connection, Some(Conn::Id(c)) if c.eq_ignore_ascii_case(conn)))
            .map(|a| a.signal.key())
            .collect();
        for k in keys {
            self.stop_signal(i, &k);
        }
    }

    /// Stops time-out signals when a requested event occurs (unless the
    /// event's actions keep them, `K`).
    fn stop_timeout_signals(&mut self, i: usize) {
        let keys: Vec<String> = self.table.endpoints[i]
            .signals
            .iter()
            .filter(|a| !a.on_off)
            .map(|a| a.signal.key())
            .collect();
        for k in keys {
            self.stop_signal(i, &k);
        }
    }

    /// A time-out signal's timer fired (stale timers find nothing due).
    pub(crate) fn signal_timer(&mut self, now: Instant, i: usize, _generation: u32) {
        let done: Vec<String> = self.table.endpoints[i]
            .signals
            .iter()
            .filter(|a| a.ends.is_some_and(|e| e <= now))
            .map(|a| a.signal.key())
            .collect();
        for key in done {
            self.stop_signal(i, &key);
            self.signal_finished(now, i, &key, true);
        }
    }

    /// A time-out signal ended by itself: operation complete (or failure)
    /// is an event of its package (`oc`/`of`), or of G.
    pub(crate) fn signal_finished(&mut self, now: Instant, i: usize, signal: &str, ok: bool) {
        self.stop_signal(i, signal);
        let package = signal.split('/').next().unwrap_or("G");
        let name = if ok { "oc" } else { "of" };
        let kind = self.table.endpoints[i].kind;
        let pkg: &'static str = kind
            .packages()
            .iter()
            .copied()
            .find(|p| {
                p.eq_ignore_ascii_case(package)
                    && mgcp_proto::packages::package(p)
                        .and_then(|x| x.item(name))
                        .is_some()
            })
            .unwrap_or("G");
        let mut d = Detected::new(pkg, name);
        d.parameters = Some(signal.to_string());
        self.detect(now, i, d);
    }

    // ---- detection --------------------------------------------------------------

    /// An event happened on endpoint `i`.
    pub(crate) fn detect(&mut self, now: Instant, i: usize, d: Detected) {
        let ep = &self.table.endpoints[i];
        let held = ep.notify_pending.is_some()
            || ep.lockstep
            || ep.service == crate::endpoint::Service::Disconnected;
        let matched = ep
            .request
            .requested
            .iter()
            .position(|r| r.pattern.matches(&d));
        let persistent = catalog::is_persistent(&self.config.persistent_events, d.package, &d.name);
        if held {
            let wanted =
                matched.is_some() || persistent || ep.request.detect.iter().any(|p| p.matches(&d));
            if wanted {
                self.quarantine(i, d);
            }
            return;
        }
        match matched {
            Some(k) => {
                let r = self.table.endpoints[i].request.requested[k].clone();
                self.act(now, i, d, &r);
            }
            None if persistent => {
                // Persistent events are notified even when not requested
                // (RFC 3435 §2.3.3).
                self.observe(i, &d);
                self.notify(now, i);
            }
            None => {}
        }
    }

    fn quarantine(&mut self, i: usize, d: Detected) {
        let limit = self.config.limits.quarantine_events;
        let ep = &mut self.table.endpoints[i];
        if ep.quarantine.len() >= limit {
            ep.quarantine.pop_front();
            self.counters.quarantine_overflow += 1;
        }
        ep.quarantine.push_back(d);
    }

    fn observe(&mut self, i: usize, d: &Detected) {
        let limit = self.config.limits.observed_events;
        let ep = &mut self.table.endpoints[i];
        if ep.observed.len() < limit {
            ep.observed.push(d.to_string());
        }
    }

    /// The actions of a requested event (RFC 3435 §2.3.3).
    fn act(&mut self, now: Instant, i: usize, d: Detected, r: &Requested) {
        let a = &r.actions;
        if a.ignore {
            return;
        }
        if !a.keep_signals {
            self.stop_timeout_signals(i);
        }
        if a.swap {
            self.events.push_back(GatewayEvent::Swap {
                endpoint: self.table.endpoints[i].name.to_string(),
            });
        }
        if a.notify || a.accumulate {
            self.observe(i, &d);
        }
        if let Some(e) = &a.embedded {
            self.embedded(now, i, e);
        }
        if a.digit_map {
            self.collect_digit(now, i, &d);
        } else if a.notify {
            self.notify(now, i);
        }
    }

    /// Switches to an embedded request (RFC 3435 §2.3.3 "E").
    fn embedded(&mut self, now: Instant, i: usize, e: &request::Embedded) {
        if let Some(req) = &e.requested {
            self.table.endpoints[i].request.requested = req.clone();
        }
        if let Some(text) = &e.digit_map {
            self.set_digit_map(i, text);
            self.reset_digits(i);
        }
        if let Some(s) = &e.signals {
            self.apply_signals(now, i, s.clone());
        }
    }

    /// A digit (or the timer `T`) against the digit map.
    fn collect_digit(&mut self, now: Instant, i: usize, d: &Detected) {
        let ep = &mut self.table.endpoints[i];
        let Some(map) = ep.digits.map.clone() else {
            return;
        };
        let symbol = d.name.chars().next().and_then(Symbol::from_char);
        let Some(symbol) = symbol.filter(|_| d.name.chars().count() == 1) else {
            return;
        };
        ep.observed.push(d.to_string());
        let state = ep.digits.state.unwrap_or_else(|| map.start());
        let (next, outcome) = map.step(state, symbol);
        ep.digits.state = Some(next);
        ep.digit_generation = ep.digit_generation.wrapping_add(1);
        match outcome {
            Outcome::Partial { timer, .. } => {
                let wait = match timer {
                    DigitTimer::Critical => T_CRITICAL,
                    DigitTimer::Partial => T_PARTIAL,
                };
                ep.digits.timer = Some(now + wait);
                let generation = ep.digit_generation;
                self.push_timer(
                    now + wait,
                    Timer::Digit {
                        endpoint: i,
                        generation,
                    },
                );
            }
            Outcome::Full | Outcome::NoMatch => {
                ep.digits.timer = None;
                self.notify(now, i);
            }
        }
    }

    pub(crate) fn digit_timer(&mut self, now: Instant, i: usize, generation: u32) {
        let ep = &self.table.endpoints[i];
        if ep.digit_generation != generation || ep.digits.timer.is_none() {
            return;
        }
        // The inter-digit timer is the event `T` of the DTMF package.
        let d = Detected::new("D", "T");
        let Some(k) = ep
            .request
            .requested
            .iter()
            .position(|r| r.actions.digit_map && r.pattern.matches(&d))
        else {
            // Timer not requested: report what was collected.
            self.table.endpoints[i].digits.timer = None;
            self.notify(now, i);
            return;
        };
        let r = self.table.endpoints[i].request.requested[k].clone();
        self.act(now, i, d, &r);
    }

    // ---- Notify --------------------------------------------------------------

    /// Sends the accumulated events in a Notify to the notified entity.
    pub(crate) fn notify(&mut self, now: Instant, i: usize) {
        let ep = &self.table.endpoints[i];
        if ep.observed.is_empty() || ep.notify_pending.is_some() {
            return;
        }
        let events = ep.observed.join(",");
        let text = format!(
            "NTFY 1 {} MGCP 1.0\r\nX: {}\r\nO: {}\r\n",
            self.full_name(i),
            ep.request.id,
            events
        );
        let destination = self.destination(i);
        if let Some(tid) = self.send(now, &destination, &text) {
            self.notifies.insert(tid, i);
            self.counters.notifies_sent += 1;
            let id = mgcp_txn::IncomingId {
                peer: destination.addresses()[0],
                transaction_id: tid,
            };
            let ep = &mut self.table.endpoints[i];
            ep.notify_pending = Some(id);
            ep.observed.clear();
            self.reset_digits(i);
            self.events.push_back(GatewayEvent::Notified {
                endpoint: self.table.endpoints[i].name.to_string(),
                events,
            });
        }
    }

    /// The call agent answered a Notify.
    pub(crate) fn notify_answered(&mut self, now: Instant, i: usize, code: ReturnCode) {
        let ep = &mut self.table.endpoints[i];
        ep.notify_pending = None;
        if code.is_error() {
            // The request stays; nothing else to do but go on (RFC 3661:
            // the call agent re-arms the endpoint).
        }
        let rearmed = std::mem::take(&mut ep.requested_while_notifying);
        match ep.request.looping {
            Some(LoopControl::Loop) => self.release_quarantine(now, i),
            // The next request already came: process what it quarantined.
            _ if rearmed => self.release_quarantine(now, i),
            _ => ep.lockstep = true,
        }
    }
}

/// RFC 3435 §4.4.2: requesting off-hook on an off-hook line is 401,
/// on-hook or flash on an on-hook line is 402.
fn check_hook(hook: Hook, requested: &[Requested]) -> Result<(), Reply> {
    let asks =
        |name: &str| {
            requested.iter().any(|r| {
            r.pattern.package.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("L"))
                && matches!(&r.pattern.event, EventMatch::Name(n) if n.eq_ignore_ascii_case(name))
        })
        };
    match hook {
        Hook::Off if asks("hd") => Err(Reply::code(ReturnCode::ALREADY_OFF_HOOK)),
        Hook::On if asks("hu") || asks("hf") => Err(Reply::code(ReturnCode::ALREADY_ON_HOOK)),
        _ => Ok(()),
    }
}
