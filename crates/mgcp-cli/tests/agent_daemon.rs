//! The call agent and gateway daemons together on loopback: the gateway
//! registers with the agent, `mgcp phone` plays two subscribers, and the
//! agent's admin commands show the call and its record. Waits are bounded
//! and poll for state; nothing sleeps to synchronise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// Starts `mgcp <args>` and reads its first log line: "... MGCP on A,
/// control on B, ...".
fn start(args: &[&str]) -> Daemon {
    let mut child = Command::new(BIN)
        .args(args)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).is_ok_and(|n| n > 0) {
            sink.clear();
        }
    });
    let after = |label: &str| {
        let at = line
            .find(label)
            .unwrap_or_else(|| panic!("{label:?} in {line:?}"))
            + label.len();
        line[at..].split([',', ' ']).next().unwrap().to_string()
    };
    let (mgcp, control) = (after("MGCP on "), after("control on "));
    Daemon {
        child,
        mgcp,
        control,
    }
}

fn run(args: &[&str]) -> (bool, String) {
    let o = Command::new(BIN).args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// Runs `args` until its output contains `want`, for at most 15 s.
fn until(args: &[&str], want: &str) -> String {
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, out) = run(args);
        if out.contains(want) {
            return out;
        }
        assert!(
            Instant::now() < end,
            "{args:?} never showed {want:?}: {out}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn agent_and_gateway_daemons_complete_a_call_on_loopback() {
    let dir = std::env::temp_dir().join(format!("mgcp-agent-daemon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = dir.join("agent.redb");
    let agent = start(&[
        "agent",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--store",
        store.to_str().unwrap(),
    ]);
    let gw = start(&[
        "gateway",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--call-agent",
        &agent.mgcp,
    ]);
    let a = agent.control.as_str();
    let g = gw.control.as_str();
    // Registered (RSIP within MWD = 2 s), audited, lines armed.
    until(&["agent", "--control", a, "gateways"], "InService");
    until(&["agent", "--control", a, "lines"], "Idle");
    let phone = |args: &[&str]| {
        let mut v = vec!["phone", "--control", g];
        v.extend_from_slice(args);
        let (ok, out) = run(&v);
        assert!(ok, "{args:?}: {out}");
        out
    };
    // Wait until line 2 (number 1002) is armed too, then call it.
    let end = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, out) = run(&["agent", "--control", a, "lines"]);
        if out.matches("\"Idle\"").count() >= 4 {
            break;
        }
        assert!(Instant::now() < end, "{out}");
        std::thread::sleep(Duration::from_millis(50));
    }
    phone(&["aaln/1", "offhook"]);
    phone(&["aaln/1", "wait", "L/dl", "--timeout", "5"]);
    phone(&["aaln/1", "dial", "1002", "--gap", "30"]);
    phone(&["aaln/2", "wait", "L/rg", "--timeout", "5"]);
    phone(&["aaln/2", "offhook"]);
    let calls = until(&["agent", "--control", a, "calls"], "Active");
    assert!(
        calls.contains("aaln/1@gw.example.net -> aaln/2@gw.example.net"),
        "{calls}"
    );
    phone(&["aaln/2", "onhook"]);
    phone(&["aaln/1", "wait", "L/ro", "--timeout", "5"]);
    until(&["agent", "--control", a, "calls"], "no calls");
    let cdrs = until(&["agent", "--control", a, "cdrs"], "normal");
    assert!(cdrs.contains("dialled 1002"), "{cdrs}");
    assert!(phone(&["aaln/2", "status"]).contains("0 connection(s)"));
    drop(gw);
    drop(agent);
    // The CDR is on disk: a new agent on the same store shows it.
    let agent = start(&[
        "agent",
        "--bind",
        "127.0.0.1:0",
        "--control",
        "127.0.0.1:0",
        "--store",
        store.to_str().unwrap(),
    ]);
    let (ok, cdrs) = run(&["agent", "--control", &agent.control, "cdrs"]);
    assert!(ok && cdrs.contains("normal"), "{cdrs}");
    drop(agent);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn admin_commands_name_a_missing_agent() {
    let (ok, out) = run(&["agent", "--control", "127.0.0.1:9", "calls"]);
    assert!(!ok);
    assert!(out.contains("control interface"), "{out}");
}

#[test]
fn the_example_configuration_loads() {
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/agent.toml");
    let dir = std::env::temp_dir().join(format!("mgcp-agent-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(BIN)
        .args([
            "agent",
            "--config",
            file,
            "--bind",
            "127.0.0.1:0",
            "--control",
            "127.0.0.1:0",
        ])
        .args(["--store", dir.join("a.redb").to_str().unwrap()])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.contains("28 endpoints on 2 gateways"), "{line}");
    std::fs::remove_dir_all(&dir).ok();
}
