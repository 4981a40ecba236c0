//! Operator actions (RFC 3435 §2.3.8): connections the gateway releases on
//! its own are reported to the call agent with a DLCX carrying the CallId,
//! ConnectionId, ReasonCode 904 and the final statistics.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mgcp_gateway::admin::MANUAL_INTERVENTION;
use mgcp_gateway::{AdminError, LineEvent};
use support::{Harness, code, param};

const EP: &str = "aaln/1@gw.example.net";

fn crcx(h: &mut Harness, endpoint: &str, call: &str) -> String {
    let r = h.cmd(&format!(
        "CRCX {{tid}} {endpoint} MGCP 1.0\nC: {call}\nM: recvonly\n"
    ));
    assert_eq!(code(&r), 200, "{r}");
    param(&r, "I").unwrap().to_string()
}

#[test]
fn dropping_a_call_releases_its_connections_and_tells_the_call_agent() {
    let mut h = Harness::new();
    let c1 = crcx(&mut h, EP, "C0FFEE1");
    let c2 = crcx(&mut h, "aaln/2@gw.example.net", "C0FFEE1");
    let other = crcx(&mut h, EP, "C0FFEE2");
    let released =
        h.gw.drop_call(h.now, "c0ffee1", MANUAL_INTERVENTION)
            .unwrap();
    assert_eq!(released.len(), 2);
    let dlcx = h.take_all("DLCX");
    assert_eq!(dlcx.len(), 2, "{dlcx:?}");
    let ids: Vec<_> = dlcx.iter().map(|d| param(d, "I").unwrap()).collect();
    assert!(
        ids.contains(&c1.as_str()) && ids.contains(&c2.as_str()),
        "{dlcx:?}"
    );
    for d in &dlcx {
        assert_eq!(param(d, "C"), Some("C0FFEE1"));
        assert_eq!(param(d, "E"), Some("904 Manual intervention"));
        assert!(param(d, "P").unwrap().contains("PS="), "{d}");
    }
    // The other call is untouched, and the endpoints no longer know C0FFEE1.
    assert_eq!(h.gw.endpoint("aaln/1").unwrap().connections.len(), 1);
    assert_eq!(h.gw.endpoint("aaln/1").unwrap().connections[0].id, other);
    let r = h.cmd(&format!(
        "DLCX {{tid}} {EP} MGCP 1.0\nC: C0FFEE1\nI: {c1}\n"
    ));
    assert_eq!(code(&r), 515, "{r}");
    // The call agent acknowledges the DLCX like any command.
    h.answer(&dlcx[0], "250");
    assert_eq!(
        h.gw.drop_call(h.now, "C0FFEE1", 904),
        Err(AdminError::UnknownCall)
    );
}

#[test]
fn releasing_one_endpoints_connections() {
    let mut h = Harness::new();
    crcx(&mut h, EP, "A");
    crcx(&mut h, EP, "B");
    let released =
        h.gw.release_connections(h.now, "aaln/1", Some("B"), 904)
            .unwrap();
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].call, "B");
    assert_eq!(h.take_all("DLCX").len(), 1);
    assert_eq!(h.gw.connection_count(), 1);
    assert_eq!(
        h.gw.release_connections(h.now, "aaln/1", Some("B"), 904),
        Err(AdminError::UnknownCall)
    );
    assert_eq!(
        h.gw.release_connections(h.now, "aaln/99", None, 904),
        Err(AdminError::UnknownEndpoint)
    );
    // Other reason codes are sent as given.
    h.gw.release_connections(h.now, "aaln/1", None, 905)
        .unwrap();
    let d = h.take_command("DLCX");
    assert_eq!(
        param(&d, "E"),
        Some("905 Facility failure (e.g., DS-0 failure)")
    );
}

#[test]
fn resetting_an_endpoint_clears_its_request_signals_and_connections() {
    let mut h = Harness::new();
    crcx(&mut h, EP, "A");
    let r = h.cmd(&format!(
        "RQNT {{tid}} {EP} MGCP 1.0\nX: 77\nR: L/hd(N)\nS: L/rg\nD: (xx)\n"
    ));
    assert_eq!(code(&r), 200, "{r}");
    assert_eq!(h.gw.line_status("aaln/1").unwrap().signals, vec!["L/rg"]);
    let released = h.gw.reset_endpoint(h.now, "aaln/1").unwrap();
    assert_eq!(released.len(), 1);
    assert_eq!(h.take_all("DLCX").len(), 1);
    let status = h.gw.line_status("aaln/1").unwrap();
    assert!(status.signals.is_empty() && status.connections.is_empty());
    // The audit shows the request gone (X: 0) and no digit map.
    let a = h.cmd(&format!("AUEP {{tid}} {EP} MGCP 1.0\nF: X, D, S\n"));
    assert_eq!(param(&a, "X"), Some("0"), "{a}");
    assert_eq!(param(&a, "S"), Some(""), "{a}");
    // Persistent events still reach the call agent.
    h.line("aaln/1", LineEvent::OffHook);
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "X"), Some("0"));
    assert_eq!(
        h.gw.reset_endpoint(h.now, "nope").unwrap_err(),
        AdminError::UnknownEndpoint
    );
}
