//! `mgcp demo` runs on loopback and its output shows the whole call.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mgcp");

#[test]
fn demo_shows_the_call_as_a_ladder_and_a_summary() {
    let o = Command::new(BIN)
        .args(["demo", "--talk-ms", "100"])
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        o.status.success(),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Every step of the flow, in order.
    let steps = [
        "RSIP",
        "AUEP",
        "R: L/hd(N)",
        "O: L/hd",
        "S: L/dl",
        "O: D/1, D/0, D/0, D/2",
        "CRCX",
        "M: recvonly",
        "MDCX",
        "S: L/rg",
        "S: G/rt",
        "M: sendrecv",
        "O: L/hu",
        "DLCX",
        "250",
        "P: PS=",
        "Summary",
    ];
    let mut at = 0;
    for s in steps {
        let pos = out[at..]
            .find(s)
            .unwrap_or_else(|| panic!("no {s} after byte {at}:\n{out}"));
        at += pos;
    }
    assert!(out.contains("outcome normal"), "{out}");
    assert!(out.contains("call set-up, last digit to ringing:"), "{out}");
    assert!(out.contains("DLCX statistics, caller:"), "{out}");
    // Real RTP flowed both ways while the call was up (100 ms of 20 ms
    // packets on each side; at least a few, whatever the scheduling).
    let carried = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("media packets carried: "))
        .unwrap_or_else(|| panic!("no packet count:\n{out}"));
    let sent: u64 = carried.split_whitespace().next().unwrap().parse().unwrap();
    assert!(sent >= 4, "{carried}");
    // A tone said on line 1 was heard on line 2.
    let share: f64 = out
        .lines()
        .find_map(|l| l.split("was ").nth(1)?.split(" %").next()?.parse().ok())
        .unwrap_or_else(|| panic!("no tone check:\n{out}"));
    assert!(share > 50.0, "{share} %");
    assert!(out.contains("+ session description (SDP)"), "{out}");
}

#[test]
fn demo_with_more_lines_and_quiet_prints_the_summary_only() {
    let o = Command::new(BIN)
        .args(["demo", "--lines", "4", "--talk-ms", "50", "--quiet"])
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success(), "{out}");
    assert!(out.starts_with("Summary"), "{out}");
    assert!(!out.contains("CRCX"));
}
