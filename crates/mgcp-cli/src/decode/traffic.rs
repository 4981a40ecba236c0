//! Rendering of captures and logs: one line per message, a ladder diagram
//! per endpoint, Wireshark-style statistics, or JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use mgcp_capture::Datagram;
use mgcp_capture::analysis::{Analysis, Entry, Kind, analyse};
use serde_json::{Value, json};

use super::DecodeArgs;

/// Prints the analysis the way `args` asks; exit 1 when a message was
/// malformed.
pub(super) fn show(args: &DecodeArgs, datagrams: &[Datagram]) -> anyhow::Result<ExitCode> {
    let a = analyse(datagrams);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let start = a.entries.iter().find_map(|e| e.time).unwrap_or_default();
    if args.json {
        for e in &a.entries {
            writeln!(out, "{}", entry_json(e, start))?;
        }
    } else if args.ladder {
        write!(out, "{}", ladder(&a, start))?;
    } else if !args.stats {
        for e in &a.entries {
            writeln!(out, "{}", line(e, start))?;
        }
    }
    if args.stats {
        write!(out, "{}", stats(&a, datagrams.len()))?;
    }
    out.flush()?;
    for e in &a.entries {
        if let Kind::Malformed { error, .. } = &e.kind {
            eprintln!(
                "mgcp decode: message {} (datagram {}): {error}",
                e.index + 1,
                e.datagram + 1
            );
        }
    }
    Ok(if a.malformed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn addr(a: SocketAddr) -> String {
    if a == mgcp_capture::cisco::LOCAL {
        "gateway".to_string()
    } else {
        a.to_string()
    }
}

fn seconds(t: Option<Duration>, start: Duration) -> String {
    t.map_or_else(
        || "       -".to_string(),
        |t| format!("{:>10.6}", t.saturating_sub(start).as_secs_f64()),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `time  from -> to  summary  [flags]`.
fn line(e: &Entry, start: Duration) -> String {
    let mut s = format!(
        "{}  {:>21} -> {:<21}  {}",
        seconds(e.time, start),
        addr(e.from),
        addr(e.to),
        summary(e)
    );
    if e.duplicate {
        s.push_str("  [retransmission]");
    }
    if e.piggyback.1 > 1 {
        let _ = write!(s, "  [piggybacked {}/{}]", e.piggyback.0 + 1, e.piggyback.1);
    }
    s
}

fn summary(e: &Entry) -> String {
    match &e.kind {
        Kind::Command {
            verb,
            transaction_id,
            endpoint,
        } => format!("{verb} {transaction_id} {endpoint}"),
        Kind::Response {
            code,
            transaction_id,
        } => {
            let mut s = format!("{code:03} {transaction_id}");
            match (&e.answers, e.response_time) {
                (Some(v), Some(rt)) => {
                    let _ = write!(s, " ({v}, {})", ms(rt));
                }
                (Some(v), None) => {
                    let _ = write!(s, " ({v})");
                }
                (None, _) if *code != 0 => s.push_str(" (no matching command)"),
                (None, _) => {}
            }
            s
        }
        Kind::Malformed { error, .. } => format!("MALFORMED: {error}"),
    }
}

fn entry_json(e: &Entry, start: Duration) -> Value {
    let mut v = json!({
        "time": e.time.map(|t| t.saturating_sub(start).as_secs_f64()),
        "from": addr(e.from),
        "to": addr(e.to),
        "datagram": e.datagram + 1,
        "duplicate": e.duplicate,
    });
    if e.piggyback.1 > 1 {
        v["piggyback"] = json!({"index": e.piggyback.0 + 1, "of": e.piggyback.1});
    }
    match &e.kind {
        Kind::Command {
            verb,
            transaction_id,
            endpoint,
        } => {
            v["kind"] = json!("command");
            v["verb"] = json!(verb);
            v["transaction_id"] = json!(transaction_id);
            v["endpoint"] = json!(endpoint);
        }
        Kind::Response {
            code,
            transaction_id,
        } => {
            v["kind"] = json!("response");
            v["code"] = json!(code);
            v["transaction_id"] = json!(transaction_id);
            if let Some(verb) = &e.answers {
                v["answers"] = json!(verb);
            }
            if let Some(rt) = e.response_time {
                v["response_time_ms"] = json!(rt.as_secs_f64() * 1000.0);
            }
        }
        Kind::Malformed {
            error,
            transaction_id,
        } => {
            v["kind"] = json!("malformed");
            v["error"] = json!(error);
            v["transaction_id"] = json!(transaction_id);
        }
    }
    let params: Vec<Value> = super::json::raw_params(&e.text)
        .map(|(n, val)| json!([n, val]))
        .collect();
    v["params"] = json!(params);
    v
}

/// The endpoint an entry belongs to (a response belongs to its command's).
fn endpoint_of<'a>(a: &'a Analysis, e: &'a Entry) -> &'a str {
    let command = match &e.kind {
        Kind::Command { .. } => Some(e),
        _ => e.matched.map(|i| &a.entries[i]),
    };
    match command.map(|c| &c.kind) {
        Some(Kind::Command { endpoint, .. }) => endpoint,
        _ => "(unmatched)",
    }
}

/// A ladder per endpoint: the two parties as columns, arrows between.
fn ladder(a: &Analysis, start: Duration) -> String {
    let mut groups: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in &a.entries {
        groups
            .entry(endpoint_of(a, e).to_string())
            .or_default()
            .push(e);
    }
    let mut out = String::new();
    for (endpoint, entries) in groups {
        let Some(first) = entries.first() else {
            continue;
        };
        let (left, right) = match &first.kind {
            Kind::Command { .. } => (first.from, first.to),
            _ => (first.to, first.from),
        };
        let (l, r) = (addr(left), addr(right));
        let _ = writeln!(out, "{endpoint}");
        let _ = writeln!(out, "{:>10}  {:<30}{:>30}", "", l, r);
        for e in entries {
            let label = summary(e);
            let label: String = label.chars().take(54).collect();
            let arrow = if e.from == left {
                format!(
                    "|-- {label} {}>|",
                    "-".repeat(54usize.saturating_sub(label.chars().count()))
                )
            } else {
                format!(
                    "|<{} {label} --|",
                    "-".repeat(54usize.saturating_sub(label.chars().count()))
                )
            };
            let flag = if e.duplicate { " (retransmission)" } else { "" };
            let _ = writeln!(out, "{}  {arrow}{flag}", seconds(e.time, start));
        }
        out.push('\n');
    }
    out
}

/// Response times per verb and the return codes seen.
fn stats(a: &Analysis, datagrams: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "MGCP response times (ms)");
    let _ = writeln!(
        s,
        "{:<6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "verb", "commands", "retrans", "answered", "min", "avg", "max"
    );
    let f = |d: Option<Duration>| {
        d.map_or_else(
            || "-".to_string(),
            |d| format!("{:.3}", d.as_secs_f64() * 1000.0),
        )
    };
    for (verb, v) in &a.verbs {
        let _ = writeln!(
            s,
            "{:<6} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
            verb,
            v.commands,
            v.retransmissions,
            v.answered,
            f(v.min),
            f(v.average()),
            f(v.max)
        );
    }
    let codes: Vec<String> = a
        .codes
        .iter()
        .map(|(c, n)| format!("{c:03} × {n}"))
        .collect();
    let _ = writeln!(
        s,
        "return codes: {}",
        if codes.is_empty() {
            "none".to_string()
        } else {
            codes.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "datagrams {datagrams}, messages {}, piggybacked {}, duplicate responses {}, unanswered commands {}, malformed {}",
        a.entries.len(),
        a.piggybacked,
        a.duplicate_responses,
        a.unanswered,
        a.malformed
    );
    s
}
