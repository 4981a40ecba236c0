//! `mgcp decode` on captures and Cisco logs: pcap and pcapng the test
//! writes from known datagrams (Ethernet, Linux cooked, IPv6, fragments,
//! other ports), a real capture of osmo-mgw, and the Cisco trace of seed
//! 003 message by message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use support::frames;

fn mgcp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .args(args)
        .output()
        .unwrap()
}

fn temp(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mgcp-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn a(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

const CRCX: &str = "CRCX 1204 aaln/1@gw MGCP 1.0\r\nC: A1\r\nM: recvonly\r\n";
const OK: &str = "200 1204 OK\r\nI: FDE234C8\r\n";

#[test]
fn pcap_with_ethernet_frames_matches_requests_and_responses() {
    let (ca, gw) = (a("10.0.0.1:2727"), a("10.0.0.2:2427"));
    let f = |t, from, to, text: &str| {
        (
            t,
            frames::ethernet(&frames::ipv4(from, to, text.as_bytes(), 1480, 1)[0]),
        )
    };
    let file = temp(
        "eth.pcap",
        &frames::pcap(
            1,
            &[
                f(1_000_000, ca, gw, CRCX),
                f(1_200_000, ca, gw, CRCX),
                f(1_250_000, gw, ca, OK),
            ],
        ),
    );
    let o = mgcp(&["decode", "--json", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_lines(&o);
    assert_eq!(v.len(), 3);
    assert_eq!(v[0]["verb"], "CRCX");
    assert_eq!(v[0]["from"], "10.0.0.1:2727");
    assert_eq!(v[1]["duplicate"], true, "the retransmission is flagged");
    assert_eq!(v[2]["code"], 200);
    assert_eq!(v[2]["answers"], "CRCX");
    assert!((v[2]["response_time_ms"].as_f64().unwrap() - 250.0).abs() < 0.01);
    assert_eq!(v[2]["params"][0][0], "I");
}

#[test]
fn fragments_cooked_capture_ipv6_and_other_ports() {
    let (ca, gw) = (a("10.0.0.1:2727"), a("10.0.0.2:2427"));
    // A long audit response, split into IPv4 fragments of 504 bytes.
    let mut big = String::from("200 7 OK\r\n");
    for i in 0..60 {
        big.push_str(&format!("Z: aaln/{i}@gw.example.net\r\n"));
    }
    let mut sll = Vec::new();
    for frag in frames::ipv4(gw, ca, big.as_bytes(), 504, 77) {
        sll.push((2_000_000, frames::linux_sll(&frag)));
    }
    assert!(sll.len() > 2);
    let (ca6, gw6) = (a("[2001:db8::1]:2727"), a("[2001:db8::2]:2427"));
    sll.push((
        2_100_000,
        frames::linux_sll(&frames::ipv6(ca6, gw6, CRCX.as_bytes())),
    ));
    let odd = a("10.0.0.9:5000");
    sll.push((
        2_200_000,
        frames::linux_sll(&frames::ipv4(odd, a("10.0.0.2:5001"), OK.as_bytes(), 1480, 2)[0]),
    ));
    let file = temp("sll.pcap", &frames::pcap(113, &sll));
    let v = json_lines(&mgcp(&["decode", "--json", file.to_str().unwrap()]));
    assert_eq!(v.len(), 2, "the port-5000 message is not MGCP unless asked");
    let zs = v[0]["params"].as_array().unwrap().len();
    assert_eq!(zs, 60, "reassembled");
    assert_eq!(v[1]["from"], "[2001:db8::1]:2727");
    let v = json_lines(&mgcp(&[
        "decode",
        "--json",
        "--port",
        "5000",
        file.to_str().unwrap(),
    ]));
    assert_eq!(v.len(), 3);
}

#[test]
fn pcapng_is_read_and_malformed_messages_exit_1() {
    let (ca, gw) = (a("10.0.0.1:2727"), a("10.0.0.2:2427"));
    let eth = |text: &str| frames::ethernet(&frames::ipv4(ca, gw, text.as_bytes(), 1480, 3)[0]);
    let file = temp(
        "x.pcapng",
        &frames::pcapng(&[
            (5_000_000, eth(CRCX)),
            (
                5_001_000,
                eth("CRCX 9 aaln/1@gw MGCP 1.0\r\nM: sideways\r\n"),
            ),
        ]),
    );
    let o = mgcp(&["decode", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("CRCX 1204 aaln/1@gw"), "{out}");
    assert!(out.contains("MALFORMED") && out.contains("517"), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("message 2"));
}

#[test]
fn a_real_osmo_mgw_capture() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/captures/osmo-mgw-cycle.pcapng");
    let o = mgcp(&["decode", "--stats", file.to_str().unwrap()]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    let row = |verb: &str| {
        out.lines()
            .find(|l| l.starts_with(verb))
            .unwrap()
            .split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(row("CRCX")[1..4], ["8", "0", "8"]);
    assert_eq!(row("DLCX")[3], "8");
    // osmo-mgw never answers AUCX: retransmitted and unanswered.
    assert_eq!(row("AUCX")[1..4], ["1", "1", "0"]);
    assert!(out.contains("250 × 8"), "{out}");
    assert!(out.contains("unanswered commands 1"), "{out}");
    let ladder =
        String::from_utf8(mgcp(&["decode", "--ladder", file.to_str().unwrap()]).stdout).unwrap();
    assert!(
        ladder.contains("rtpbridge/") && ladder.contains("|-- CRCX"),
        "{ladder}"
    );
}

#[test]
fn the_cisco_trace_of_seed_003_message_by_message() {
    // A copy of seed 003 (prose, banners and blocks as published).
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/captures/cisco-debug-mgcp-packets-seed003.log");
    let o = mgcp(&["decode", "--json", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json_lines(&o);
    let summary: Vec<String> = v
        .iter()
        .map(|m| match m["kind"].as_str().unwrap() {
            "command" => format!("{} {}", m["verb"].as_str().unwrap(), m["transaction_id"]),
            _ => format!("{} {}", m["code"], m["transaction_id"]),
        })
        .collect();
    // The trace prints every block twice.
    assert_eq!(
        summary,
        [
            "AUEP 47", "200 47", "AUEP 47", "200 47", "AUCX 93", "200 93", "AUCX 93", "200 93"
        ]
    );
    assert_eq!(v[0]["from"], "177.1.10.10:2427");
    assert_eq!(v[1]["to"], "177.1.10.10:2427");
    assert_eq!(v[0]["params"][0], serde_json::json!(["F", "X, A, I"]));
    let l_lines = v[1]["params"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p[0] == "L")
        .count();
    assert_eq!(
        l_lines, 7,
        "the seven capability lines survive the comment inside the block"
    );
    assert_eq!(
        v[5]["params"][0],
        serde_json::json!(["C", "D000000002cee91c000000F5800000a4"])
    );
    assert!((v[1]["response_time_ms"].as_f64().unwrap() - 8.0).abs() < 0.01);
}
