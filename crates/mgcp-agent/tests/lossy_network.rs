//! Whole calls over a network that loses, duplicates and reorders
//! datagrams (RFC 3435 §3.5: retransmission and at-most-once execution
//! keep call control exact): every call completes, no connection leaks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mgcp_gateway::LineEvent;
use mgcp_sim::NetworkConfig;
use support::{World, agent_config};

fn step(w: &mut World, k: usize, ep: &str, e: LineEvent) {
    let now = w.sim.now();
    w.gateway_mut(k).line_event(now, ep, e).unwrap();
    w.sim.flush();
    w.run(Duration::from_secs(3));
}

#[test]
fn rfc3435_s3_5_calls_complete_over_a_lossy_network() {
    let net = NetworkConfig {
        latency: Duration::from_millis(20),
        jitter: Duration::from_millis(10),
        loss: 0.15,
        duplication: 0.1,
        reorder: 0.1,
        seed: 9,
    };
    let mut w = World::with(agent_config(2), 2, NetworkConfig::default());
    w.sim.set_config(net);
    let calls = 12;
    for n in 0..calls {
        let (from, to) = if n % 2 == 0 { (0, 1) } else { (1, 0) };
        step(&mut w, from, "aaln/1", LineEvent::OffHook);
        assert!(
            w.hears(from, "aaln/1", "L/dl"),
            "call {n}: {:?}",
            w.status(from, "aaln/1")
        );
        for d in format!("{}001", to + 1).chars() {
            let now = w.sim.now();
            w.gateway_mut(from)
                .line_event(now, "aaln/1", LineEvent::Digit(d))
                .unwrap();
            w.sim.flush();
            w.run(Duration::from_millis(200));
        }
        w.run(Duration::from_secs(3));
        // Line 1 of the other gateway has number (to+1)001.
        assert!(
            w.hears(to, "aaln/1", "L/rg"),
            "call {n}: {:?}",
            w.status(to, "aaln/1")
        );
        step(&mut w, to, "aaln/1", LineEvent::OffHook);
        assert_eq!(w.active_calls(), 1, "call {n}");
        let hanger = if n % 3 == 0 { to } else { from };
        step(&mut w, hanger, "aaln/1", LineEvent::OnHook);
        let other = if hanger == to { from } else { to };
        step(&mut w, other, "aaln/1", LineEvent::OnHook);
        assert_eq!(w.connections(0) + w.connections(1), 0, "call {n}: no leak");
    }
    let cdrs = w.cdrs();
    assert_eq!(cdrs.len(), calls);
    assert!(cdrs.iter().all(|c| c.outcome == "normal"), "{cdrs:?}");
    assert!(w.sim.stats().lost > 10 && w.sim.stats().duplicated > 5);
    assert!(w.agent().engine().counters().retransmissions_sent > 0);
}
