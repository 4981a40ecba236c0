//! Full calls per second through the call agent, against simulated
//! gateways (the real gateway engine with the null media plane), with the
//! datagrams passed in memory: no sockets, no latency. Reports the
//! registration of every line (RSIP, AUEP, RQNT), then waves of calls —
//! off-hook, dial tone, digits, CRCX ×2, ringing, MDCX, answer, MDCX ×2,
//! hang-up, DLCX ×2, idle again — and the agent's own CPU time (time spent
//! inside the agent's code on this single thread).
//!
//! `cargo bench -p mgcp-agent --bench calls [-- GATEWAYS LINES_PER_GATEWAY WAVES]`
//! (default 10 gateways of 2000 lines, 5 waves of 10 000 calls)

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_agent::config::{GatewayEntry, LineEntry};
use mgcp_agent::{Agent, AgentConfig, MemoryStore, Phase};
use mgcp_gateway::config::{EndpointGroup, EndpointKind};
use mgcp_gateway::{Gateway, GatewayConfig, LineEvent, NullMedia};
use mgcp_txn::Node;

struct Bench {
    agent: Agent,
    agent_addr: SocketAddr,
    gateways: Vec<(SocketAddr, Gateway<NullMedia>)>,
    queue: VecDeque<(SocketAddr, SocketAddr, Vec<u8>)>,
    agent_time: Duration,
    datagrams: u64,
}

fn gateway_addr(k: usize) -> SocketAddr {
    SocketAddr::from(([10, 1, (k / 250) as u8, (k % 250) as u8 + 1], 2427))
}

fn number(k: usize, n: usize, lines: usize) -> String {
    format!("{}", 100_000 + k * lines + n)
}

impl Bench {
    fn new(gateways: usize, lines: usize) -> Bench {
        let now = Instant::now();
        let agent_addr: SocketAddr = "10.0.0.1:2727".parse().expect("address");
        let mut cfg = AgentConfig {
            gateways: Vec::new(),
            lines: Vec::new(),
            trunk_groups: vec![],
            routes: vec![],
            ..AgentConfig::default()
        };
        cfg.timers.keepalive_ms = 0;
        cfg.audit_window = 256;
        let mut gws = Vec::new();
        for k in 0..gateways {
            let domain = format!("gw{k}.bench");
            cfg.gateways.push(GatewayEntry {
                domain: domain.clone(),
                addresses: vec![],
            });
            for n in 1..=lines {
                cfg.lines.push(LineEntry {
                    number: number(k, n, lines),
                    endpoint: format!("aaln/{n}@{domain}"),
                    call_waiting: false,
                });
            }
            let mut g = GatewayConfig {
                domain,
                call_agents: vec![agent_addr],
                endpoints: vec![EndpointGroup {
                    kind: EndpointKind::Line,
                    name: "aaln/{n}".into(),
                    count: lines as u32,
                    start: 1,
                    max_connections: None,
                }],
                ..GatewayConfig::default()
            };
            g.restart.max_waiting_delay_ms = 0;
            let media = NullMedia::new([10, 1, 0, 1].into(), 1024, 65000);
            let gw = Gateway::new(g, media, k as u64 + 7, now).expect("gateway");
            gws.push((gateway_addr(k), gw));
        }
        let agent = Agent::new(cfg, Box::new(MemoryStore::new()), 3, now).expect("agent");
        Bench {
            agent,
            agent_addr,
            gateways: gws,
            queue: VecDeque::new(),
            agent_time: Duration::ZERO,
            datagrams: 0,
        }
    }

    fn drain_gateway(&mut self, k: usize) {
        let from = self.gateways[k].0;
        while let Some(t) = self.gateways[k].1.poll_transmit() {
            self.queue.push_back((from, t.destination, t.contents));
        }
    }

    /// Delivers datagrams and runs due timers until nothing is left.
    fn run(&mut self) {
        loop {
            while let Some((from, to, bytes)) = self.queue.pop_front() {
                self.datagrams += 1;
                if to == self.agent_addr {
                    let t0 = Instant::now();
                    self.agent.handle_datagram(Instant::now(), from, &bytes);
                    let mut out = Vec::new();
                    while let Some(t) = self.agent.poll_transmit() {
                        out.push(t);
                    }
                    self.agent_time += t0.elapsed();
                    for t in out {
                        self.queue
                            .push_back((self.agent_addr, t.destination, t.contents));
                    }
                } else if let Some(k) = self.gateways.iter().position(|(a, _)| *a == to) {
                    self.gateways[k]
                        .1
                        .handle_datagram(Instant::now(), from, &bytes);
                    self.drain_gateway(k);
                }
            }
            let now = Instant::now();
            let mut fired = false;
            for k in 0..self.gateways.len() {
                if self.gateways[k].1.poll_timeout().is_some_and(|t| t <= now) {
                    self.gateways[k].1.handle_timeout(now);
                    self.drain_gateway(k);
                    fired = true;
                }
            }
            if !fired && self.queue.is_empty() {
                return;
            }
        }
    }

    fn line(&mut self, k: usize, n: usize, event: LineEvent) {
        let ep = format!("aaln/{n}");
        self.gateways[k]
            .1
            .line_event(Instant::now(), &ep, event)
            .expect("line");
        self.drain_gateway(k);
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this
    // too, without it: then a small smoke run checks that it works.
    let full = std::env::args().any(|a| a == "--bench");
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (g, l, w) = if full { (10, 2000, 5) } else { (2, 20, 1) };
    let gateways = args.first().copied().unwrap_or(g);
    let lines = args.get(1).copied().unwrap_or(l);
    let waves = args.get(2).copied().unwrap_or(w);
    let mut b = Bench::new(gateways, lines);
    let t0 = Instant::now();
    b.run();
    let idle = b
        .agent
        .lines()
        .iter()
        .filter(|l| l.phase == Phase::Idle)
        .count();
    println!(
        "registration: {gateways} gateways, {} lines ({idle} idle) in {:.2} s wall, agent {:.2} s",
        gateways * lines,
        t0.elapsed().as_secs_f64(),
        b.agent_time.as_secs_f64()
    );
    assert_eq!(idle, gateways * lines, "every line registered");
    // Each wave: every line n of gateway k (n odd) calls line n+1 of
    // gateway k+1: half the lines are callers, calls cross gateways.
    b.agent_time = Duration::ZERO;
    b.datagrams = 0;
    let t0 = Instant::now();
    let mut calls = 0u64;
    for _ in 0..waves {
        let pairs: Vec<(usize, usize, usize)> = (0..gateways)
            .flat_map(|k| {
                (1..lines)
                    .step_by(2)
                    .map(move |n| (k, n, (k + 1) % gateways))
            })
            .collect();
        for &(k, n, _) in &pairs {
            b.line(k, n, LineEvent::OffHook);
        }
        b.run();
        for &(k, n, callee_gw) in &pairs {
            for d in number(callee_gw, n + 1, lines).chars() {
                b.line(k, n, LineEvent::Digit(d));
            }
        }
        b.run();
        for &(_, n, callee_gw) in &pairs {
            b.line(callee_gw, n + 1, LineEvent::OffHook);
        }
        b.run();
        for &(k, n, _) in &pairs {
            b.line(k, n, LineEvent::OnHook);
        }
        b.run();
        for &(_, n, callee_gw) in &pairs {
            b.line(callee_gw, n + 1, LineEvent::OnHook);
        }
        b.run();
        calls += pairs.len() as u64;
    }
    let wall = t0.elapsed().as_secs_f64();
    let c = b.agent.counters();
    assert_eq!(c.calls_answered, calls, "every call answered: {c:?}");
    assert_eq!(c.calls_completed, calls, "every call completed");
    assert!(b.agent.calls().next().is_none());
    let agent = b.agent_time.as_secs_f64();
    println!(
        "calls: {calls} full calls in {wall:.2} s: {:.0} calls/s with the gateways' work included",
        calls as f64 / wall
    );
    println!(
        "agent CPU: {agent:.2} s ({:.0}% of the run): {:.0} calls per agent CPU-second, {:.1} µs per call, {} datagrams ({:.0} per call)",
        100.0 * agent / wall,
        calls as f64 / agent,
        agent * 1e6 / calls as f64,
        b.datagrams,
        b.datagrams as f64 / calls as f64
    );
}
