//! `mgcp decode` as a user runs it: exit codes, readable output, the JSON
//! fields scripts rely on, and errors naming line, column and return code.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn decode(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .arg("decode")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mgcp runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn readable_output_explains_each_line() {
    let o = decode(
        &[],
        b"CRCX 1204 aaln/1@gw MGCP 1.0\r\nC: A3C47F21456789F0\r\nM: recvonly\r\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("CreateConnection"), "{out}");
    assert!(out.contains("CallId"), "{out}");
    assert!(
        out.contains("ConnectionMode") && out.contains("recvonly"),
        "{out}"
    );
}

#[test]
fn json_has_the_documented_fields() {
    let input = b"200 1204 OK\nI: FDE234C8\n\nv=0\nc=IN IP4 10.0.0.1\nm=audio 3456 RTP/AVP 0\n.\nrqnt 1205 aaln/1@gw MGCP 1.0\nx: 1\nR: L/hd(N),L/hu(N)\n";
    let o = decode(&["--json"], input);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let r = &lines[0];
    assert_eq!(r["kind"], "response");
    assert_eq!(r["code"], 200);
    assert_eq!(r["transaction_id"], 1204);
    assert_eq!(r["params"][0][0], "I");
    assert_eq!(r["params"][0][1], "FDE234C8");
    assert_eq!(r["sdp"].as_array().unwrap().len(), 1);
    assert!(
        r["sdp"][0]
            .as_str()
            .unwrap()
            .contains("m=audio 3456 RTP/AVP 0")
    );
    let c = &lines[1];
    assert_eq!(c["kind"], "command");
    assert_eq!(c["verb"], "RQNT");
    assert_eq!(c["endpoint"], "aaln/1@gw");
    assert_eq!(c["version"], "MGCP 1.0");
    assert_eq!(c["params"][0][0], "X", "codes are upper-cased");
    assert_eq!(c["params"][1][1], "L/hd(N),L/hu(N)", "values as written");
}

#[test]
fn malformed_messages_exit_1_with_line_column_and_code() {
    let o = decode(&[], b"CRCX 77 aaln/1@gw MGCP 1.0\nC: 1\nM: sideways\n");
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("line 3, column 4"), "{err}");
    assert!(err.contains("517"), "{err}");
    assert!(err.contains("transaction 77"), "{err}");
}

#[test]
fn rule_violations_exit_1() {
    let o = decode(&[], b"AUEP 5 aaln/1@gw MGCP 1.0\nC: 1\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("539"), "{}", stderr(&o));
}

#[test]
fn one_bad_message_does_not_hide_the_others() {
    let o = decode(&["--json"], b"200 1 OK\n.\nFOO 2 a@gw MGCP 1.0\n.\n000 3\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 2);
    assert!(stderr(&o).contains("504"), "{}", stderr(&o));
}

#[test]
fn strict_mode_rejects_field_quirks() {
    let quirky = b"AUEP 1 aaln/1@gw MGCP 1.0 \nF: A \n";
    assert!(decode(&[], quirky).status.success());
    assert_eq!(decode(&["--strict"], quirky).status.code(), Some(1));
}

#[test]
fn missing_file_is_a_usage_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .args(["decode", "/nonexistent/file.mgcp"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("/nonexistent/file.mgcp"));
}

#[test]
fn reads_files() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/messages/piggyback.mgcp"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_mgcp"))
        .args(["decode", "--json", path])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2);
}
