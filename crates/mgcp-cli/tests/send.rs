//! `mgcp send` against a scripted peer on loopback: exit codes, provisional
//! responses, the `000` acknowledgement, retransmission, JSON output.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::process::{Command, Output};
use std::thread;
use std::time::Duration;

/// A peer that answers each received command with the replies `script`
/// returns for it (given the command text), and records what it got.
fn peer(
    script: impl Fn(usize, &str) -> Vec<String> + Send + 'static,
) -> (String, thread::JoinHandle<Vec<String>>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(1200)))
        .unwrap();
    let addr = socket.local_addr().unwrap().to_string();
    let handle = thread::spawn(move || {
        let mut got = Vec::new();
        let mut buf = [0u8; 65536];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            for reply in script(got.len(), &text) {
                socket.send_to(reply.as_bytes(), from).unwrap();
            }
            got.push(text);
            if got.len() >= 20 {
                break;
            }
        }
        got
    });
    (addr, handle)
}

fn tid(command: &str) -> &str {
    command.split_whitespace().nth(1).unwrap()
}

fn send(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .arg("send")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_2xx_answer_exits_0_and_is_shown() {
    let (addr, h) = peer(|_, c| vec![format!("200 {} OK\r\nI: 1F\r\n", tid(c))]);
    let o = send(&[
        "--to",
        &addr,
        "CRCX aaln/1@gw MGCP 1.0\\nC: 1\\nM: recvonly",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("200") && out.contains("ConnectionId") && out.contains("1F"),
        "{out}"
    );
    let got = h.join().unwrap();
    assert_eq!(got.len(), 1);
    // The id was allocated: a number from 1 to 999999999.
    let t: u32 = tid(&got[0]).parse().unwrap();
    assert!((1..=999_999_999).contains(&t));
}

#[test]
fn an_error_answer_exits_1_and_the_given_id_is_kept() {
    let (addr, h) = peer(|_, c| vec![format!("500 {} FAIL\r\n", tid(c))]);
    let o = send(&["--to", &addr, "--json", "AUEP 4242 aaln/9@gw MGCP 1.0"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["code"], 500);
    assert_eq!(v["transaction_id"], 4242);
    assert_eq!(tid(&h.join().unwrap()[0]), "4242");
}

#[test]
fn no_answer_exits_2_after_retransmitting() {
    let (addr, h) = peer(|_, _| vec![]);
    let o = send(&["--to", &addr, "--timeout", "1", "AUEP aaln/1@gw MGCP 1.0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no final response"));
    let got = h.join().unwrap();
    // 200 ms, then doubling: at least three copies within one second.
    assert!(got.len() >= 3, "{got:?}");
    assert!(
        got.iter().all(|g| g == &got[0]),
        "retransmissions are identical"
    );
}

#[test]
fn provisional_then_final_is_acknowledged_with_000() {
    let (addr, h) = peer(|i, c| match i {
        0 => vec![
            format!("100 {} OK\r\n", tid(c)),
            format!("200 {} OK\r\nK:\r\n", tid(c)),
        ],
        _ => vec![],
    });
    let o = send(&[
        "--to",
        &addr,
        "--json",
        "CRCX 77 aaln/1@gw MGCP 1.0\nC: 1\nM: recvonly",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["code"], 100);
    assert_eq!(lines[1]["code"], 200);
    let got = h.join().unwrap();
    assert!(got.iter().any(|g| g.starts_with("000 77")), "{got:?}");
}

#[test]
fn messages_that_do_not_parse_are_refused_before_sending() {
    let o = send(&[
        "--to",
        "127.0.0.1:9",
        "CRCX 1 aaln/1@gw MGCP 1.0\\nM: sideways",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("517") || err.contains("ConnectionMode"),
        "{err}"
    );
}
