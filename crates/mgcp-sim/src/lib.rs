//! # mgcp-sim: a deterministic network for MGCP nodes
//!
//! Runs any number of [`Node`]s on a simulated datagram network with a
//! virtual clock that jumps straight to the next event (a delivery or a
//! node's timeout), so a test that covers minutes of protocol time runs in
//! milliseconds, never sleeps, and replays identically for a given seed.
//! Latency, jitter, loss, duplication and reordering are configurable, and
//! an address can be taken down to model a crashed or partitioned peer.
//!
//! It deliberately models only what MGCP over UDP sees: datagrams are
//! delivered whole or not at all; there is no MTU or fragmentation.

#![deny(missing_docs)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_txn::{Node, Transmit};

/// How the network misbehaves.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// One-way delay of every datagram.
    pub latency: Duration,
    /// Extra delay, uniform in `[0, jitter)`, which also reorders.
    pub jitter: Duration,
    /// Probability that a datagram is lost.
    pub loss: f64,
    /// Probability that a datagram is delivered twice.
    pub duplication: f64,
    /// Probability that a datagram is held back by up to ten times the
    /// latency, overtaking others (reordering).
    pub reorder: f64,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for NetworkConfig {
    fn default() -> Self {
        NetworkConfig {
            latency: Duration::from_millis(10),
            jitter: Duration::ZERO,
            loss: 0.0,
            duplication: 0.0,
            reorder: 0.0,
            seed: 1,
        }
    }
}

/// What the network did, for assertions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetworkStats {
    /// Datagrams handed to the network.
    pub sent: u64,
    /// Datagrams delivered (duplicates counted).
    pub delivered: u64,
    /// Datagrams lost on purpose.
    pub lost: u64,
    /// Extra copies delivered.
    pub duplicated: u64,
    /// Datagrams held back to reorder.
    pub reordered: u64,
    /// Datagrams for an address with no node, or a node that is down.
    pub undeliverable: u64,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    at: Instant,
    seq: u64,
    from: SocketAddr,
    to: SocketAddr,
    contents: Vec<u8>,
}

/// The simulated network and its nodes.
pub struct Sim<N: Node> {
    now: Instant,
    config: NetworkConfig,
    rng: fastrand::Rng,
    nodes: Vec<(SocketAddr, N)>,
    down: HashSet<SocketAddr>,
    in_flight: BinaryHeap<Reverse<InFlight>>,
    seq: u64,
    stats: NetworkStats,
}

impl<N: Node> Sim<N> {
    /// An empty network whose clock starts at `start`.
    pub fn new(config: NetworkConfig, start: Instant) -> Self {
        Sim {
            now: start,
            rng: fastrand::Rng::with_seed(config.seed),
            config,
            nodes: Vec::new(),
            down: HashSet::new(),
            in_flight: BinaryHeap::new(),
            seq: 0,
            stats: NetworkStats::default(),
        }
    }

    /// Adds a node at `addr`; returns its index.
    pub fn add(&mut self, addr: SocketAddr, node: N) -> usize {
        self.nodes.push((addr, node));
        self.nodes.len() - 1
    }

    /// The node at `index`.
    pub fn node(&self, index: usize) -> &N {
        &self.nodes[index].1
    }

    /// The node at `index`, mutably. Call [`Sim::flush`] after changing
    /// it from outside so that what it queued is sent.
    pub fn node_mut(&mut self, index: usize) -> &mut N {
        &mut self.nodes[index].1
    }

    /// The address of the node at `index`.
    pub fn address(&self, index: usize) -> SocketAddr {
        self.nodes[index].0
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.now
    }

    /// What the network did so far.
    pub fn stats(&self) -> NetworkStats {
        self.stats
    }

    /// Changes how the network behaves from now on.
    pub fn set_config(&mut self, config: NetworkConfig) {
        self.config = config;
    }

    /// Takes an address down (datagrams to and from it vanish and its
    /// timers stop) or brings it back.
    pub fn set_down(&mut self, addr: SocketAddr, down: bool) {
        if down {
            self.down.insert(addr);
        } else {
            self.down.remove(&addr);
        }
    }

    /// Sends whatever every node has queued.
    pub fn flush(&mut self) {
        for i in 0..self.nodes.len() {
            self.drain(i);
        }
    }

    fn drain(&mut self, index: usize) {
        let from = self.nodes[index].0;
        while let Some(t) = self.nodes[index].1.poll_transmit() {
            self.send(from, t);
        }
    }

    fn send(&mut self, from: SocketAddr, t: Transmit) {
        self.stats.sent += 1;
        if self.down.contains(&from) || self.rng.f64() < self.config.loss {
            self.stats.lost += 1;
            return;
        }
        let copies = if self.rng.f64() < self.config.duplication {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            let mut delay = self.config.latency;
            if !self.config.jitter.is_zero() {
                delay += self.config.jitter.mul_f64(self.rng.f64());
            }
            if self.rng.f64() < self.config.reorder {
                self.stats.reordered += 1;
                delay += self.config.latency.mul_f64(10.0 * self.rng.f64());
            }
            self.seq += 1;
            self.in_flight.push(Reverse(InFlight {
                at: self.now + delay,
                seq: self.seq,
                from,
                to: t.destination,
                contents: t.contents.clone(),
            }));
        }
    }

    /// When the next thing happens: a delivery or a node's timer.
    pub fn next_event(&self) -> Option<Instant> {
        let delivery = self.in_flight.peek().map(|Reverse(f)| f.at);
        let timer = self
            .nodes
            .iter()
            .filter(|(a, _)| !self.down.contains(a))
            .filter_map(|(_, n)| n.poll_timeout())
            .min();
        match (delivery, timer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Advances to the next event and runs it. Returns false when nothing
    /// is left to happen.
    pub fn step(&mut self) -> bool {
        self.flush();
        let Some(at) = self.next_event() else {
            return false;
        };
        self.now = self.now.max(at);
        let due = self
            .in_flight
            .peek()
            .is_some_and(|Reverse(f)| f.at <= self.now);
        if due {
            if let Some(Reverse(f)) = self.in_flight.pop() {
                self.deliver(f);
            }
        } else {
            for i in 0..self.nodes.len() {
                let (addr, node) = &mut self.nodes[i];
                if self.down.contains(addr) {
                    continue;
                }
                if node.poll_timeout().is_some_and(|t| t <= self.now) {
                    node.handle_timeout(self.now);
                    self.drain(i);
                }
            }
        }
        self.flush();
        true
    }

    fn deliver(&mut self, f: InFlight) {
        let target = self.nodes.iter().position(|(a, _)| *a == f.to);
        match target {
            Some(i) if !self.down.contains(&f.to) => {
                self.stats.delivered += 1;
                self.nodes[i]
                    .1
                    .handle_datagram(self.now, f.from, &f.contents);
                self.drain(i);
            }
            _ => self.stats.undeliverable += 1,
        }
    }

    /// Runs events until `deadline` (virtual time), then sets the clock to
    /// it. Bounded by `max_steps`; returns the steps taken.
    pub fn run_until(&mut self, deadline: Instant, max_steps: usize) -> usize {
        let mut steps = 0;
        while steps < max_steps {
            match self.next_event() {
                Some(at) if at <= deadline => {
                    self.step();
                    steps += 1;
                }
                _ => break,
            }
        }
        self.now = self.now.max(deadline);
        steps
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration, max_steps: usize) -> usize {
        let deadline = self.now + duration;
        self.run_until(deadline, max_steps)
    }

    /// Runs until `done` holds or nothing is left to happen, at most
    /// `max_steps` events. Returns whether `done` holds.
    pub fn run_while_not(&mut self, max_steps: usize, mut done: impl FnMut(&Self) -> bool) -> bool {
        for _ in 0..max_steps {
            if done(self) {
                return true;
            }
            if !self.step() {
                break;
            }
        }
        done(self)
    }
}
