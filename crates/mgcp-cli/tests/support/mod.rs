//! Running daemons and playing a call agent over loopback, for the CLI's
//! integration tests.

#![allow(dead_code)]

pub(crate) mod frames;

use std::io::{BufRead, BufReader, Read};
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_mgcp");

/// A daemon started by a test, killed when dropped.
pub(crate) struct Daemon {
    pub(crate) child: Child,
    /// The first line it logged.
    pub(crate) banner: String,
    /// Everything it wrote on standard output so far.
    pub(crate) stdout: Arc<Mutex<Vec<u8>>>,
}

impl Daemon {
    /// Starts `mgcp ARGS`, waits for its first log line.
    pub(crate) fn start(args: &[&str]) -> Daemon {
        let mut child = Command::new(BIN)
            .args(args)
            .stderr(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut reader = BufReader::new(child.stderr.take().unwrap());
        let mut banner = String::new();
        reader.read_line(&mut banner).unwrap();
        // Keep reading so the daemon's writes never block.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
        });
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let mut out = child.stdout.take().unwrap();
        let keep = stdout.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = out.read(&mut buf) {
                if n == 0 {
                    break;
                }
                keep.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Daemon {
            child,
            banner,
            stdout,
        }
    }

    /// The address after `label` in the banner (`MGCP on`, `control on`,
    /// `HTTP on`).
    pub(crate) fn addr(&self, label: &str) -> String {
        let at = self
            .banner
            .find(label)
            .unwrap_or_else(|| panic!("no {label:?} in {:?}", self.banner));
        self.banner[at + label.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .trim_end_matches(',')
            .to_string()
    }

    /// Stops the daemon and returns its standard output.
    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The reader thread sees EOF once the process is gone.
        for _ in 0..200 {
            if Arc::strong_count(&self.stdout) == 1 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).to_string()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A call agent on a UDP socket: sends commands, answers the gateway's.
pub(crate) struct Agent {
    pub(crate) socket: UdpSocket,
    next_tid: u32,
}

impl Agent {
    pub(crate) fn new() -> Agent {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Agent {
            socket,
            next_tid: 100,
        }
    }

    pub(crate) fn addr(&self) -> String {
        self.socket.local_addr().unwrap().to_string()
    }

    /// Sends a command (`{tid}` replaced, `\n` made CRLF) and returns the
    /// final response; answers any command of the gateway's meanwhile.
    pub(crate) fn command(&mut self, to: &str, text: &str) -> String {
        self.next_tid += 1;
        let text = text
            .replace("{tid}", &self.next_tid.to_string())
            .replace("\r\n", "\n")
            .replace('\n', "\r\n");
        let tid = text.split_whitespace().nth(1).unwrap().to_string();
        self.socket.send_to(text.as_bytes(), to).unwrap();
        let mut buf = [0u8; 8192];
        for _ in 0..50 {
            let (n, from) = self.socket.recv_from(&mut buf).expect("no response");
            let got = String::from_utf8_lossy(&buf[..n]).to_string();
            let mut words = got.split_whitespace();
            let first = words.next().unwrap_or("");
            if words.next() == Some(tid.as_str()) && first.parse::<u16>().is_ok_and(|c| c >= 200) {
                return got;
            }
            if first.chars().all(|c| c.is_ascii_alphabetic()) {
                self.answer(&got, from);
            }
        }
        panic!("no response to {text}");
    }

    /// Waits for a command with `verb` from the gateway, answers it 200.
    pub(crate) fn expect(&self, verb: &str) -> String {
        let mut buf = [0u8; 8192];
        for _ in 0..50 {
            let (n, from) = self
                .socket
                .recv_from(&mut buf)
                .expect("the gateway sent nothing");
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            self.answer(&text, from);
            if text.starts_with(verb) {
                return text;
            }
        }
        panic!("no {verb}");
    }

    fn answer(&self, command: &str, from: std::net::SocketAddr) {
        let tid = command.split_whitespace().nth(1).unwrap_or("0");
        self.socket
            .send_to(format!("200 {tid} OK\r\n").as_bytes(), from)
            .unwrap();
    }
}

/// The value of a parameter line in a message.
pub(crate) fn param<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Runs `mgcp ARGS`; returns (success, stdout, stderr).
pub(crate) fn mgcp(args: &[&str]) -> (bool, String, String) {
    let o = Command::new(BIN).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// GET over HTTP; returns the body (panics on a non-200 status).
pub(crate) fn http_get(url: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .body_mut()
        .read_to_string()
        .unwrap()
}
