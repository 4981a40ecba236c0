//! `mgcp bench` against a scripted gateway on loopback: it runs the cycle
//! workload through CRCX → MDCX → DLCX, using what CRCX returned, and
//! reports what happened.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

#[test]
fn cycle_workload_runs_and_reports() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let addr = socket.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = Arc::clone(&seen);
    let gw = thread::spawn(move || {
        let mut buf = [0u8; 65536];
        let mut n_conn = 0u32;
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            let mut words = text.split_whitespace();
            let verb = words.next().unwrap().to_string();
            let tid = words.next().unwrap().to_string();
            let reply = match verb.as_str() {
                "CRCX" => {
                    n_conn += 1;
                    format!(
                        "200 {tid} OK\r\nI: {n_conn:X}\r\nZ: rtpbridge/{n_conn}@gw\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n"
                    )
                }
                "DLCX" => format!("250 {tid} OK\r\nP: PS=0, OS=0, PR=0, OR=0, PL=0, JI=0\r\n"),
                _ => format!("200 {tid} OK\r\n"),
            };
            socket.send_to(reply.as_bytes(), from).unwrap();
            log.lock().unwrap().push(text);
        }
    });
    let o = Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .args([
            "bench",
            "--to",
            &addr,
            "--endpoint",
            "rtpbridge/$@gw",
            "--window",
            "4",
            "--count",
            "60",
            "--json",
            "--quiet",
        ])
        .output()
        .unwrap();
    gw.join().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["transactions"], 60);
    assert_eq!(v["failures"], 0);
    assert_eq!(v["codes"]["200"], 40);
    assert_eq!(v["codes"]["250"], 20);
    let seen = seen.lock().unwrap();
    // MDCX and DLCX go to the endpoint CRCX returned, with its connection id.
    let mdcx = seen.iter().find(|m| m.starts_with("MDCX")).unwrap();
    assert!(
        mdcx.contains("rtpbridge/") && !mdcx.contains("rtpbridge/$"),
        "{mdcx}"
    );
    assert!(
        mdcx.contains("\r\nI: ") && mdcx.contains("m=audio "),
        "{mdcx}"
    );
    assert_eq!(seen.iter().filter(|m| m.starts_with("CRCX")).count(), 20);
}

#[test]
fn unbounded_runs_are_refused() {
    let o = Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .args(["bench", "--to", "127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--count"));
}
