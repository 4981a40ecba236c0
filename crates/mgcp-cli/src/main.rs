//! `mgcp`: the command-line front end of the suite.
//!
//! Each subcommand lives in its own module; this file only parses the
//! command line and maps results to exit codes.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A daemon's informational log line (through `tracing`, so it is
/// structured, filtered by `MGCP_LOG` and JSON with `--log-format json`).
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {
        tracing::info!($($arg)*)
    };
}

mod admin;
mod agent_cmd;
mod agent_view;
mod bench;
mod daemon_ops;
mod decode;
mod demo;
mod gateway_cmd;
mod gateway_view;
mod phone;
mod send;
mod trace;

/// MGCP tools: decode messages (and, as the suite grows, send commands,
/// generate load, run a gateway or a call agent).
#[derive(Debug, Parser)]
#[command(name = "mgcp", version, about, propagate_version = true)]
struct Cli {
    /// Log format on standard error: `text` or `json` (one object per
    /// line, with fields such as `endpoint`). The level comes from
    /// `MGCP_LOG` (e.g. `debug`), `info` by default.
    #[arg(long, global = true, value_enum, default_value = "text")]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Sends `tracing` events to standard error. Write failures are ignored
/// by the subscriber: a daemon must not die because whoever started it
/// closed its stderr.
fn init_logging(format: LogFormat, verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if verbose { "debug" } else { "info" };
    let filter = EnvFilter::try_from_env("MGCP_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode one raw MGCP datagram (which may hold piggybacked messages).
    Decode(decode::DecodeArgs),
    /// Send one command, retransmitting per RFC 3435, and print every
    /// response (exit 0 for 2xx, 1 for an error code, 2 for no answer).
    Send(send::SendArgs),
    /// Generate load against a gateway (CRCX→MDCX→DLCX cycles, audits or a
    /// scenario file) and report throughput, latency and return codes.
    Bench(bench::BenchArgs),
    /// Run the media gateway (built-in configuration without --config).
    Gateway(gateway_cmd::GatewayArgs),
    /// Run the call agent (built-in configuration without --config), or
    /// query a running one (`mgcp agent calls`, `cdrs`, `lines` …).
    Agent(agent_cmd::AgentArgs),
    /// Start a call agent and a gateway on loopback, place a call from one
    /// line to another, and print every MGCP message as a ladder diagram.
    Demo(demo::DemoArgs),
    /// Drive a simulated line of a running gateway: hook, flash, digits,
    /// and what it hears.
    Phone(phone::PhoneArgs),
    /// Look at and act on a running daemon: show endpoints, connections
    /// and calls; reset an endpoint; drop a call.
    Admin(admin::AdminArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let verbose = match &cli.command {
        Command::Gateway(a) => a.verbose(),
        Command::Agent(a) => a.verbose(),
        _ => false,
    };
    init_logging(cli.log_format, verbose);
    let result = match cli.command {
        Command::Decode(args) => decode::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Gateway(args) => gateway_cmd::run(&args),
        Command::Phone(args) => phone::run(&args),
        Command::Admin(args) => admin::run(&args),
        Command::Agent(args) => agent_cmd::run(&args),
        Command::Demo(args) => demo::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mgcp: {e:#}");
            ExitCode::from(2)
        }
    }
}
