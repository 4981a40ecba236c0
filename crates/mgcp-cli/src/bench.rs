//! `mgcp bench`: a load generator for MGCP gateways, built on the same
//! transaction engine as the rest of the suite.
//!
//! A workload is a scenario: a list of command templates run in order by
//! each of `--window` concurrent sessions. `${name}` in a template is
//! replaced by a variable: `ep` (the endpoint, from `--endpoint`, where
//! `{n}` becomes the cycle number modulo `--endpoints`), `call` (a
//! fresh call id per cycle), `n` (the cycle number), `port` (an RTP port),
//! and the values the previous responses returned: `I` (ConnectionId) and
//! `Z` (SpecificEndpointId, or the endpoint itself when none came back).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use mgcp_proto::{Message, ParseOptions, ReturnCode, TransactionId, parse_with};
use mgcp_txn::{Config, Delivery, Destination, Engine, Event, Node, Transmit};
use serde_json::json;

/// The built-in `cycle` workload: create, modify with a remote SDP, delete.
const CYCLE: &str = "CRCX ${ep} MGCP 1.0
C: ${call}
L: p:20, a:PCMU
M: recvonly
---
MDCX ${Z} MGCP 1.0
C: ${call}
I: ${I}
M: sendrecv

v=0
o=- ${n} 1 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio ${port} RTP/AVP 0
a=ptime:20
---
DLCX ${Z} MGCP 1.0
C: ${call}
I: ${I}
";

/// The built-in `auep` workload.
const AUEP: &str = "AUEP ${ep} MGCP 1.0\n";

/// Arguments of `mgcp bench`.
#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// The gateway: HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:2427")]
    to: String,
    /// `cycle` (CRCX → MDCX with SDP → DLCX), `auep`, or a scenario file
    /// (command templates separated by lines holding `---`).
    #[arg(long, default_value = "cycle")]
    workload: String,
    /// The endpoint the workload addresses; `{n}` becomes a number.
    /// osmo-mgw: `rtpbridge/*@mgw`; ours: `rtpbridge/$@gw` or `aaln/{n}@gw`.
    #[arg(long, default_value = "rtpbridge/*@mgw")]
    endpoint: String,
    /// How many numbers `{n}` cycles through.
    #[arg(long, default_value_t = 1000)]
    endpoints: u32,
    /// Transactions in flight at once.
    #[arg(long, default_value_t = 8)]
    window: usize,
    /// Stop after this many transactions.
    #[arg(long)]
    count: Option<u64>,
    /// Stop after this many seconds.
    #[arg(long)]
    duration: Option<f64>,
    /// Confirm responses with `K:` on later commands (RFC 3435 §3.2.2.19;
    /// off by default because osmo-mgw rejects `K:` with 539).
    #[arg(long)]
    response_acks: bool,
    /// Report the gateway's CPU time (Linux /proc) for this process id.
    #[arg(long)]
    pid: Option<u32>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// No progress lines.
    #[arg(long)]
    quiet: bool,
}

/// Runs the subcommand. Exit 0 when every transaction got a 2xx, 1 when
/// some failed or timed out.
pub(crate) fn run(args: &BenchArgs) -> anyhow::Result<ExitCode> {
    let scenario = Scenario::load(&args.workload)?;
    if args.window == 0 || args.window > 100_000 {
        bail!("--window must be 1 to 100000, got {}", args.window);
    }
    if args.count.is_none() && args.duration.is_none() {
        bail!("give --count, --duration or both to bound the run");
    }
    let target: SocketAddr = args
        .to
        .parse()
        .with_context(|| format!("--to must be HOST:PORT with an IP address, got {}", args.to))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let bind = match target {
            SocketAddr::V4(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
            SocketAddr::V6(_) => SocketAddr::from(([0u16; 8], 0)),
        };
        let socket = mgcp_net::bind(bind).await?;
        let start = Instant::now();
        let limits = Limits {
            count: args.count.unwrap_or(u64::MAX),
            until: args.duration.map(|d| start + Duration::from_secs_f64(d)),
        };
        let cpu_before = args.pid.map(process_cpu).transpose()?;
        let own_before = process_cpu_self()?;
        let mut node = BenchNode::new(scenario, args, Destination::from(target), limits, start);
        node.fill(start);
        let drain_until = limits.until.map(|u| u + Duration::from_secs(25));
        let run = mgcp_net::Run {
            done: &|n: &BenchNode| n.finished(),
            deadline: drain_until,
            ..mgcp_net::Run::default()
        };
        mgcp_net::run(&mut node, &socket, run).await?;
        let elapsed = node.last_completion.unwrap_or_else(Instant::now) - start;
        let target_cpu = match (args.pid, cpu_before) {
            (Some(pid), Some(before)) => Some(process_cpu(pid)? - before),
            _ => None,
        };
        let own_cpu = process_cpu_self()? - own_before;
        let summary = node.summary(elapsed, target_cpu, own_cpu);
        if args.json {
            println!("{}", summary.to_json());
        } else {
            print!("{}", summary.to_text());
        }
        Ok(if summary.failures == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

#[derive(Debug, Clone, Copy)]
struct Limits {
    count: u64,
    until: Option<Instant>,
}

/// Command templates run in order by each session.
#[derive(Debug, Clone)]
struct Scenario {
    name: String,
    steps: Vec<String>,
}

impl Scenario {
    fn load(workload: &str) -> anyhow::Result<Scenario> {
        let (name, text) = match workload {
            "cycle" => ("cycle".to_string(), CYCLE.to_string()),
            "auep" => ("auep".to_string(), AUEP.to_string()),
            path => (
                path.to_string(),
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading scenario {path}"))?,
            ),
        };
        let steps: Vec<String> = text
            .split("\n---")
            .map(|s| s.trim_start_matches(['\r', '\n']).replace("\r\n", "\n"))
            .filter(|s| !s.trim().is_empty())
            .collect();
        if steps.is_empty() {
            bail!("scenario {name} holds no command");
        }
        for (i, step) in steps.iter().enumerate() {
            let probe = substitute(step, &|name| {
                Some(match name {
                    "ep" | "Z" => "probe/1@gw".to_string(),
                    "port" => "4000".to_string(),
                    _ => "1".to_string(),
                })
            });
            let text = with_placeholder_id(&probe);
            if let Err(e) = parse_with(text.as_bytes(), &ParseOptions::lenient()) {
                bail!("scenario {name}, step {}: {e}", i + 1);
            }
        }
        Ok(Scenario { name, steps })
    }
}

/// Replaces `${name}` with `lookup(name)`; unknown names stay as written.
fn substitute(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        let _ = write!(out, "${{{name}}}");
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Puts a placeholder transaction id after the verb (the engine allocates
/// the real one).
fn with_placeholder_id(text: &str) -> String {
    let verb_end = text.find([' ', '\t']).unwrap_or(text.len());
    format!("{} 1{}", &text[..verb_end], &text[verb_end..])
}

/// One session: where it is in the scenario and what it learned.
#[derive(Debug, Default)]
struct Session {
    step: usize,
    cycle: u64,
    vars: HashMap<&'static str, String>,
}

struct BenchNode {
    engine: Engine,
    scenario: Scenario,
    destination: Destination,
    endpoint: String,
    endpoints: u32,
    window: usize,
    limits: Limits,
    sessions: Vec<Session>,
    in_flight: HashMap<TransactionId, (usize, Instant)>,
    started: u64,
    completed: u64,
    failures: u64,
    cycles: u64,
    latencies_us: Vec<u32>,
    last_completion: Option<Instant>,
    progress: bool,
    next_progress: Instant,
    start: Instant,
    send_errors: u64,
}

impl BenchNode {
    fn new(
        scenario: Scenario,
        args: &BenchArgs,
        destination: Destination,
        limits: Limits,
        start: Instant,
    ) -> Self {
        let config = Config {
            pending_limit: args.window + 16,
            send_response_acks: args.response_acks,
            ..Config::default()
        };
        BenchNode {
            engine: Engine::new(config, u64::from(std::process::id())),
            scenario,
            destination,
            endpoint: args.endpoint.clone(),
            endpoints: args.endpoints.max(1),
            window: args.window,
            limits,
            sessions: (0..args.window).map(|_| Session::default()).collect(),
            in_flight: HashMap::new(),
            started: 0,
            completed: 0,
            failures: 0,
            cycles: 0,
            latencies_us: Vec::with_capacity(1 << 20),
            last_completion: None,
            progress: !args.quiet,
            next_progress: start + Duration::from_secs(1),
            start,
            send_errors: 0,
        }
    }

    fn may_start(&self, now: Instant) -> bool {
        self.started < self.limits.count && self.limits.until.is_none_or(|u| now < u)
    }

    fn finished(&self) -> bool {
        self.in_flight.is_empty()
            && (self.started >= self.limits.count
                || self.limits.until.is_some_and(|u| Instant::now() >= u))
    }

    /// Starts every session.
    fn fill(&mut self, now: Instant) {
        for i in 0..self.sessions.len() {
            self.start_step(now, i);
        }
    }

    fn start_step(&mut self, now: Instant, session: usize) {
        if !self.may_start(now) {
            return;
        }
        let s = &mut self.sessions[session];
        if s.step == 0 {
            s.cycle = self.cycles;
            self.cycles += 1;
            s.vars.clear();
            let n = (s.cycle % u64::from(self.endpoints)).to_string();
            let ep = self.endpoint.replace("{n}", &n);
            s.vars.insert("Z", ep.clone());
            s.vars.insert("ep", ep);
            s.vars.insert("call", format!("{:X}", s.cycle + 1));
            s.vars.insert("n", s.cycle.to_string());
            s.vars
                .insert("port", (40000 + 2 * (s.cycle % 10000)).to_string());
        }
        let vars = &s.vars;
        let text = substitute(&self.scenario.steps[s.step], &|name| {
            vars.get(name).cloned()
        });
        let text = with_placeholder_id(&text);
        let Ok(Message::Command(cmd)) = parse_with(text.as_bytes(), &ParseOptions::lenient())
        else {
            self.failures += 1;
            self.sessions[session].step = 0;
            return;
        };
        match self.engine.send_command(now, &self.destination, cmd) {
            Ok(tid) => {
                self.started += 1;
                self.in_flight.insert(tid, (session, now));
            }
            Err(_) => self.send_errors += 1,
        }
    }

    fn on_response(
        &mut self,
        now: Instant,
        tid: TransactionId,
        code: ReturnCode,
        learned: Vec<(&'static str, String)>,
    ) {
        let Some((session, sent)) = self.in_flight.remove(&tid) else {
            return;
        };
        self.completed += 1;
        self.last_completion = Some(now);
        let us = u32::try_from((now - sent).as_micros()).unwrap_or(u32::MAX);
        self.latencies_us.push(us);
        let s = &mut self.sessions[session];
        if code.is_success() {
            for (k, v) in learned {
                s.vars.insert(k, v);
            }
            s.step = (s.step + 1) % self.scenario.steps.len();
        } else {
            self.failures += 1;
            // The cycle cannot go on without what the failed step returns;
            // start a fresh one.
            s.step = 0;
        }
        self.start_step(now, session);
    }

    fn on_events(&mut self, now: Instant) {
        while let Some(e) = self.engine.poll_event() {
            if let Event::TimedOut { transaction_id, .. } = e
                && let Some((session, _)) = self.in_flight.remove(&transaction_id)
            {
                self.failures += 1;
                self.sessions[session].step = 0;
                self.start_step(now, session);
            }
        }
    }

    fn report_progress(&mut self, now: Instant) {
        if !self.progress || now < self.next_progress {
            return;
        }
        self.next_progress = now + Duration::from_secs(1);
        let secs = (now - self.start).as_secs_f64();
        eprintln!(
            "bench: {:>5.1} s  {:>9} transactions  {:>8.0}/s  in flight {}  failures {}  retransmissions {}",
            secs,
            self.completed,
            self.completed as f64 / secs.max(1e-9),
            self.in_flight.len(),
            self.failures,
            self.engine.counters().retransmissions_sent
        );
    }

    fn summary(
        &mut self,
        elapsed: Duration,
        target_cpu: Option<Duration>,
        own_cpu: Duration,
    ) -> Summary {
        self.latencies_us.sort_unstable();
        let pct = |p: f64| -> u32 {
            if self.latencies_us.is_empty() {
                return 0;
            }
            let i = ((self.latencies_us.len() - 1) as f64 * p).round() as usize;
            self.latencies_us[i]
        };
        let counters = self.engine.counters();
        Summary {
            workload: self.scenario.name.clone(),
            window: self.window,
            transactions: self.completed,
            seconds: elapsed.as_secs_f64(),
            p50: pct(0.50),
            p90: pct(0.90),
            p99: pct(0.99),
            max: self.latencies_us.last().copied().unwrap_or(0),
            codes: counters
                .responses_received
                .iter()
                .filter(|(c, _)| *c >= 200)
                .collect(),
            retransmissions: counters.retransmissions_sent,
            timeouts: counters.timeouts,
            failures: self.failures + self.send_errors,
            target_cpu,
            own_cpu,
        }
    }
}

impl Node for BenchNode {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let mut done = Vec::new();
        for d in self.engine.receive(now, from, datagram) {
            if let Delivery::Response {
                transaction_id,
                response,
                ..
            } = d
            {
                let mut learned = Vec::new();
                if let Some(i) = response.params.connection_id() {
                    learned.push(("I", i.to_string()));
                }
                if let Some(z) = response.params.specific_endpoint_id() {
                    learned.push(("Z", z.to_string()));
                }
                done.push((transaction_id, response.code, learned));
            }
        }
        for (tid, code, learned) in done {
            self.on_response(now, tid, code, learned);
        }
        self.on_events(now);
        self.report_progress(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.on_events(now);
        self.report_progress(now);
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.engine.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let progress = self.progress.then_some(self.next_progress);
        let until = self.limits.until;
        [self.engine.poll_timeout(), progress, until]
            .into_iter()
            .flatten()
            .min()
    }
}

struct Summary {
    workload: String,
    window: usize,
    transactions: u64,
    seconds: f64,
    p50: u32,
    p90: u32,
    p99: u32,
    max: u32,
    codes: Vec<(u16, u64)>,
    retransmissions: u64,
    timeouts: u64,
    failures: u64,
    target_cpu: Option<Duration>,
    own_cpu: Duration,
}

impl Summary {
    fn rate(&self) -> f64 {
        self.transactions as f64 / self.seconds.max(1e-9)
    }

    fn per_cpu_second(&self) -> Option<f64> {
        self.target_cpu
            .filter(|c| !c.is_zero())
            .map(|c| self.transactions as f64 / c.as_secs_f64())
    }

    fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "workload      {} (window {})",
            self.workload, self.window
        );
        let _ = writeln!(
            s,
            "transactions  {} in {:.2} s = {:.0}/s",
            self.transactions,
            self.seconds,
            self.rate()
        );
        let _ = writeln!(
            s,
            "latency (µs)  p50 {}  p90 {}  p99 {}  max {}",
            self.p50, self.p90, self.p99, self.max
        );
        let codes: Vec<String> = self
            .codes
            .iter()
            .map(|(c, n)| format!("{c:03} × {n}"))
            .collect();
        let _ = writeln!(s, "return codes  {}", codes.join(", "));
        let _ = writeln!(
            s,
            "retransmissions {}  timeouts {}  failures {}",
            self.retransmissions, self.timeouts, self.failures
        );
        if let Some(cpu) = self.target_cpu {
            let _ = writeln!(
                s,
                "target CPU    {:.2} s ({:.0}% of a core) = {:.0} transactions per CPU-second",
                cpu.as_secs_f64(),
                100.0 * cpu.as_secs_f64() / self.seconds.max(1e-9),
                self.per_cpu_second().unwrap_or(0.0)
            );
        }
        let _ = writeln!(s, "bench CPU     {:.2} s", self.own_cpu.as_secs_f64());
        let _ = writeln!(
            s,
            "summary: workload={} window={} transactions={} rate={:.0}/s p50={}us p99={}us retransmissions={} timeouts={} failures={}{}",
            self.workload,
            self.window,
            self.transactions,
            self.rate(),
            self.p50,
            self.p99,
            self.retransmissions,
            self.timeouts,
            self.failures,
            self.per_cpu_second()
                .map(|v| format!(" per_cpu_second={v:.0}"))
                .unwrap_or_default()
        );
        s
    }

    fn to_json(&self) -> serde_json::Value {
        let codes: serde_json::Map<String, serde_json::Value> = self
            .codes
            .iter()
            .map(|(c, n)| (format!("{c:03}"), json!(n)))
            .collect();
        json!({
            "workload": self.workload,
            "window": self.window,
            "transactions": self.transactions,
            "seconds": self.seconds,
            "rate": self.rate(),
            "latency_us": {"p50": self.p50, "p90": self.p90, "p99": self.p99, "max": self.max},
            "codes": codes,
            "retransmissions": self.retransmissions,
            "timeouts": self.timeouts,
            "failures": self.failures,
            "target_cpu_seconds": self.target_cpu.map(|c| c.as_secs_f64()),
            "transactions_per_cpu_second": self.per_cpu_second(),
            "bench_cpu_seconds": self.own_cpu.as_secs_f64(),
        })
    }
}

/// User plus system CPU time of a process, from /proc (Linux).
fn process_cpu(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat (is process {pid} running?)"))?;
    cpu_from_stat(&stat).with_context(|| format!("unexpected /proc/{pid}/stat format"))
}

fn process_cpu_self() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").context("reading /proc/self/stat")?;
    cpu_from_stat(&stat).context("unexpected /proc/self/stat format")
}

/// Fields 14 and 15 (utime, stime) in clock ticks; Linux uses 100 ticks per
/// second on every platform we run on.
fn cpu_from_stat(stat: &str) -> Option<Duration> {
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitution() {
        let vars = |n: &str| (n == "ep").then(|| "aaln/1@gw".to_string());
        assert_eq!(
            substitute("CRCX ${ep} MGCP 1.0 ${x}", &vars),
            "CRCX aaln/1@gw MGCP 1.0 ${x}"
        );
        assert_eq!(substitute("no vars", &vars), "no vars");
        assert_eq!(substitute("open ${ep", &vars), "open ${ep");
    }

    #[test]
    fn built_in_scenarios_parse() {
        assert_eq!(Scenario::load("cycle").unwrap().steps.len(), 3);
        assert_eq!(Scenario::load("auep").unwrap().steps.len(), 1);
        assert!(Scenario::load("/nonexistent").is_err());
    }

    #[test]
    fn proc_stat_cpu_fields() {
        let stat = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 150 50 0 0 20 0 1 0 100 0 0";
        assert_eq!(cpu_from_stat(stat), Some(Duration::from_millis(2000)));
    }
}
