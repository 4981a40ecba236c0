//! What gateways send the agent, one datagram at a time: every
//! RestartInProgress method (RFC 3435 §2.3.12, §3.3.8), and bad input —
//! garbage, unknown endpoints, unsupported commands, Notify with an
//! unknown request id — answered with the right code and changing
//! nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_agent::{Agent, GatewayState, MemoryStore, Phase};
use mgcp_txn::Node;
use support::agent_config;

const GW: &str = "10.0.1.1:2427";

struct Harness {
    agent: Agent,
    now: Instant,
    tid: u32,
    sent: Vec<String>,
}

impl Harness {
    fn new() -> Harness {
        let now = Instant::now();
        let mut cfg = agent_config(1);
        // Learn the address from the RSIP: nothing is audited before it.
        cfg.gateways[0].addresses.clear();
        let agent = Agent::new(cfg, Box::new(MemoryStore::new()), 5, now).unwrap();
        Harness {
            agent,
            now,
            tid: 500,
            sent: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(t) = self.agent.poll_transmit() {
            self.sent.push(String::from_utf8(t.contents).unwrap());
        }
    }

    /// Sends `text` from the gateway; returns the agent's answer.
    fn send(&mut self, text: &str) -> String {
        self.tid += 1;
        let text = text
            .replace("{tid}", &self.tid.to_string())
            .replace('\n', "\r\n");
        self.agent
            .handle_datagram(self.now, GW.parse::<SocketAddr>().unwrap(), text.as_bytes());
        self.drain();
        let tid = self.tid.to_string();
        let pos = self
            .sent
            .iter()
            .position(|m| {
                m.as_bytes()[0].is_ascii_digit() && m.split_whitespace().nth(1) == Some(&tid)
            })
            .unwrap_or_else(|| panic!("no answer to {text}: {:?}", self.sent));
        self.sent.remove(pos)
    }

    /// Commands the agent sent with `verb` (removed).
    fn take(&mut self, verb: &str) -> Vec<String> {
        self.drain();
        let (hit, keep) = self.sent.drain(..).partition(|m| m.starts_with(verb));
        self.sent = keep;
        hit
    }

    /// Answers every command the agent sent, the way a gateway with idle,
    /// on-hook lines would.
    fn answer_all(&mut self) {
        for _ in 0..10 {
            self.drain();
            let commands: Vec<String> = self
                .sent
                .drain(..)
                .filter(|m| !m.as_bytes()[0].is_ascii_digit())
                .collect();
            if commands.is_empty() {
                return;
            }
            for c in commands {
                let tid = c.split_whitespace().nth(1).unwrap();
                let extra = if c.starts_with("AUEP") {
                    "ES: L/hu\r\n"
                } else {
                    ""
                };
                let r = format!("200 {tid} OK\r\n{extra}");
                self.agent
                    .handle_datagram(self.now, GW.parse().unwrap(), r.as_bytes());
            }
        }
    }

    fn phase(&self, ep: &str) -> Phase {
        self.agent
            .line(&format!("{ep}@gw1.example.net"))
            .unwrap()
            .phase
    }

    fn registered(mut self) -> Harness {
        let r = self.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: restart\nRD: 0\n");
        assert!(r.starts_with("200"), "{r}");
        self.answer_all();
        assert_eq!(self.phase("aaln/1"), Phase::Idle);
        self
    }
}

fn code(r: &str) -> u16 {
    r[..3].parse().unwrap()
}

#[test]
fn rfc3435_s4_4_6_rsip_restart_registers_audits_and_arms_every_line() {
    let mut h = Harness::new();
    let r = h.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: restart\nRD: 0\n");
    assert_eq!(code(&r), 200);
    assert_eq!(h.agent.gateways()[0].state, GatewayState::InService);
    let audits = h.take("AUEP");
    assert_eq!(audits.len(), 8, "every line and trunk channel: {audits:?}");
    assert!(audits.iter().all(|a| a.contains("F: I, ES")), "{audits:?}");
    for a in &audits {
        let tid = a.split_whitespace().nth(1).unwrap();
        h.agent.handle_datagram(
            h.now,
            GW.parse().unwrap(),
            format!("200 {tid} OK\r\nES: L/hu\r\n").as_bytes(),
        );
    }
    let rqnts = h.take("RQNT");
    assert_eq!(
        rqnts.len(),
        4,
        "lines watch for off-hook; trunks need no request"
    );
    assert!(rqnts.iter().all(|r| r.contains("R: L/hd(N)")), "{rqnts:?}");
}

#[test]
fn rfc3435_s2_3_12_graceful_cancel_forced_and_keepalive() {
    let mut h = Harness::new().registered();
    // Graceful on one line: no new calls to it; out of service after RD.
    let r = h.send("RSIP {tid} aaln/2@gw1.example.net MGCP 1.0\nRM: graceful\nRD: 10\n");
    assert_eq!(code(&r), 200);
    assert!(h.agent.line("aaln/2@gw1.example.net").unwrap().draining);
    let r = h.send("RSIP {tid} aaln/2@gw1.example.net MGCP 1.0\nRM: cancel-graceful\n");
    assert_eq!(code(&r), 200);
    assert!(!h.agent.line("aaln/2@gw1.example.net").unwrap().draining);
    let r = h.send("RSIP {tid} aaln/2@gw1.example.net MGCP 1.0\nRM: graceful\nRD: 10\n");
    assert_eq!(code(&r), 200);
    h.now += Duration::from_secs(11);
    h.agent.handle_timeout(h.now);
    assert_eq!(h.phase("aaln/2"), Phase::OutOfService);
    // Forced on the trunk span: out of service at once.
    let r = h.send("RSIP {tid} ds/ds1-1/*@gw1.example.net MGCP 1.0\nRM: forced\n");
    assert_eq!(code(&r), 200);
    assert_eq!(h.phase("ds/ds1-1/3"), Phase::OutOfService);
    assert_eq!(h.phase("aaln/1"), Phase::Idle);
    // Cisco keep-alive.
    let r = h.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: X-KeepAlive\n");
    assert_eq!(code(&r), 200);
    // A restart method nobody knows.
    let r = h.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: X-Frobnicate\n");
    assert_eq!(code(&r), 536);
}

#[test]
fn rfc3435_s3_3_8_rsip_200_names_the_configured_notified_entity() {
    let now = Instant::now();
    let mut cfg = agent_config(1);
    cfg.notified_entity = Some("ca@ca.example.net:2727".into());
    let mut h = Harness::new();
    h.agent = Agent::new(cfg, Box::new(MemoryStore::new()), 5, now).unwrap();
    let r = h.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: restart\n");
    assert!(
        r.starts_with("200") && r.contains("N: ca@ca.example.net:2727"),
        "{r}"
    );
}

#[test]
fn rfc3435_s2_3_12_disconnected_reaudits_and_keeps_state() {
    let mut h = Harness::new().registered();
    let r = h.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: disconnected\nRD: 30\n");
    assert_eq!(code(&r), 200);
    assert_eq!(h.take("AUEP").len(), 8);
}

#[test]
fn bad_input_gets_the_right_code_and_changes_nothing() {
    let mut h = Harness::new().registered();
    let before = h.agent.counters().clone();
    // Unknown endpoint.
    let r = h.send("NTFY {tid} aaln/9@gw1.example.net MGCP 1.0\nX: 1\nO: L/hd\n");
    assert_eq!(code(&r), 500);
    // Unknown gateway.
    let r = h.send("RSIP {tid} *@nowhere.example.net MGCP 1.0\nRM: restart\n");
    assert_eq!(code(&r), 500);
    // Notify with a request id the agent never issued.
    let r = h.send("NTFY {tid} aaln/1@gw1.example.net MGCP 1.0\nX: DEADBEEF\nO: L/hd\n");
    assert_eq!(code(&r), 539);
    assert_eq!(h.phase("aaln/1"), Phase::Idle);
    // A command only gateways execute.
    let r = h.send("CRCX {tid} aaln/1@gw1.example.net MGCP 1.0\nC: 1\nM: recvonly\n");
    assert_eq!(code(&r), 504);
    // A Notify without its mandatory ObservedEvents.
    let r = h.send("NTFY {tid} aaln/1@gw1.example.net MGCP 1.0\nX: 1\n");
    assert!(code(&r) >= 500, "{r}");
    // Garbage with a readable first line, and plain noise.
    let r = h.send("NTFY {tid} aaln/1@gw1.example.net MGCP 1.0\nO: L/hd(\n");
    assert!(code(&r) >= 500, "{r}");
    h.agent
        .handle_datagram(h.now, GW.parse().unwrap(), b"\x00\xffhello");
    h.drain();
    assert!(h.take("CRCX").is_empty() && h.take("RQNT").is_empty());
    assert_eq!(h.phase("aaln/1"), Phase::Idle);
    assert!(h.agent.calls().next().is_none());
    let after = h.agent.counters();
    assert_eq!(after.calls_attempted, before.calls_attempted);
    assert!(after.refused >= before.refused + 4);
}

#[test]
fn rfc3435_s4_4_2_a_request_answered_401_is_an_off_hook_the_agent_missed() {
    let mut h = Harness::new();
    h.send("RSIP {tid} *@gw1.example.net MGCP 1.0\nRM: restart\n");
    // Audits say on hook, but the phone is lifted before the request.
    for a in h.take("AUEP") {
        let tid = a.split_whitespace().nth(1).unwrap();
        h.agent.handle_datagram(
            h.now,
            GW.parse().unwrap(),
            format!("200 {tid} OK\r\n").as_bytes(),
        );
    }
    let rqnt = h
        .take("RQNT")
        .into_iter()
        .find(|r| r.contains("aaln/1@"))
        .unwrap();
    let tid = rqnt.split_whitespace().nth(1).unwrap();
    h.agent.handle_datagram(
        h.now,
        GW.parse().unwrap(),
        format!("401 {tid} already off hook\r\n").as_bytes(),
    );
    assert_eq!(h.phase("aaln/1"), Phase::Dialling);
    let dial = h.take("RQNT");
    assert!(
        dial.iter()
            .any(|r| r.contains("S: L/dl") && r.contains("D: (")),
        "{dial:?}"
    );
}
