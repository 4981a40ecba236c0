//! Operating the call agent and gateway daemons together: a call placed
//! with `mgcp phone`, then both daemons' metrics, `mgcp admin` against
//! the agent (show, drop) and the agent's live-view state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use mgcp_ops::metrics::{Sample, read};
use serde_json::Value;
use support::{Daemon, http_get, mgcp};

fn metrics(http: &str) -> Vec<Sample> {
    read(&http_get(&format!("http://{http}/metrics")))
}

fn value(samples: &[Sample], name: &str, label: Option<(&str, &str)>) -> f64 {
    samples
        .iter()
        .find(|s| s.name == name && label.is_none_or(|(k, v)| s.label(k) == Some(v)))
        .map_or(0.0, |s| s.value)
}

/// Polls `probe` until it holds (15 s at most).
fn until(what: &str, probe: impl Fn() -> bool) {
    let end = Instant::now() + Duration::from_secs(15);
    while !probe() {
        assert!(Instant::now() < end, "never: {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn phone(control: &str, args: &[&str]) {
    let mut v = vec!["phone", "--control", control];
    v.extend_from_slice(args);
    let (ok, out, err) = mgcp(&v);
    assert!(ok, "{args:?}: {out}{err}");
}

#[test]
fn both_daemons_count_a_call_and_the_agent_drops_one_on_request() {
    let agent = Daemon::start(&[
        "agent",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--http",
        "127.0.0.1:0",
        "--live-view",
    ]);
    let (a_mgcp, a_ctl, a_http) = (
        agent.addr("MGCP on "),
        agent.addr("control on "),
        agent.addr("HTTP on "),
    );
    let gw = Daemon::start(&[
        "gateway",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--call-agent",
        &a_mgcp,
        "--http",
        "127.0.0.1:0",
    ]);
    let (g_ctl, g_http) = (gw.addr("control on "), gw.addr("HTTP on "));
    until("four lines idle", || {
        value(&metrics(&a_http), "mgcp_endpoints", Some(("state", "idle"))) >= 4.0
    });
    assert_eq!(
        value(
            &metrics(&a_http),
            "mgcp_gateways",
            Some(("state", "in-service"))
        ),
        1.0
    );

    // A call 1001 -> 1002, answered, hung up.
    phone(&g_ctl, &["aaln/1", "offhook"]);
    phone(&g_ctl, &["aaln/1", "wait", "L/dl", "--timeout", "5"]);
    phone(&g_ctl, &["aaln/1", "dial", "1002", "--gap", "20"]);
    phone(&g_ctl, &["aaln/2", "wait", "L/rg", "--timeout", "5"]);
    phone(&g_ctl, &["aaln/2", "offhook"]);
    until("the call is active", || {
        value(&metrics(&a_http), "mgcp_calls", Some(("state", "active"))) == 1.0
    });
    // RTP flows between the two lines while they talk; the gateway counts it.
    until("RTP both ways", || {
        let m = metrics(&g_http);
        value(&m, "mgcp_rtp_packets_received_total", None) >= 4.0
            && value(&m, "mgcp_rtp_packets_sent_total", None) >= 4.0
    });
    phone(&g_ctl, &["aaln/2", "onhook"]);
    until("the call is over", || {
        value(&metrics(&a_http), "mgcp_calls_completed_total", None) == 1.0
    });
    phone(&g_ctl, &["aaln/1", "onhook"]);

    let am = metrics(&a_http);
    assert_eq!(value(&am, "mgcp_calls_attempted_total", None), 1.0);
    assert_eq!(value(&am, "mgcp_calls_answered_total", None), 1.0);
    assert_eq!(
        value(&am, "mgcp_commands_sent_total", Some(("verb", "CRCX"))),
        2.0
    );
    assert_eq!(
        value(&am, "mgcp_commands_sent_total", Some(("verb", "DLCX"))),
        2.0
    );
    assert!(value(&am, "mgcp_commands_received_total", Some(("verb", "NTFY"))) >= 4.0);
    assert_eq!(
        value(&am, "mgcp_commands_received_total", Some(("verb", "RSIP"))),
        1.0
    );
    let gm = metrics(&g_http);
    assert_eq!(
        value(&gm, "mgcp_commands_received_total", Some(("verb", "CRCX"))),
        2.0
    );
    assert_eq!(value(&gm, "mgcp_connections_created_total", None), 2.0);
    assert_eq!(value(&gm, "mgcp_connections_deleted_total", None), 2.0);
    assert_eq!(
        value(&gm, "mgcp_responses_sent_total", Some(("code", "250"))),
        2.0
    );
    assert_eq!(value(&gm, "mgcp_connections", None), 0.0);
    // Closed connections' packets stay counted.
    let rtp: Vec<_> = gm
        .iter()
        .filter(|s| s.name.starts_with("mgcp_rtp"))
        .collect();
    assert!(
        value(&gm, "mgcp_rtp_octets_received_total", None) >= 4.0 * 160.0,
        "{rtp:?}"
    );
    // What one side sent, the other received.
    assert_eq!(
        value(&gm, "mgcp_commands_sent_total", Some(("verb", "NTFY"))),
        value(&am, "mgcp_commands_received_total", Some(("verb", "NTFY")))
    );

    // A second call, dropped by the operator on the agent.
    phone(&g_ctl, &["aaln/3", "offhook"]);
    phone(&g_ctl, &["aaln/3", "wait", "L/dl", "--timeout", "5"]);
    phone(&g_ctl, &["aaln/3", "dial", "1004", "--gap", "20"]);
    phone(&g_ctl, &["aaln/4", "wait", "L/rg", "--timeout", "5"]);
    phone(&g_ctl, &["aaln/4", "offhook"]);
    until("the second call is active", || {
        value(&metrics(&a_http), "mgcp_calls", Some(("state", "active"))) == 1.0
    });
    let (ok, out, err) = mgcp(&["admin", "--control", &a_ctl, "show", "calls"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("aaln/3@gw.example.net")
            && out.contains("active")
            && out.contains("(1 calls)"),
        "{out}"
    );
    let call = out
        .lines()
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let state: Value =
        serde_json::from_str(&http_get(&format!("http://{a_http}/api/state"))).unwrap();
    assert_eq!(state["role"], "agent");
    assert_eq!(state["tables"][0]["title"], "Calls");
    assert_eq!(state["tables"][0]["rows"][0][0], call.as_str());
    assert!(
        state["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["text"].as_str().unwrap().starts_with("NTFY"))
    );
    let (ok, out, err) = mgcp(&["admin", "--control", &a_ctl, "drop", &call]);
    assert!(
        ok && out.contains(&format!("released call {call}")),
        "{out}{err}"
    );
    until("the gateway's connections are gone", || {
        value(&metrics(&g_http), "mgcp_connections", None) == 0.0
    });
    let (ok, _, err) = mgcp(&["admin", "--control", &a_ctl, "drop", &call]);
    assert!(!ok && err.contains("no such call"), "{err}");
    let (ok, out, _) = mgcp(&["admin", "--control", &a_ctl, "show", "gateways"]);
    assert!(
        ok && out.contains("gw.example.net") && out.contains("in-service"),
        "{out}"
    );
}
