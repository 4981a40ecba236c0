//! RFC 3435 §2.3.12 and §4.4.6-§4.4.7: restart avalanche, RSIP responses
//! (200 with N:, 521 redirect), the disconnected procedure, shutdown, and
//! call-agent security.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mgcp_gateway::config::{RestartConfig, Security, Unauthorized};
use mgcp_gateway::{GatewayConfig, LineEvent, Service};
use support::{CA, Harness, addr, code, param};

fn config() -> GatewayConfig {
    GatewayConfig {
        call_agents: vec![addr(CA)],
        ..GatewayConfig::default()
    }
}

#[test]
fn s4_4_6_start_up_rsip_waits_a_random_delay_within_mwd() {
    let mwd = Duration::from_secs(10);
    let mut delays = Vec::new();
    for seed in 0..20u64 {
        let now = std::time::Instant::now();
        let mut cfg = config();
        cfg.restart.max_waiting_delay_ms = 10_000;
        let gw = mgcp_gateway::Gateway::new(
            cfg,
            mgcp_gateway::NullMedia::new([127, 0, 0, 1].into(), 4000, 5000),
            seed,
            now,
        )
        .unwrap();
        let at = mgcp_txn::Node::poll_timeout(&gw).unwrap();
        assert!(at - now <= mwd);
        delays.push(at - now);
    }
    delays.sort();
    delays.dedup();
    assert!(
        delays.len() > 10,
        "delays are spread, not synchronised: {delays:?}"
    );
}

#[test]
fn s4_4_6_rsip_restart_is_wildcarded_and_answered_into_service() {
    let mut h = Harness::starting(config());
    assert!(!h.gw.in_service());
    h.advance(Duration::from_secs(3));
    let rsip = h.take_command("RSIP");
    assert!(
        rsip.starts_with("RSIP ") && rsip.contains(" *@gw.example.net MGCP 1.0"),
        "{rsip}"
    );
    assert_eq!(param(&rsip, "RM"), Some("restart"));
    assert_eq!(param(&rsip, "RD"), Some("0"));
    h.answer(&rsip, "200");
    assert!(h.gw.in_service());
    assert_eq!(h.gw.endpoint("aaln/1").unwrap().service, Service::InService);
}

#[test]
fn s4_4_6_a_command_before_the_timer_triggers_the_rsip_first() {
    let mut h = Harness::starting(GatewayConfig {
        restart: RestartConfig {
            max_waiting_delay_ms: 600_000,
            ..RestartConfig::default()
        },
        ..config()
    });
    let r = h.cmd("AUEP {tid} aaln/1@gw.example.net MGCP 1.0\n");
    assert_eq!(code(&r), 200);
    // The RSIP went out before the response.
    let order: Vec<String> = h.sent.iter().map(|(_, t)| t[..4].to_string()).collect();
    assert_eq!(order.first().map(String::as_str), Some("RSIP"), "{order:?}");
}

#[test]
fn s4_4_6_off_hook_triggers_the_rsip() {
    let mut h = Harness::starting(GatewayConfig {
        restart: RestartConfig {
            max_waiting_delay_ms: 600_000,
            ..RestartConfig::default()
        },
        ..config()
    });
    h.line("aaln/1", LineEvent::OffHook);
    let rsip = h.take_command("RSIP");
    h.answer(&rsip, "200");
    // The off-hook held meanwhile is then notified (X: 0: no request yet).
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "X"), Some("0"));
    assert_eq!(param(&n, "O"), Some("L/hd"));
}

#[test]
fn s2_3_12_rsip_response_with_n_sets_the_notified_entity() {
    let mut h = Harness::starting(config());
    h.advance(Duration::from_secs(3));
    let rsip = h.take_command("RSIP");
    h.answer(&rsip, "200\nN: ca@[10.0.0.8]:2727");
    h.line("aaln/1", LineEvent::OffHook);
    let (to, _) = h
        .sent
        .iter()
        .find(|(_, t)| t.starts_with("NTFY"))
        .cloned()
        .unwrap();
    assert_eq!(to, addr("10.0.0.8:2727"));
}

#[test]
fn s2_3_12_521_redirects_the_rsip_to_another_call_agent() {
    let mut h = Harness::starting(config());
    h.advance(Duration::from_secs(3));
    let rsip = h.take_command("RSIP");
    h.sent.clear();
    h.answer(&rsip, "521\nN: backup@[10.0.0.3]:2727");
    let (to, again) = h
        .sent
        .iter()
        .find(|(_, t)| t.starts_with("RSIP"))
        .cloned()
        .unwrap();
    assert_eq!(to, addr("10.0.0.3:2727"));
    assert_eq!(param(&again, "RM"), Some("restart"));
    assert!(!h.gw.in_service());
}

#[test]
fn s4_4_7_unanswered_rsip_starts_the_disconnected_procedure() {
    let mut h = Harness::starting(config());
    h.advance(Duration::from_secs(3));
    // The call agent never answers: after T-MAX the gateway is disconnected.
    h.advance(Duration::from_secs(25));
    assert_eq!(
        h.gw.endpoint("aaln/1").unwrap().service,
        Service::Disconnected
    );
    h.take_all("RSIP");
    // Within Tdinit (15 s) a "disconnected" RSIP goes out.
    h.advance(Duration::from_secs(15));
    let rsips = h.take_all("RSIP");
    assert!(!rsips.is_empty());
    assert_eq!(param(&rsips[0], "RM"), Some("disconnected"));
    // Answering it puts the gateway back in service.
    h.answer(&rsips[0], "200");
    assert!(h.gw.in_service());
    assert_eq!(h.gw.endpoint("aaln/1").unwrap().service, Service::InService);
}

#[test]
fn s4_4_7_the_disconnected_timer_doubles_up_to_tdmax() {
    let mut h = Harness::starting(GatewayConfig {
        restart: RestartConfig {
            disconnected_initial_ms: 2_000,
            disconnected_max_ms: 16_000,
            ..RestartConfig::default()
        },
        ..config()
    });
    h.advance(Duration::from_secs(3));
    let mut starts = Vec::new();
    let mut t = Duration::ZERO;
    while t < Duration::from_secs(400) {
        h.advance(Duration::from_millis(250));
        t += Duration::from_millis(250);
        for (_, r) in h.sent.drain(..) {
            if r.starts_with("RSIP") && r.contains("RM: disconnected") {
                let tid = r.split_whitespace().nth(1).unwrap().to_string();
                if starts.last().is_none_or(|(_, last)| *last != tid) {
                    starts.push((t, tid));
                }
            }
        }
    }
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1].0 - w[0].0).collect();
    assert!(gaps.len() >= 5, "{gaps:?}");
    // Each attempt lasts up to T-MAX (20 s; retransmission jitter makes it
    // vary by a few seconds) plus a doubling Td, capped at Tdmax.
    for pair in gaps.windows(2) {
        assert!(pair[1] + Duration::from_millis(2500) >= pair[0], "{gaps:?}");
    }
    assert!(gaps.last().unwrap() > gaps.first().unwrap(), "{gaps:?}");
    assert!(
        *gaps.last().unwrap() <= Duration::from_secs(20 + 16 + 1),
        "{gaps:?}"
    );
}

#[test]
fn s4_4_7_connections_survive_disconnection() {
    let mut h = Harness::new();
    let r = h.cmd("CRCX {tid} aaln/1@gw.example.net MGCP 1.0\nC: 1\nM: sendrecv\n");
    assert_eq!(code(&r), 200);
    h.line("aaln/1", LineEvent::Flash);
    // The Notify is never answered.
    h.advance(Duration::from_secs(25));
    assert_eq!(
        h.gw.endpoint("aaln/1").unwrap().service,
        Service::Disconnected
    );
    assert_eq!(h.gw.connection_count(), 1);
}

#[test]
fn graceful_and_forced_shutdown() {
    let mut h = Harness::new();
    h.cmd("CRCX {tid} aaln/1@gw.example.net MGCP 1.0\nC: 1\nM: sendrecv\n");
    h.gw.shutdown(h.now, true);
    let rsip = h.take_command("RSIP");
    assert_eq!(param(&rsip, "RM"), Some("graceful"));
    assert_eq!(h.gw.connection_count(), 1, "graceful keeps calls");
    assert_eq!(
        code(&h.cmd("CRCX {tid} aaln/2@gw.example.net MGCP 1.0\nC: 1\nM: sendrecv\n")),
        501
    );
    h.gw.cancel_graceful(h.now);
    assert_eq!(
        param(&h.take_command("RSIP"), "RM"),
        Some("cancel-graceful")
    );
    assert_eq!(
        code(&h.cmd("CRCX {tid} aaln/2@gw.example.net MGCP 1.0\nC: 1\nM: sendrecv\n")),
        200
    );
    h.gw.shutdown(h.now, false);
    assert_eq!(param(&h.take_command("RSIP"), "RM"), Some("forced"));
    assert_eq!(h.gw.connection_count(), 0, "forced drops calls");
}

#[test]
fn only_configured_call_agents_are_obeyed() {
    let mut cfg = config();
    cfg.security = Security {
        allowed_call_agents: vec!["10.0.0.1".parse().unwrap()],
        unauthorized: Unauthorized::Drop,
    };
    cfg.restart.rsip_on_start = false;
    let mut h = Harness::starting(cfg.clone());
    h.gw.handle_timeout_now();
    let text = "CRCX 5 aaln/1@gw.example.net MGCP 1.0\r\nC: 1\r\nM: sendrecv\r\n";
    mgcp_txn::Node::handle_datagram(&mut h.gw, h.now, addr("10.9.9.9:2727"), text.as_bytes());
    assert!(
        mgcp_txn::Node::poll_transmit(&mut h.gw).is_none(),
        "dropped silently"
    );
    assert_eq!(h.gw.connection_count(), 0);
    assert_eq!(h.gw.counters().unauthorized, 1);
    assert_eq!(
        code(&h.cmd("AUEP {tid} aaln/1@gw.example.net MGCP 1.0\n")),
        200
    );
    cfg.security.unauthorized = Unauthorized::Reject;
    let mut h = Harness::starting(cfg);
    assert_eq!(
        code(&h.cmd_from(
            "10.9.9.9:2727",
            "AUEP {tid} aaln/1@gw.example.net MGCP 1.0\n"
        )),
        500
    );
}

trait Now {
    fn handle_timeout_now(&mut self);
}

impl Now for mgcp_gateway::Gateway<mgcp_gateway::NullMedia> {
    fn handle_timeout_now(&mut self) {
        mgcp_txn::Node::handle_timeout(self, std::time::Instant::now());
    }
}
