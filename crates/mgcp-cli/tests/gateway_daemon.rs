//! The gateway daemon on loopback: a residential call driven the way a
//! person would, with `mgcp send` as the call agent's hands and
//! `mgcp phone` as the subscribers, while this test plays the call agent's
//! notified entity on its own UDP socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mgcp");

struct Daemon {
    child: Child,
    mgcp: String,
    control: String,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_gateway(call_agent: &str) -> Daemon {
    let mut child = Command::new(BIN)
        .args([
            "gateway",
            "--bind",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0",
            "--call-agent",
            call_agent,
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut reader = BufReader::new(stderr);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    // Keep reading what the daemon logs so its writes never block.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    // "... gateway: MGCP on 127.0.0.1:P, control on 127.0.0.1:Q, N endpoints"
    let after = |label: &str| {
        let at = line.find(label).unwrap() + label.len();
        line[at..].split([',', ' ']).next().unwrap().to_string()
    };
    let (mgcp, control) = (after("MGCP on "), after("control on "));
    Daemon {
        child,
        mgcp,
        control,
    }
}

/// The notified entity: receives the gateway's commands and answers 200.
struct Agent {
    socket: UdpSocket,
}

impl Agent {
    fn new() -> Agent {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Agent { socket }
    }

    fn addr(&self) -> String {
        self.socket.local_addr().unwrap().to_string()
    }

    /// Waits for a command with `verb`, answers 200, returns its text.
    fn expect(&self, verb: &str) -> String {
        let mut buf = [0u8; 8192];
        for _ in 0..50 {
            let (n, from) = self
                .socket
                .recv_from(&mut buf)
                .expect("the gateway sent nothing");
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            let tid = text.split_whitespace().nth(1).unwrap().to_string();
            self.socket
                .send_to(format!("200 {tid} OK\r\n").as_bytes(), from)
                .unwrap();
            if text.starts_with(verb) {
                return text;
            }
        }
        panic!("no {verb}");
    }
}

fn send(d: &Daemon, message: &str) -> String {
    let o = Command::new(BIN)
        .args(["send", "--to", &d.mgcp, "--timeout", "3", message])
        .output()
        .unwrap();
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        o.status.success(),
        "{message}\n{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn phone(d: &Daemon, args: &[&str]) -> String {
    let o = Command::new(BIN)
        .args(["phone", "--control", &d.control])
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The local SDP from `mgcp send`'s readable output.
fn sdp_of(out: &str) -> String {
    out.lines()
        .filter_map(|l| l.strip_prefix("    "))
        .collect::<Vec<_>>()
        .join("\n")
}

fn param(out: &str, long: &str) -> String {
    out.lines()
        .find(|l| l.contains(long))
        .and_then(|l| l.split_whitespace().last())
        .unwrap()
        .to_string()
}

#[test]
fn residential_call_through_phone_and_send() {
    let agent = Agent::new();
    let d = start_gateway(&agent.addr());
    let rsip = agent.expect("RSIP");
    assert!(
        rsip.contains("*@gw.example.net") && rsip.contains("RM: restart"),
        "{rsip}"
    );
    let ne = format!(
        "N: ca@[127.0.0.1]:{}",
        agent.socket.local_addr().unwrap().port()
    );

    // Both lines watch for off-hook.
    for ep in ["aaln/1", "aaln/2"] {
        send(
            &d,
            &format!("RQNT {ep}@gw.example.net MGCP 1.0\n{ne}\nX: 1\nR: L/hd(N)"),
        );
    }
    // Line 1 goes off hook: notified.
    phone(&d, &["aaln/1", "offhook"]);
    let n = agent.expect("NTFY");
    assert!(
        n.contains("aaln/1@gw.example.net") && n.contains("O: L/hd"),
        "{n}"
    );
    // Dial tone and the digit map.
    send(
        &d,
        &format!(
            "RQNT aaln/1@gw.example.net MGCP 1.0\n{ne}\nX: 2\nR: L/hu(N), D/[0-9#*T](D)\nS: L/dl\nD: (xxxx)"
        ),
    );
    assert!(phone(&d, &["aaln/1", "status"]).contains("L/dl"));
    phone(&d, &["aaln/1", "dial", "2001", "--gap", "20"]);
    let n = agent.expect("NTFY");
    assert!(n.contains("O: D/2, D/0, D/0, D/1"), "{n}");
    // Connections: the caller first, then the callee with its SDP, ringing.
    let c1 = send(
        &d,
        "CRCX aaln/1@gw.example.net MGCP 1.0\nC: 9A\nM: recvonly\nL: p:20, a:PCMU",
    );
    let i1 = param(&c1, "ConnectionId");
    let sdp1 = sdp_of(&c1);
    let c2 = send(
        &d,
        &format!(
            "CRCX aaln/2@gw.example.net MGCP 1.0\nC: 9A\nM: sendrecv\n{ne}\nX: 3\nR: L/hd(N)\nS: L/rg\n\n{sdp1}"
        ),
    );
    let i2 = param(&c2, "ConnectionId");
    let sdp2 = sdp_of(&c2);
    phone(&d, &["aaln/2", "wait", "L/rg", "--timeout", "5"]);
    // The callee answers.
    phone(&d, &["aaln/2", "offhook"]);
    let n = agent.expect("NTFY");
    assert!(
        n.contains("aaln/2@gw.example.net") && n.contains("O: L/hd"),
        "{n}"
    );
    assert!(
        !phone(&d, &["aaln/2", "status"]).contains("L/rg"),
        "ringing stopped"
    );
    send(
        &d,
        &format!("MDCX aaln/1@gw.example.net MGCP 1.0\nC: 9A\nI: {i1}\nM: sendrecv\n\n{sdp2}"),
    );
    assert!(phone(&d, &["aaln/1", "status"]).contains("1 connection(s)"));
    // Hang up and clear.
    send(
        &d,
        &format!("RQNT aaln/1@gw.example.net MGCP 1.0\n{ne}\nX: 4\nR: L/hu(N)"),
    );
    phone(&d, &["aaln/1", "onhook"]);
    let n = agent.expect("NTFY");
    assert!(n.contains("O: L/hu"), "{n}");
    let del1 = send(
        &d,
        &format!("DLCX aaln/1@gw.example.net MGCP 1.0\nC: 9A\nI: {i1}"),
    );
    assert!(del1.starts_with("250") && del1.contains("PS="), "{del1}");
    let del2 = send(
        &d,
        &format!("DLCX aaln/2@gw.example.net MGCP 1.0\nC: 9A\nI: {i2}"),
    );
    assert!(del2.starts_with("250"), "{del2}");
    assert!(phone(&d, &["aaln/2", "status"]).contains("0 connection(s)"));
}

#[test]
fn configuration_files_shape_the_gateway() {
    let dir = std::env::temp_dir().join(format!("mgcp-gw-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("gw.toml");
    std::fs::write(
        &file,
        r#"
bind = "127.0.0.1:0"
control = "127.0.0.1:0"
[gateway]
domain = "HQ-R1"
[gateway.restart]
rsip_on_start = false
[[gateway.endpoints]]
kind = "trunk"
name = "S0/SU0/DS1-0/{n}"
count = 23
[[gateway.endpoints]]
kind = "line"
name = "aaln/S1/SU0/{n}"
start = 0
count = 2
"#,
    )
    .unwrap();
    let mut child = Command::new(BIN)
        .args(["gateway", "--config", file.to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    // Killed on every way out of the test, failed assertions included.
    let mut child = Daemon {
        child,
        mgcp: String::new(),
        control: String::new(),
    };
    let mut line = String::new();
    BufReader::new(stderr).read_line(&mut line).unwrap();
    let at = line.find("MGCP on ").unwrap() + "MGCP on ".len();
    let mgcp = line[at..].split([',', ' ']).next().unwrap().to_string();
    assert!(line.contains("25 endpoints"), "{line}");
    let audit = |ep: &str| {
        Command::new(BIN)
            .args([
                "send",
                "--to",
                &mgcp,
                "--timeout",
                "2",
                &format!("AUEP {ep}@HQ-R1 MGCP 0.1\nF: PL"),
            ])
            .output()
            .unwrap()
    };
    let trunk = audit("S0/SU0/DS1-0/23");
    assert!(
        trunk.status.success(),
        "{}",
        String::from_utf8_lossy(&trunk.stdout)
    );
    assert!(String::from_utf8_lossy(&trunk.stdout).contains("T:"));
    assert!(audit("aaln/S1/SU0/0").status.success());
    assert_eq!(
        audit("aaln/S1/SU0/2").status.code(),
        Some(1),
        "500 unknown endpoint"
    );
    let _ = child.child.kill();
    let _ = child.child.wait();
    // A bad file names the problem.
    std::fs::write(&file, "bogus_key = 1\n").unwrap();
    let o = Command::new(BIN)
        .args(["gateway", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("bogus_key"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The share of a recording's energy at `freq`.
/// The share of the energy at `freq`, measured over 50 ms blocks so that
/// a gap or a phase jump (a late packet under load, a cadence edge) spoils
/// one block rather than the whole measurement.
fn share(samples: &[i16], freq: f64) -> f64 {
    let (mut tone, mut total) = (0.0, 0.0);
    for block in samples.chunks_exact(400) {
        tone += mgcp_media::goertzel::tone_energy(block, freq);
        total += block.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>();
    }
    if total == 0.0 { 0.0 } else { tone / total }
}

#[test]
fn a_wav_and_a_tone_travel_between_two_lines() {
    let agent = Agent::new();
    let d = start_gateway(&agent.addr());
    agent.expect("RSIP");
    let dir = std::env::temp_dir().join(format!("mgcp-gw-audio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The call: line 1 offers, line 2 answers with line 1's SDP, line 1
    // learns line 2's.
    let c1 = send(
        &d,
        "CRCX aaln/1@gw.example.net MGCP 1.0\nC: 77\nM: recvonly\nL: p:20, a:PCMU;PCMA",
    );
    let i1 = param(&c1, "ConnectionId");
    let c2 = send(
        &d,
        &format!(
            "CRCX aaln/2@gw.example.net MGCP 1.0\nC: 77\nM: sendrecv\nL: a:PCMA\n\n{}",
            sdp_of(&c1)
        ),
    );
    let i2 = param(&c2, "ConnectionId");
    send(
        &d,
        &format!(
            "MDCX aaln/1@gw.example.net MGCP 1.0\nC: 77\nI: {i1}\nM: sendrecv\n\n{}",
            sdp_of(&c2)
        ),
    );
    // A voice (a 1004 Hz test tone, 3 s, as a µ-law WAV) said on line 1
    // is heard on line 2.
    let wav = dir.join("voice.wav");
    let voice: Vec<i16> = (0..24_000)
        .map(|n| (8000.0 * (std::f64::consts::TAU * 1004.0 * n as f64 / 8000.0).sin()) as i16)
        .collect();
    std::fs::write(
        &wav,
        mgcp_media::wav::encode_g711(&voice, mgcp_media::g711::Law::Mu),
    )
    .unwrap();
    phone(&d, &["aaln/1", "play", wav.to_str().unwrap()]);
    let out = dir.join("heard.wav");
    phone(
        &d,
        &["aaln/2", "record", out.to_str().unwrap(), "--seconds", "1"],
    );
    let heard = mgcp_media::wav::read(&out).unwrap();
    assert!(heard.len() >= 7000, "{} samples", heard.len());
    assert!(share(&heard, 1004.0) > 0.5, "{}", share(&heard, 1004.0));
    phone(&d, &["aaln/1", "stop-playing"]);
    // Ringback played on line 1's connection is heard on line 2.
    send(
        &d,
        &format!("RQNT aaln/1@gw.example.net MGCP 1.0\nX: 9\nS: G/rt@{i1}"),
    );
    phone(
        &d,
        &[
            "aaln/2",
            "record",
            out.to_str().unwrap(),
            "--seconds",
            "1.5",
        ],
    );
    let heard = mgcp_media::wav::read(&out).unwrap();
    assert!(
        share(&heard, 440.0) > 0.2 && share(&heard, 480.0) > 0.2,
        "ringback: {} {}",
        share(&heard, 440.0),
        share(&heard, 480.0)
    );
    // The statistics show the media.
    let del = send(
        &d,
        &format!("DLCX aaln/2@gw.example.net MGCP 1.0\nC: 77\nI: {i2}"),
    );
    let pr: u64 = del
        .split("PR=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert!(pr > 50, "{del}");
    std::fs::remove_dir_all(&dir).ok();
}
