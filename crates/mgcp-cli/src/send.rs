//! `mgcp send`: send one command and show every response, like curl for
//! MGCP. Retransmission, provisional responses and the `000` response
//! acknowledgement are handled by the transaction engine.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use mgcp_proto::{Message, ParseOptions, ReturnCode, TransactionId, parse_with};
use mgcp_txn::{Config, Delivery, Destination, Engine, Event, Node, Transmit};

use crate::decode::{json, render};

/// Arguments of `mgcp send`.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// Where to send: HOST:PORT. Default: the endpoint's domain, on the
    /// endpoint's port or 2427.
    #[arg(long)]
    to: Option<String>,
    /// Print responses as `mgcp decode --json` objects, one per line.
    #[arg(long)]
    json: bool,
    /// Give up after this many seconds without a final response (T-MAX).
    #[arg(long, default_value_t = 5.0)]
    timeout: f64,
    /// Local address to send from.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// The command: its text (lines separated by newlines or by a literal
    /// `\n`), a file name, or `-` for standard input. The transaction id
    /// may be left out (`AUEP aaln/1@gw MGCP 1.0`); one is then allocated.
    message: String,
}

/// Runs the subcommand: exit 0 for a 2xx final response, 1 for an error
/// response, 2 when no final response came.
pub(crate) fn run(args: &SendArgs) -> anyhow::Result<ExitCode> {
    let text = read_message(&args.message)?;
    let (text, allocate) = with_transaction_id(&text);
    let opts = ParseOptions::lenient();
    let message = parse_with(text.as_bytes(), &opts)
        .map_err(|e| anyhow::anyhow!("the message does not parse: {e}"))?;
    let Message::Command(command) = message else {
        bail!("the message is a response; `mgcp send` sends commands");
    };
    if !(args.timeout > 0.0 && args.timeout < 3600.0) {
        bail!(
            "--timeout must be between 0 and 3600 seconds, got {}",
            args.timeout
        );
    }
    let timeout = Duration::from_secs_f64(args.timeout);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let destination = destination(args.to.as_deref(), &command).await?;
        let bind = args
            .bind
            .unwrap_or_else(|| match destination.addresses()[0] {
                SocketAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
                SocketAddr::V6(_) => SocketAddr::from(([0u16; 8], 0)),
            });
        let socket = mgcp_net::bind(bind).await?;
        let config = Config {
            t_max: timeout,
            ..Config::default()
        };
        let seed = u64::from(std::process::id()) ^ 0x9e37_79b9;
        let mut node = SendNode::new(Engine::new(config, seed), args.json);
        let now = Instant::now();
        let sent = if allocate {
            node.engine.send_command(now, &destination, command)
        } else {
            node.engine
                .send_command_keeping_id(now, &destination, command)
        };
        node.tid = Some(sent.map_err(|e| anyhow::anyhow!("cannot send: {e}"))?);
        let run = mgcp_net::Run {
            done: &|n: &SendNode| n.outcome.is_some() || n.gave_up,
            deadline: Some(now + timeout + Duration::from_millis(500)),
            ..mgcp_net::Run::default()
        };
        mgcp_net::run(&mut node, &socket, run).await?;
        Ok(match node.outcome {
            Some(code) if code.is_success() => ExitCode::SUCCESS,
            Some(_) => ExitCode::from(1),
            None => {
                eprintln!("mgcp send: no final response within {:.1} s", args.timeout);
                ExitCode::from(2)
            }
        })
    })
}

fn read_message(arg: &str) -> anyhow::Result<String> {
    if arg == "-" {
        let mut s = String::new();
        io::stdin()
            .read_to_string(&mut s)
            .context("reading standard input")?;
        return Ok(s);
    }
    let looks_like_file =
        !arg.contains('\n') && !arg.contains("\\n") && std::path::Path::new(arg).is_file();
    if looks_like_file {
        return std::fs::read_to_string(arg).with_context(|| format!("reading {arg}"));
    }
    Ok(if arg.contains('\n') {
        arg.to_string()
    } else {
        arg.replace("\\n", "\n")
    })
}

/// Inserts a placeholder transaction id when the first line has none, and
/// says whether the engine must allocate one.
fn with_transaction_id(text: &str) -> (String, bool) {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let mut fields = first.split_whitespace();
    let verb = fields.next().unwrap_or("");
    let second = fields.next().unwrap_or("");
    if second.is_empty() || second.bytes().all(|b| b.is_ascii_digit()) {
        return (text.to_string(), false);
    }
    let tail = first.trim_start()[verb.len()..].to_string();
    let newline = if text.contains('\n') { "\n" } else { "" };
    (
        format!("{verb} {}{tail}{newline}{rest}", TransactionId::MAX),
        true,
    )
}

async fn destination(
    to: Option<&str>,
    command: &mgcp_proto::Command<'_>,
) -> anyhow::Result<Destination> {
    let target = match to {
        Some(t) => t.to_string(),
        None => {
            let domain = command.endpoint.domain().to_string();
            let port = command.endpoint.port().unwrap_or(2427);
            format!("{domain}:{port}")
        }
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(&target)
        .await
        .with_context(|| format!("cannot resolve {target}"))?
        .collect();
    Destination::new(addrs).with_context(|| format!("{target} resolves to no address"))
}

/// The engine plus what `send` shows.
struct SendNode {
    engine: Engine,
    json: bool,
    tid: Option<TransactionId>,
    outcome: Option<ReturnCode>,
    gave_up: bool,
    shown: usize,
}

impl SendNode {
    fn new(engine: Engine, json: bool) -> Self {
        SendNode {
            engine,
            json,
            tid: None,
            outcome: None,
            gave_up: false,
            shown: 0,
        }
    }

    fn show(&mut self, message: &Message<'_>) {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let _ = if self.json {
            writeln!(out, "{}", json::message_canonical(message))
        } else {
            render::message(&mut out, message, self.shown)
        };
        self.shown += 1;
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.engine.poll_event() {
            if let Event::TimedOut { transaction_id, .. } = e
                && Some(transaction_id) == self.tid
            {
                self.gave_up = true;
            }
        }
    }
}

impl Node for SendNode {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        for d in self.engine.receive(now, from, datagram) {
            match d {
                Delivery::Provisional { response, .. } => self.show(&Message::Response(response)),
                Delivery::Response {
                    response,
                    transaction_id,
                    ..
                } if Some(transaction_id) == self.tid => {
                    let code = response.code;
                    self.show(&Message::Response(response));
                    self.outcome = Some(code);
                }
                Delivery::Malformed { error, .. } => {
                    eprintln!("mgcp send: malformed datagram from {from}: {error}")
                }
                _ => {}
            }
        }
        self.drain_events();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.drain_events();
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.engine.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.engine.poll_timeout()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_transaction_ids_are_allocated() {
        let (t, alloc) = with_transaction_id("AUEP aaln/1@gw MGCP 1.0\nF: A");
        assert!(alloc);
        assert_eq!(t, "AUEP 999999999 aaln/1@gw MGCP 1.0\nF: A");
        let (t, alloc) = with_transaction_id("AUEP 12 aaln/1@gw MGCP 1.0");
        assert!(!alloc);
        assert_eq!(t, "AUEP 12 aaln/1@gw MGCP 1.0");
    }

    #[test]
    fn escaped_newlines_become_lines() {
        assert_eq!(
            read_message("AUEP aaln/1@gw MGCP 1.0\\nF: A").unwrap(),
            "AUEP aaln/1@gw MGCP 1.0\nF: A"
        );
    }
}
