//! Operating a running gateway: metrics after a scripted call, admin
//! commands, and the Cisco-style trace read back by `mgcp decode`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mgcp_ops::metrics::{Sample, read};
use support::{Agent, Daemon, http_get, mgcp, param};

const EP1: &str = "aaln/1@gw.example.net";
const EP2: &str = "aaln/2@gw.example.net";

fn metrics(http: &str) -> Vec<Sample> {
    read(&http_get(&format!("http://{http}/metrics")))
}

fn value(samples: &[Sample], name: &str, label: Option<(&str, &str)>) -> f64 {
    samples
        .iter()
        .find(|s| s.name == name && label.is_none_or(|(k, v)| s.label(k) == Some(v)))
        .map_or(0.0, |s| s.value)
}

fn sdp(response: &str) -> String {
    let at = response.find("\r\n\r\n").unwrap();
    response[at + 4..].replace("\r\n", "\n")
}

#[test]
fn metrics_admin_commands_and_trace_after_a_scripted_call() {
    let mut ca = Agent::new();
    let gw = Daemon::start(&[
        "gateway",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--call-agent",
        &ca.addr(),
        "--http",
        "127.0.0.1:0",
        "--trace",
        "cisco",
    ]);
    let (mg, control, http) = (
        gw.addr("MGCP on "),
        gw.addr("control on "),
        gw.addr("HTTP on "),
    );
    ca.expect("RSIP");

    // A call between two lines of the gateway.
    let r1 = ca.command(
        &mg,
        &format!("CRCX {{tid}} {EP1} MGCP 1.0\nC: C411\nM: recvonly\n"),
    );
    assert!(r1.starts_with("200 "), "{r1}");
    let i1 = param(&r1, "I").unwrap().to_string();
    let r2 = ca.command(
        &mg,
        &format!(
            "CRCX {{tid}} {EP2} MGCP 1.0\nC: C411\nM: sendrecv\n\n{}",
            sdp(&r1)
        ),
    );
    assert!(r2.starts_with("200 "), "{r2}");
    let i2 = param(&r2, "I").unwrap().to_string();
    let r = ca.command(
        &mg,
        &format!(
            "MDCX {{tid}} {EP1} MGCP 1.0\nC: C411\nI: {i1}\nM: sendrecv\n\n{}",
            sdp(&r2)
        ),
    );
    assert!(r.starts_with("200 "), "{r}");
    let r = ca.command(
        &mg,
        &format!("RQNT {{tid}} {EP1} MGCP 1.0\nX: 1\nR: L/hd(N)\n"),
    );
    assert!(r.starts_with("200 "), "{r}");
    let r = ca.command(&mg, &format!("AUEP {{tid}} {EP1} MGCP 1.0\nF: I\n"));
    assert!(r.contains(&i1), "{r}");
    // DLCX sent twice with the same transaction id: one execution.
    let dlcx = format!("DLCX 9000 {EP2} MGCP 1.0\r\nC: C411\r\nI: {i2}\r\n");
    let r = ca.command(&mg, &dlcx);
    assert!(r.starts_with("250 9000"), "{r}");
    let r = ca.command(&mg, &dlcx);
    assert!(r.starts_with("250 9000"), "{r}");

    let m = metrics(&http);
    let verb = |v| value(&m, "mgcp_commands_received_total", Some(("verb", v)));
    assert_eq!(
        (
            verb("CRCX"),
            verb("MDCX"),
            verb("RQNT"),
            verb("AUEP"),
            verb("DLCX")
        ),
        (2.0, 1.0, 1.0, 1.0, 1.0)
    );
    let code = |c| value(&m, "mgcp_responses_sent_total", Some(("code", c)));
    assert_eq!((code("200"), code("250")), (5.0, 1.0));
    assert_eq!(
        value(&m, "mgcp_commands_sent_total", Some(("verb", "RSIP"))),
        1.0
    );
    assert_eq!(
        value(&m, "mgcp_responses_received_total", Some(("code", "200"))),
        1.0
    );
    assert_eq!(value(&m, "mgcp_duplicates_received_total", None), 1.0);
    assert_eq!(value(&m, "mgcp_answered_from_history_total", None), 1.0);
    assert_eq!(value(&m, "mgcp_connections", None), 1.0);
    assert_eq!(value(&m, "mgcp_calls", None), 1.0);
    assert_eq!(
        value(&m, "mgcp_endpoints", Some(("state", "connected"))),
        1.0
    );
    assert_eq!(value(&m, "mgcp_connections_created_total", None), 2.0);
    assert_eq!(value(&m, "mgcp_connections_deleted_total", None), 1.0);

    // Admin: what is there, then drop the call.
    let (ok, out, err) = mgcp(&["admin", "--control", &control, "show", "connections"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&i1) && out.contains("C411") && out.contains("(1 connections)"),
        "{out}"
    );
    let (ok, out, _) = mgcp(&["admin", "--control", &control, "show", "calls"]);
    assert!(
        ok && out.contains("C411") && out.contains("aaln/1"),
        "{out}"
    );
    let (ok, out, _) = mgcp(&["admin", "--control", &control, "show", "endpoints"]);
    assert!(
        ok && out.lines().nth(1).unwrap().contains("connected"),
        "{out}"
    );
    let (ok, out, err) = mgcp(&["admin", "--control", &control, "drop", "C411"]);
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!("released connection {i1} of call C411 on aaln/1")),
        "{out}"
    );
    let d = ca.expect("DLCX");
    assert_eq!(param(&d, "C"), Some("C411"));
    assert_eq!(param(&d, "I"), Some(i1.as_str()));
    assert_eq!(param(&d, "E"), Some("904 Manual intervention"));
    let (ok, _, err) = mgcp(&["admin", "--control", &control, "drop", "C411"]);
    assert!(!ok && err.contains("no such call"), "{err}");
    let (ok, _, err) = mgcp(&["admin", "--control", &control, "reset", "aaln/99"]);
    assert!(!ok && err.contains("no such endpoint"), "{err}");
    let (ok, out, _) = mgcp(&["admin", "--control", &control, "reset", EP1]);
    assert!(ok && out.contains("nothing to release"), "{out}");

    let m = metrics(&http);
    assert_eq!(value(&m, "mgcp_connections", None), 0.0);
    assert_eq!(value(&m, "mgcp_calls", None), 0.0);
    assert_eq!(value(&m, "mgcp_connections_deleted_total", None), 2.0);
    assert_eq!(
        value(&m, "mgcp_commands_sent_total", Some(("verb", "DLCX"))),
        1.0
    );

    // The Cisco-style trace decodes message by message, the duplicate
    // DLCX flagged.
    let trace = gw.stop();
    let dir = std::env::temp_dir().join(format!("mgcp-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gateway.log");
    std::fs::write(&file, &trace).unwrap();
    let (ok, out, err) = mgcp(&["decode", file.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ok, "{err}\n{trace}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].contains("RSIP"), "{out}");
    for verb in ["CRCX", "MDCX", "RQNT", "AUEP", "DLCX 9000", "DLCX"] {
        assert!(lines.iter().any(|l| l.contains(verb)), "{verb}: {out}");
    }
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("[retransmission]"))
            .count(),
        2,
        "{out}"
    );
    assert!(
        out.contains("(CRCX, "),
        "responses matched to commands: {out}"
    );
}

#[test]
fn http_is_off_by_default_and_the_live_view_needs_asking() {
    let gw = Daemon::start(&[
        "gateway",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--no-rsip",
    ]);
    assert!(!gw.banner.contains("HTTP"), "{}", gw.banner);
    drop(gw);
    let gw = Daemon::start(&[
        "gateway",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--no-rsip",
        "--http",
        "127.0.0.1:0",
    ]);
    let http = gw.addr("HTTP on ");
    assert!(http.starts_with("127.0.0.1:"));
    let err = ureq::get(&format!("http://{http}/")).call().unwrap_err();
    assert!(matches!(err, ureq::Error::StatusCode(404)), "{err}");
    assert!(
        http_get(&format!("http://{http}/metrics")).contains("mgcp_endpoints{state=\"idle\"} 56")
    );
}
