//! `mgcp admin`: look at and act on a running daemon through its control
//! interface — what osmo-mgw's VTY `show` and `reset` commands are used
//! for.

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::phone::Client;

/// Arguments of `mgcp admin`.
#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    /// The daemon's control address (`mgcp gateway` listens on
    /// 127.0.0.1:2430 by default, `mgcp agent` on 127.0.0.1:2731).
    #[arg(long, default_value = "127.0.0.1:2430")]
    control: SocketAddr,
    /// Print the daemon's answer as JSON.
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Show endpoints, connections or calls.
    Show {
        /// What to show.
        what: What,
    },
    /// Return an endpoint to idle: release its connections (the call agent
    /// is told, reason 904), stop its signals, clear its request.
    Reset {
        /// The endpoint, e.g. `aaln/1` or `aaln/1@gw.example.net`.
        endpoint: String,
    },
    /// Release every connection of a call (the call agent is told with a
    /// DLCX per connection, reason 904 "Manual intervention").
    Drop {
        /// The CallId.
        call: String,
    },
    /// Release the connections of one endpoint (of one call with --call).
    Release {
        /// The endpoint.
        endpoint: String,
        /// Only this call's connections.
        #[arg(long)]
        call: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum What {
    Endpoints,
    Connections,
    Calls,
    /// Gateways known to a call agent.
    Gateways,
}

/// Runs the subcommand.
pub(crate) fn run(args: &AdminArgs) -> anyhow::Result<ExitCode> {
    let mut client = Client::connect(args.control)?;
    let request = match &args.action {
        Action::Show { what } => {
            let what = format!("{what:?}").to_lowercase();
            json!({"cmd": "show", "what": what})
        }
        Action::Reset { endpoint } => json!({"cmd": "reset", "endpoint": endpoint}),
        Action::Drop { call } => json!({"cmd": "drop", "call": call}),
        Action::Release { endpoint, call } => {
            json!({"cmd": "release", "endpoint": endpoint, "call": call.clone().unwrap_or_default()})
        }
    };
    let answer = client.call(request)?;
    if args.json {
        println!("{answer}");
    } else if answer.get("columns").is_some() {
        print!("{}", table(&answer));
    } else if let Some(released) = answer["released"].as_array() {
        for r in released {
            let call = r["call"].as_str().unwrap_or("?");
            match (r["connection"].as_str(), r["endpoint"].as_str()) {
                (Some(conn), Some(ep)) => {
                    println!("released connection {conn} of call {call} on {ep}")
                }
                _ => println!("released call {call}"),
            }
        }
        if released.is_empty() {
            println!("nothing to release");
        }
    } else {
        println!("done");
    }
    Ok(ExitCode::SUCCESS)
}

/// A table answer as aligned text, with a count line.
fn table(v: &Value) -> String {
    let cell = |c: &Value| c.as_str().map_or_else(|| c.to_string(), str::to_string);
    let columns: Vec<String> = v["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(cell)
        .collect();
    let rows: Vec<Vec<String>> = v["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r.as_array().into_iter().flatten().map(cell).collect())
        .collect();
    let mut widths: Vec<usize> = columns.iter().map(|c| c.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(&columns);
    for r in &rows {
        out.push_str(&line(r));
    }
    let total = v["total"].as_u64().unwrap_or(rows.len() as u64);
    let title = v["title"].as_str().unwrap_or("rows").to_lowercase();
    if total as usize == rows.len() {
        out.push_str(&format!("({total} {title})\n"));
    } else {
        out.push_str(&format!("({} of {total} {title} shown)\n", rows.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_aligned_with_a_count() {
        let v = json!({"title": "Calls", "columns": ["CallId", "Endpoints"],
                       "rows": [["A1", "aaln/1, aaln/2"], ["B2222222", "aaln/3"]], "total": 2});
        assert_eq!(
            table(&v),
            "CallId    Endpoints\nA1        aaln/1, aaln/2\nB2222222  aaln/3\n(2 calls)\n"
        );
        let v = json!({"title": "Endpoints", "columns": ["Endpoint"], "rows": [["a"]], "total": 5});
        assert!(table(&v).ends_with("(1 of 5 endpoints shown)\n"));
    }
}
