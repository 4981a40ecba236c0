//! A simulated network with our call agent and real gateway engines
//! (`mgcp-gateway` with `NullMedia`), and people on the lines.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_agent::config::{GatewayEntry, LineEntry, Route, TrunkGroup};
use mgcp_agent::{Agent, AgentConfig, CallState, MemoryStore, Store};
use mgcp_gateway::config::{EndpointGroup, EndpointKind};
use mgcp_gateway::{Gateway, GatewayConfig, LineEvent, LineStatus, NullMedia};
use mgcp_sim::{NetworkConfig, Sim};
use mgcp_txn::{Node, Transmit};

pub(crate) const AGENT: &str = "10.0.0.1:2727";
pub(crate) const BACKUP: &str = "10.0.0.2:2727";

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Either kind of node on one simulated network.
pub(crate) enum Peer {
    Agent(Box<Agent>),
    Gateway(Box<Gateway<NullMedia>>),
    /// A node that is switched off (a crashed agent before its restart).
    Off,
}

impl Node for Peer {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        match self {
            Peer::Agent(a) => a.handle_datagram(now, from, datagram),
            Peer::Gateway(g) => g.handle_datagram(now, from, datagram),
            Peer::Off => {}
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        match self {
            Peer::Agent(a) => a.handle_timeout(now),
            Peer::Gateway(g) => g.handle_timeout(now),
            Peer::Off => {}
        }
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        match self {
            Peer::Agent(a) => a.poll_transmit(),
            Peer::Gateway(g) => g.poll_transmit(),
            Peer::Off => None,
        }
    }
    fn poll_timeout(&self) -> Option<Instant> {
        match self {
            Peer::Agent(a) => a.poll_timeout(),
            Peer::Gateway(g) => g.poll_timeout(),
            Peer::Off => None,
        }
    }
}

pub(crate) fn gateway_address(k: usize) -> SocketAddr {
    SocketAddr::from(([10, 0, 1, k as u8 + 1], 2427))
}

pub(crate) fn domain(k: usize) -> String {
    format!("gw{}.example.net", k + 1)
}

/// The agent's configuration for `gateways` gateways of 4 lines and 4
/// trunk channels each; line n of gateway k has number `(k+1)00n`.
pub(crate) fn agent_config(gateways: usize) -> AgentConfig {
    let mut cfg = AgentConfig {
        gateways: (0..gateways)
            .map(|k| GatewayEntry {
                domain: domain(k),
                addresses: vec![gateway_address(k)],
            })
            .collect(),
        lines: Vec::new(),
        trunk_groups: Vec::new(),
        routes: Vec::new(),
        ..AgentConfig::default()
    };
    for k in 0..gateways {
        for n in 1..=4 {
            cfg.lines.push(LineEntry {
                number: format!("{}00{n}", k + 1),
                endpoint: format!("aaln/{n}@{}", domain(k)),
                call_waiting: true,
            });
        }
        cfg.trunk_groups.push(TrunkGroup {
            name: format!("trunks{}", k + 1),
            endpoints: format!("ds/ds1-1/{{n}}@{}", domain(k)),
            count: 4,
            start: 1,
        });
        cfg.routes.push(Route {
            prefix: format!("{}", k + 7),
            group: format!("trunks{}", k + 1),
            digits: Some(4),
        });
    }
    cfg
}

pub(crate) fn gateway_config(k: usize, call_agents: Vec<SocketAddr>) -> GatewayConfig {
    GatewayConfig {
        domain: domain(k),
        call_agents,
        endpoints: vec![
            EndpointGroup {
                kind: EndpointKind::Line,
                name: "aaln/{n}".into(),
                count: 4,
                start: 1,
                max_connections: None,
            },
            EndpointGroup {
                kind: EndpointKind::Trunk,
                name: "ds/ds1-1/{n}".into(),
                count: 4,
                start: 1,
                max_connections: None,
            },
        ],
        ..GatewayConfig::default()
    }
}

pub(crate) struct World {
    pub(crate) sim: Sim<Peer>,
    pub(crate) agent: usize,
    pub(crate) gateways: Vec<usize>,
}

impl World {
    /// An agent and `gateways` gateways, all registered and idle.
    pub(crate) fn new(gateways: usize) -> World {
        Self::with(agent_config(gateways), gateways, NetworkConfig::default())
    }

    pub(crate) fn with(config: AgentConfig, gateways: usize, net: NetworkConfig) -> World {
        let start = Instant::now();
        let mut sim = Sim::new(net, start);
        let agent = Agent::new(config, Box::new(MemoryStore::new()), 11, start).unwrap();
        let agent = sim.add(addr(AGENT), Peer::Agent(Box::new(agent)));
        let gateways = (0..gateways)
            .map(|k| {
                let gw = Gateway::new(
                    gateway_config(k, vec![addr(AGENT)]),
                    NullMedia::new([10, 0, 1, k as u8 + 1].into(), 16384, 32767),
                    100 + k as u64,
                    start,
                )
                .unwrap();
                sim.add(gateway_address(k), Peer::Gateway(Box::new(gw)))
            })
            .collect();
        let mut w = World {
            sim,
            agent,
            gateways,
        };
        w.settle();
        w
    }

    /// Runs until every line is idle and armed (registration done).
    pub(crate) fn settle(&mut self) {
        self.run(Duration::from_secs(5));
        assert!(
            self.agent()
                .lines()
                .iter()
                .all(|l| l.phase == mgcp_agent::Phase::Idle),
            "lines: {:?}",
            self.agent()
                .lines()
                .iter()
                .map(|l| (&l.name, l.phase))
                .collect::<Vec<_>>()
        );
    }

    pub(crate) fn agent(&self) -> &Agent {
        match self.sim.node(self.agent) {
            Peer::Agent(a) => a,
            _ => panic!("the agent is off"),
        }
    }

    pub(crate) fn agent_mut(&mut self) -> &mut Agent {
        match self.sim.node_mut(self.agent) {
            Peer::Agent(a) => a,
            _ => panic!("the agent is off"),
        }
    }

    pub(crate) fn gateway(&self, k: usize) -> &Gateway<NullMedia> {
        match self.sim.node(self.gateways[k]) {
            Peer::Gateway(g) => g,
            _ => panic!("not a gateway"),
        }
    }

    pub(crate) fn gateway_mut(&mut self, k: usize) -> &mut Gateway<NullMedia> {
        match self.sim.node_mut(self.gateways[k]) {
            Peer::Gateway(g) => g,
            _ => panic!("not a gateway"),
        }
    }

    pub(crate) fn run(&mut self, d: Duration) {
        self.sim.run_for(d, 1_000_000);
    }

    /// Something a person does on line `ep` of gateway `k`.
    pub(crate) fn act(&mut self, k: usize, ep: &str, event: LineEvent) {
        let now = self.sim.now();
        self.gateway_mut(k).line_event(now, ep, event).unwrap();
        self.sim.flush();
        self.run(Duration::from_millis(300));
    }

    pub(crate) fn dial(&mut self, k: usize, ep: &str, digits: &str) {
        for c in digits.chars() {
            self.act(k, ep, LineEvent::Digit(c));
        }
    }

    pub(crate) fn status(&self, k: usize, ep: &str) -> LineStatus {
        self.gateway(k).line_status(ep).unwrap()
    }

    pub(crate) fn hears(&self, k: usize, ep: &str, signal: &str) -> bool {
        self.status(k, ep)
            .signals
            .iter()
            .any(|s| s.eq_ignore_ascii_case(signal))
    }

    /// Runs until `done` holds, at most `limit` of virtual time.
    pub(crate) fn run_until(&mut self, limit: Duration, done: impl Fn(&World) -> bool) -> bool {
        let end = self.sim.now() + limit;
        while self.sim.now() < end {
            if done(self) {
                return true;
            }
            self.sim.run_for(Duration::from_millis(50), 100_000);
        }
        done(self)
    }

    pub(crate) fn active_calls(&self) -> usize {
        self.agent()
            .calls()
            .filter(|c| c.state == CallState::Active)
            .count()
    }

    pub(crate) fn connections(&self, k: usize) -> usize {
        self.gateway(k).connection_count()
    }

    /// Off hook, dial, and wait for the callee to ring.
    pub(crate) fn place_call(&mut self, k: usize, from: &str, digits: &str) {
        self.act(k, from, LineEvent::OffHook);
        assert!(
            self.hears(k, from, "L/dl"),
            "dial tone: {:?}",
            self.status(k, from)
        );
        self.dial(k, from, digits);
    }

    pub(crate) fn cdrs(&self) -> Vec<mgcp_agent::Cdr> {
        self.agent().store().cdrs(100)
    }
}

/// Keeps the compiler quiet about unused imports in some test files.
pub(crate) fn _unused(_: &dyn Store) {}

/// A store two agent instances share, as a file would across a restart.
#[derive(Clone, Default)]
pub(crate) struct SharedStore(pub(crate) std::sync::Arc<std::sync::Mutex<MemoryStore>>);

impl Store for SharedStore {
    fn save_call(&mut self, call: &mgcp_agent::CallRecord) {
        self.0.lock().unwrap().save_call(call);
    }
    fn remove_call(&mut self, id: &str) {
        self.0.lock().unwrap().remove_call(id);
    }
    fn add_cdr(&mut self, cdr: &mgcp_agent::Cdr) {
        self.0.lock().unwrap().add_cdr(cdr);
    }
    fn calls(&self) -> Vec<mgcp_agent::CallRecord> {
        self.0.lock().unwrap().calls()
    }
    fn cdrs(&self, limit: usize) -> Vec<mgcp_agent::Cdr> {
        self.0.lock().unwrap().cdrs(limit)
    }
}

impl World {
    /// Replaces the agent with a fresh one (a restart) using `store`.
    pub(crate) fn restart_agent(
        &mut self,
        config: AgentConfig,
        store: Box<dyn Store + Send>,
        seed: u64,
    ) {
        let now = self.sim.now();
        let agent = Agent::new(config, store, seed, now).unwrap();
        *self.sim.node_mut(self.agent) = Peer::Agent(Box::new(agent));
        self.sim.flush();
    }

    /// Replaces gateway `k` with a freshly booted one (a restart: its
    /// connections are gone).
    pub(crate) fn reboot_gateway(&mut self, k: usize, seed: u64) {
        let now = self.sim.now();
        let gw = Gateway::new(
            gateway_config(k, vec![addr(AGENT)]),
            NullMedia::new([10, 0, 1, k as u8 + 1].into(), 16384, 32767),
            seed,
            now,
        )
        .unwrap();
        *self.sim.node_mut(self.gateways[k]) = Peer::Gateway(Box::new(gw));
    }
}

impl SharedStore {
    pub(crate) fn calls_len(&self) -> usize {
        self.0.lock().unwrap().calls().len()
    }
}
