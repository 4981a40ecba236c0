//! Two engines exchange thousands of transactions over a simulated network
//! that loses, duplicates and reorders datagrams. Every transaction must
//! complete exactly once or fail visibly after T-MAX, and no command may be
//! executed twice (RFC 3435 §3.5.1 at-most-once).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::{Duration, Instant};

use mgcp_sim::{NetworkConfig, Sim};
use mgcp_txn::{Config, Destination};
use support::{TestNode, addr};

fn run(network: NetworkConfig, processing: Duration, total: usize, seed: u64) {
    let start = Instant::now();
    let mut sim = Sim::new(network, start);
    let ca_addr = addr("10.0.0.1:2727");
    let gw_addr = addr("10.0.0.2:2427");
    let mut ca = TestNode::new(Config::default(), seed);
    ca.window = 16;
    ca.queue_commands("A", total, Destination::from(gw_addr));
    let mut gw = TestNode::new(Config::default(), seed + 1);
    gw.processing = processing;
    let ca_i = sim.add(ca_addr, ca);
    let gw_i = sim.add(gw_addr, gw);
    sim.node_mut(ca_i).start(start);
    let done = sim.run_while_not(5_000_000, |s| {
        let r = &s.node(ca_i).record;
        r.completed.len() + r.failed.len() == total
    });
    assert!(done, "simulation stalled");
    // Let stragglers (retransmissions, acks) play out.
    sim.run_for(Duration::from_secs(60), 1_000_000);

    let ca = &sim.node(ca_i).record;
    let gw = &sim.node(gw_i).record;
    for (call, n) in &gw.executed {
        assert_eq!(*n, 1, "command {call} executed {n} times");
    }
    for call in ca.completed.keys() {
        assert!(
            gw.executed.contains_key(call),
            "{call} completed but never executed"
        );
        assert!(
            !ca.failed.contains(call),
            "{call} both completed and failed"
        );
    }
    assert_eq!(ca.completed.len() + ca.failed.len(), total);
    let stats = sim.stats();
    eprintln!(
        "completed {} failed {} executed {} | network {:?} | ca {:?}",
        ca.completed.len(),
        ca.failed.len(),
        gw.executed.len(),
        stats,
        sim.node(ca_i).engine.counters().retransmissions_sent
    );
    // Most transactions get through despite the losses.
    assert!(
        ca.completed.len() * 100 >= total * 97,
        "only {} of {total}",
        ca.completed.len()
    );
    // Failures are visible: the engine counted each as a timeout.
    assert_eq!(
        sim.node(ca_i).engine.counters().timeouts as usize,
        ca.failed.len()
    );
    // Memory is bounded: after T-HIST nothing is remembered.
    assert_eq!(sim.node(gw_i).engine.remembered(), 0);
    assert_eq!(sim.node(ca_i).engine.outstanding(), 0);
}

#[test]
fn s3_5_exactly_once_with_30_percent_loss_duplication_and_reordering() {
    let network = NetworkConfig {
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(30),
        loss: 0.30,
        duplication: 0.10,
        reorder: 0.20,
        seed: 42,
    };
    run(network, Duration::from_millis(5), 3000, 1);
}

#[test]
fn s3_5_6_slow_execution_with_provisionals_over_a_lossy_network() {
    let network = NetworkConfig {
        latency: Duration::from_millis(30),
        jitter: Duration::from_millis(20),
        loss: 0.25,
        duplication: 0.05,
        reorder: 0.10,
        seed: 7,
    };
    // Execution takes longer than the first retransmission timers, so the
    // gateway answers duplicates with 100 and its final response carries
    // an empty K: that the call agent acknowledges with 000.
    run(network, Duration::from_millis(1500), 1000, 5);
}

#[test]
fn simulations_replay_identically_for_a_seed() {
    let network = NetworkConfig {
        loss: 0.3,
        duplication: 0.1,
        reorder: 0.2,
        jitter: Duration::from_millis(10),
        ..NetworkConfig::default()
    };
    let run_once = || {
        let start = Instant::now();
        let mut sim = Sim::new(network.clone(), start);
        let mut ca = TestNode::new(Config::default(), 3);
        ca.queue_commands("B", 200, Destination::from(addr("10.0.0.2:2427")));
        let ca_i = sim.add(addr("10.0.0.1:2727"), ca);
        sim.add(addr("10.0.0.2:2427"), TestNode::new(Config::default(), 4));
        sim.node_mut(ca_i).start(start);
        sim.run_for(Duration::from_secs(120), 1_000_000);
        let r = &sim.node(ca_i).record;
        let mut done: Vec<_> = r.completed.keys().cloned().collect();
        done.sort();
        (done, sim.stats(), sim.now() - start)
    };
    assert_eq!(run_once(), run_once());
}
