//! Calls across two gateways: line to line with the session descriptions
//! exchanged per RFC 2705 §2.1.3, line to trunk channel, trunk channel to
//! line, and trunk channel to trunk channel.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mgcp_agent::Phase;
use mgcp_gateway::LineEvent;
use support::World;

/// The remote address the gateway's connection on `ep` sends to.
fn remote(w: &World, k: usize, ep: &str) -> Option<std::net::SocketAddr> {
    w.gateway(k)
        .endpoint(ep)
        .unwrap()
        .connections
        .first()
        .and_then(|c| c.remote)
}

fn local(w: &World, k: usize, ep: &str) -> std::net::SocketAddr {
    let c = &w.gateway(k).endpoint(ep).unwrap().connections[0];
    std::net::SocketAddr::new(c.local.address, c.local.port)
}

#[test]
fn rfc2705_s2_1_3_connections_across_two_gateways_exchange_sdp() {
    let mut w = World::new(2);
    w.place_call(0, "aaln/1", "2002");
    assert!(w.hears(1, "aaln/2", "L/rg"));
    // Step 2: the callee's connection has the caller's address; step 3:
    // the caller's connection has the callee's.
    assert_eq!(remote(&w, 1, "aaln/2"), Some(local(&w, 0, "aaln/1")));
    assert_eq!(remote(&w, 0, "aaln/1"), Some(local(&w, 1, "aaln/2")));
    w.act(1, "aaln/2", LineEvent::OffHook);
    assert_eq!(w.active_calls(), 1);
    assert_eq!(w.status(0, "aaln/1").connections[0].1, "sendrecv");
    assert_eq!(w.status(1, "aaln/2").connections[0].1, "sendrecv");
    w.act(1, "aaln/2", LineEvent::OnHook);
    assert_eq!(w.connections(0) + w.connections(1), 0);
    let cdr = w.cdrs().pop().unwrap();
    assert_eq!(cdr.callee.as_deref(), Some("aaln/2@gw2.example.net"));
}

#[test]
fn line_to_trunk_channel_on_another_gateway() {
    let mut w = World::new(2);
    // Prefix 8 routes to gw2's trunk group, 4 digits.
    w.place_call(0, "aaln/1", "84155");
    assert_eq!(
        w.active_calls(),
        1,
        "a trunk answers at once (ISDN connect)"
    );
    let ds0 = w.status(1, "ds/ds1-1/1");
    assert_eq!(ds0.connections.len(), 1);
    assert_eq!(ds0.connections[0].1, "sendrecv");
    assert_eq!(remote(&w, 1, "ds/ds1-1/1"), Some(local(&w, 0, "aaln/1")));
    assert_eq!(
        w.agent().line("ds/ds1-1/1@gw2.example.net").unwrap().phase,
        Phase::Call
    );
    // A second caller takes the next free channel.
    w.place_call(0, "aaln/2", "84156");
    assert_eq!(w.status(1, "ds/ds1-1/2").connections.len(), 1);
    w.act(0, "aaln/1", LineEvent::OnHook);
    w.act(0, "aaln/2", LineEvent::OnHook);
    assert_eq!(w.connections(0) + w.connections(1), 0);
    assert_eq!(
        w.agent().line("ds/ds1-1/1@gw2.example.net").unwrap().phase,
        Phase::Idle
    );
}

#[test]
fn trunk_channel_to_line_and_far_end_release() {
    let mut w = World::new(2);
    let now = w.sim.now();
    let id = w
        .agent_mut()
        .trunk_call(now, "ds/ds1-1/3@gw2.example.net", "1002")
        .unwrap();
    w.sim.flush();
    w.run(std::time::Duration::from_millis(300));
    assert!(w.hears(0, "aaln/2", "L/rg"));
    w.act(0, "aaln/2", LineEvent::OffHook);
    assert_eq!(
        w.agent().call(id).unwrap().state,
        mgcp_agent::CallState::Active
    );
    let now = w.sim.now();
    w.agent_mut()
        .trunk_release(now, "ds/ds1-1/3@gw2.example.net")
        .unwrap();
    w.sim.flush();
    w.run(std::time::Duration::from_millis(300));
    assert_eq!(w.connections(0) + w.connections(1), 0);
    assert!(w.hears(0, "aaln/2", "L/ro"));
}

#[test]
fn trunk_channel_to_trunk_channel_across_gateways() {
    let mut w = World::new(2);
    let now = w.sim.now();
    w.agent_mut()
        .trunk_call(now, "ds/ds1-1/1@gw1.example.net", "80042")
        .unwrap();
    w.sim.flush();
    w.run(std::time::Duration::from_millis(300));
    assert_eq!(w.active_calls(), 1);
    assert_eq!(w.status(0, "ds/ds1-1/1").connections[0].1, "sendrecv");
    assert_eq!(w.status(1, "ds/ds1-1/1").connections[0].1, "sendrecv");
    let now = w.sim.now();
    w.agent_mut()
        .trunk_release(now, "ds/ds1-1/1@gw2.example.net")
        .unwrap();
    w.sim.flush();
    w.run(std::time::Duration::from_millis(300));
    assert_eq!(w.connections(0) + w.connections(1), 0);
    assert!(w.agent().calls().next().is_none());
}
