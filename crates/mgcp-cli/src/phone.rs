//! `mgcp phone`: drive a simulated line of a running `mgcp gateway` over
//! its control interface: hook, flash, digits, what the line hears, and
//! its audio: play a WAV file into the line, record what it hears.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

/// Arguments of `mgcp phone`.
#[derive(Debug, Args)]
pub(crate) struct PhoneArgs {
    /// The gateway's control address.
    #[arg(long, default_value = "127.0.0.1:2430")]
    control: SocketAddr,
    /// The line: an endpoint local name such as `aaln/1`.
    endpoint: String,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Lift the handset.
    Offhook,
    /// Hang up.
    Onhook,
    /// Hook flash.
    Flash,
    /// Press keys, one after the other.
    Dial {
        /// The keys: 0-9, *, #, A-D.
        digits: String,
        /// Pause between keys, ms.
        #[arg(long, default_value_t = 100)]
        gap: u64,
    },
    /// Show hook state, signals heard and connections.
    Status,
    /// Play a WAV file into the line (what the phone says): 8 kHz, 16-bit
    /// PCM, A-law or µ-law. Returns once playback has started.
    Play {
        /// The file.
        file: std::path::PathBuf,
    },
    /// Stop what `play` started.
    StopPlaying,
    /// Record what the line hears for some seconds into a WAV file
    /// (8 kHz, 16-bit PCM).
    Record {
        /// The file to write.
        out: std::path::PathBuf,
        /// How long, seconds.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// Wait until the line hears a signal (e.g. `L/rg`), or time out.
    Wait {
        /// The signal, `package/name`.
        signal: String,
        /// Seconds to wait.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
}

/// Runs the subcommand.
pub(crate) fn run(args: &PhoneArgs) -> anyhow::Result<ExitCode> {
    let mut client = Client::connect(args.control)?;
    let ep = args.endpoint.as_str();
    match &args.action {
        Action::Offhook => client.line(ep, "offhook", None)?,
        Action::Onhook => client.line(ep, "onhook", None)?,
        Action::Flash => client.line(ep, "flash", None)?,
        Action::Dial { digits, gap } => {
            for d in digits.chars() {
                client.line(ep, "digit", Some(d))?;
                std::thread::sleep(Duration::from_millis(*gap));
            }
        }
        Action::Status => {
            let s = client.call(json!({"cmd": "status", "endpoint": ep}))?;
            println!(
                "{ep}: {}-hook, hears [{}], {} connection(s), {}",
                s["hook"].as_str().unwrap_or("?"),
                s["signals"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "))
                    .unwrap_or_default(),
                s["connections"].as_array().map_or(0, Vec::len),
                s["service"].as_str().unwrap_or("?")
            );
        }
        Action::Play { file } => {
            let samples = mgcp_media::wav::read(file).map_err(|e| anyhow::anyhow!("{e}"))?;
            let pcm = crate::gateway_cmd::pcm_to_hex(&samples);
            let v = client.call(json!({"cmd": "play", "endpoint": ep, "pcm": pcm}))?;
            println!(
                "{ep} plays {} ({:.1} s)",
                file.display(),
                v["seconds"].as_f64().unwrap_or(0.0)
            );
        }
        Action::StopPlaying => {
            client.call(json!({"cmd": "play", "endpoint": ep, "pcm": null}))?;
        }
        Action::Record { out, seconds } => {
            client.call(json!({"cmd": "record", "endpoint": ep, "start": true}))?;
            // The recording's length is the point here, not a wait for
            // something to happen.
            std::thread::sleep(Duration::from_secs_f64(seconds.max(0.0)));
            let v = client.call(json!({"cmd": "record", "endpoint": ep, "start": false}))?;
            let samples = crate::gateway_cmd::pcm_from_hex(v["pcm"].as_str().unwrap_or(""))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(out, mgcp_media::wav::encode(&samples))
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "{ep}: recorded {:.2} s into {}",
                samples.len() as f64 / 8000.0,
                out.display()
            );
        }
        Action::Wait { signal, timeout } => {
            let deadline = Instant::now() + Duration::from_secs_f64(*timeout);
            loop {
                let s = client.call(json!({"cmd": "status", "endpoint": ep}))?;
                let hears = s["signals"].as_array().is_some_and(|a| {
                    a.iter()
                        .any(|x| x.as_str().is_some_and(|x| x.eq_ignore_ascii_case(signal)))
                });
                if hears {
                    println!("{ep} hears {signal}");
                    break;
                }
                if Instant::now() >= deadline {
                    eprintln!("mgcp phone: {ep} did not hear {signal} within {timeout} s");
                    return Ok(ExitCode::from(1));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A control-interface client.
pub(crate) struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    pub(crate) fn connect(addr: SocketAddr) -> anyhow::Result<Client> {
        let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
            .with_context(|| format!("cannot reach the control interface on {addr} (is the daemon running? --control gives its address)"))?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let reader = BufReader::new(stream.try_clone()?);
        Ok(Client { stream, reader })
    }

    pub(crate) fn call(&mut self, request: Value) -> anyhow::Result<Value> {
        self.stream.write_all(format!("{request}\n").as_bytes())?;
        let mut line = String::new();
        self.reader
            .read_line(&mut line)
            .context("reading the daemon's answer")?;
        let v: Value = serde_json::from_str(&line).context("the daemon's answer is not JSON")?;
        if v["ok"] != json!(true) {
            bail!("{}", v["error"].as_str().unwrap_or("refused"));
        }
        Ok(v)
    }

    fn line(&mut self, ep: &str, event: &str, digit: Option<char>) -> anyhow::Result<()> {
        let mut req = json!({"cmd": "line", "endpoint": ep, "event": event});
        if let Some(d) = digit {
            req["digit"] = json!(d.to_string());
        }
        self.call(req).map(|_| ())
    }
}
