//! `mgcp decode`: show what a datagram, a capture or a Cisco debug log
//! holds, message by message.
//!
//! The input's kind is detected: a pcap/pcapng capture (by its magic
//! number), a Cisco IOS `debug mgcp packets` log (by its "MGCP Packet
//! received from" lines), or else one raw datagram. Captures and logs are
//! read and analysed by `mgcp-capture` and rendered by [`traffic`].

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use mgcp_proto::validate::{ValidateOptions, validate_command};
use mgcp_proto::{Message, ParseError, ParseOptions, split_datagram};

pub(crate) mod json;
pub(crate) mod render;
mod traffic;

/// Arguments of `mgcp decode`.
#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// Print one JSON object per message, one per line.
    #[arg(long)]
    pub(crate) json: bool,
    /// Accept only RFC 3435's grammar (by default the parser tolerates
    /// what real equipment sends: bare CR, trailing spaces, `M:` lists...).
    #[arg(long)]
    strict: bool,
    /// For captures and logs: a ladder diagram per endpoint.
    #[arg(long)]
    pub(crate) ladder: bool,
    /// For captures and logs: response times per verb and return codes
    /// (Wireshark's MGCP statistics).
    #[arg(long)]
    pub(crate) stats: bool,
    /// For captures: also MGCP on this UDP port (besides 2427 and 2727).
    #[arg(long = "port")]
    pub(crate) ports: Vec<u16>,
    /// A datagram, a pcap/pcapng capture or a Cisco debug log; `-` (the
    /// default) for standard input.
    #[arg(default_value = "-")]
    file: PathBuf,
}

/// One datagram to decode, with where it came from.
pub(crate) struct Datagram {
    pub(crate) bytes: Vec<u8>,
}

/// What happened to one message of a datagram.
pub(crate) enum Decoded<'a> {
    /// Parsed and valid.
    Ok(Box<Message<'a>>),
    /// Parse error or rule violation, with the message's raw text.
    Bad { raw: &'a str, error: String },
}

/// Runs the subcommand; exit 0 when every message is well-formed, 1 when
/// not.
pub(crate) fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_input(&args.file)?;
    if mgcp_capture::capture::is_capture(&bytes) {
        let extracted = mgcp_capture::capture::read(&bytes, &args.ports)?;
        if let Some(damage) = &extracted.damage {
            eprintln!(
                "mgcp decode: {}: capture damaged, read up to it: {damage}",
                args.file.display()
            );
        }
        return traffic::show(args, &extracted.datagrams);
    }
    if let Ok(text) = std::str::from_utf8(&bytes)
        && mgcp_capture::cisco::is_cisco_log(text)
    {
        return traffic::show(args, &mgcp_capture::cisco::read(text));
    }
    let datagram = Datagram { bytes };
    let opts = if args.strict {
        ParseOptions::strict()
    } else {
        ParseOptions::lenient()
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let all_good = decode_datagram(&datagram, &opts, args.json, &mut out)?;
    out.flush()?;
    Ok(if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn read_input(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if file.as_os_str() == "-" {
        io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
    } else {
        bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    }
    Ok(bytes)
}

/// Decodes and prints every message of a datagram; errors go to stderr.
/// Returns whether every message was well-formed.
pub(crate) fn decode_datagram(
    datagram: &Datagram,
    opts: &ParseOptions,
    as_json: bool,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    let decoded = decode_messages(&datagram.bytes, opts);
    let mut all_good = true;
    for (index, item) in decoded.iter().enumerate() {
        match item {
            Decoded::Ok(message) => {
                let raw = raw_message(&datagram.bytes, index);
                if as_json {
                    writeln!(out, "{}", json::message(message, raw))?;
                } else {
                    render::message(out, message, index)?;
                }
            }
            Decoded::Bad { raw, error } => {
                all_good = false;
                eprintln!("mgcp decode: message {}: {error}", index + 1);
                if !as_json {
                    render::bad(out, raw, error, index)?;
                }
            }
        }
    }
    Ok(all_good)
}

/// Parses every message, then checks commands against RFC 3435's
/// parameter table.
pub(crate) fn decode_messages<'a>(bytes: &'a [u8], opts: &ParseOptions) -> Vec<Decoded<'a>> {
    let texts: Vec<&str> = match std::str::from_utf8(bytes) {
        Ok(t) => split_datagram(t).collect(),
        Err(_) => vec![""],
    };
    mgcp_proto::parse_datagram(bytes, opts)
        .enumerate()
        .map(|(i, result)| {
            let raw = texts.get(i).copied().unwrap_or("");
            match result {
                Ok(message) => match check(&message) {
                    Ok(()) => Decoded::Ok(Box::new(message)),
                    Err(error) => Decoded::Bad { raw, error },
                },
                Err(e) => Decoded::Bad {
                    raw,
                    error: describe(&e),
                },
            }
        })
        .collect()
}

fn check(message: &Message<'_>) -> Result<(), String> {
    match message {
        Message::Command(c) => {
            validate_command(c, &ValidateOptions::default()).map_err(|v| v.to_string())
        }
        Message::Response(_) => Ok(()),
    }
}

fn describe(e: &ParseError) -> String {
    match e.transaction_id {
        Some(t) => format!("{e} [transaction {t}]"),
        None => e.to_string(),
    }
}

/// The raw text of the `index`th message of a datagram.
fn raw_message(bytes: &[u8], index: usize) -> &str {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|t| split_datagram(t).nth(index))
        .unwrap_or("")
}
