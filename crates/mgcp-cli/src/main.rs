//! `mgcp`: the command-line front end of the suite.
//!
//! Each subcommand lives in its own module; this file only parses the
//! command line and maps results to exit codes.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Writes a line to standard error, ignoring failures: a daemon must not
/// die because whoever started it closed its stderr.
#[macro_export]
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod agent_cmd;
mod bench;
mod decode;
mod demo;
mod gateway_cmd;
mod phone;
mod send;

/// MGCP tools: decode messages (and, as the suite grows, send commands,
/// generate load, run a gateway or a call agent).
#[derive(Debug, Parser)]
#[command(name = "mgcp", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => decode::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Gateway(args) => gateway_cmd::run(&args),
        Command::Phone(args) => phone::run(&args),
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
