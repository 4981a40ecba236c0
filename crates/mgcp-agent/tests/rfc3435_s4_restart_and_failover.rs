//! Restarts and fail-over (RFC 3435 §4): a gateway rebooting mid-call, a
//! gateway that stops answering, the agent restarting mid-call (calls
//! survive through the store and auditing, seed 003), a restart without a
//! store (calls adopted by CallId), and fail-over to a backup agent.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mgcp_agent::Store;
use mgcp_agent::{AgentEvent, CallState, GatewayState, MemoryStore, Phase};
use mgcp_gateway::LineEvent;
use mgcp_sim::NetworkConfig;
use support::{AGENT, BACKUP, Peer, SharedStore, World, addr, agent_config};

fn answered_call(w: &mut World, k1: usize, from: &str, number: &str, k2: usize, to: &str) {
    w.place_call(k1, from, number);
    w.act(k2, to, LineEvent::OffHook);
    assert_eq!(w.active_calls(), 1);
}

#[test]
fn rfc3435_s4_4_6_gateway_restart_mid_call_releases_the_other_side() {
    let mut w = World::new(2);
    answered_call(&mut w, 0, "aaln/1", "2002", 1, "aaln/2");
    w.reboot_gateway(1, 77);
    w.run(Duration::from_secs(5));
    assert!(w.hears(0, "aaln/1", "L/ro"), "{:?}", w.status(0, "aaln/1"));
    assert_eq!(w.connections(0), 0, "the surviving side was deleted");
    let cdr = w.cdrs().pop().unwrap();
    assert_eq!(cdr.outcome, "gateway-restart");
    // The rebooted gateway's lines are audited and idle again.
    let l = w.agent().line("aaln/2@gw2.example.net").unwrap();
    assert_eq!(l.phase, Phase::Idle);
    w.act(0, "aaln/1", LineEvent::OnHook);
    // And calls work again.
    answered_call(&mut w, 1, "aaln/3", "1002", 0, "aaln/2");
}

#[test]
fn rfc3435_s4_3_a_silent_gateway_goes_out_of_service_and_comes_back() {
    let mut w = World::new(2);
    answered_call(&mut w, 0, "aaln/1", "2002", 1, "aaln/2");
    w.sim.set_down(support::gateway_address(1), true);
    // The keep-alive audit (60 s) finds it silent; T-MAX is 20 s.
    w.run(Duration::from_secs(100));
    assert_eq!(w.agent().gateways()[1].state, GatewayState::Unreachable);
    assert_eq!(
        w.agent().line("aaln/2@gw2.example.net").unwrap().phase,
        Phase::OutOfService
    );
    assert_eq!(w.connections(0), 0, "the call's other side was released");
    assert_eq!(w.cdrs().pop().unwrap().outcome, "gateway-unreachable");
    assert!(w.agent().counters().gateways_lost >= 1);
    // Back on the network: a probe is answered, the gateway is audited,
    // and the connection the agent no longer accounts for is deleted.
    w.sim.set_down(support::gateway_address(1), false);
    assert!(w.run_until(Duration::from_secs(60), |w| {
        w.agent().gateways()[1].state == GatewayState::InService && w.connections(1) == 0
    }));
    assert!(w.agent().counters().orphans_deleted >= 1);
}

#[test]
fn agent_restart_mid_call_recovers_the_call_from_the_store_by_auditing() {
    let store = SharedStore::default();
    let mut w = World::new(2);
    w.restart_agent(agent_config(2), Box::new(store.clone()), 21);
    w.run(Duration::from_secs(2));
    answered_call(&mut w, 0, "aaln/1", "2002", 1, "aaln/2");
    assert_eq!(store.calls_len(), 1);
    // The agent dies and comes back with the same store.
    *w.sim.node_mut(w.agent) = Peer::Off;
    w.run(Duration::from_secs(1));
    w.restart_agent(agent_config(2), Box::new(store.clone()), 22);
    assert!(w.agent().recovering());
    w.run(Duration::from_secs(2));
    assert!(!w.agent().recovering());
    assert_eq!(
        w.active_calls(),
        1,
        "the call was found by AUEP F: I then AUCX"
    );
    assert_eq!(w.agent().counters().adopted, 1);
    assert_eq!(w.connections(0) + w.connections(1), 2);
    // It is controlled again: hanging up clears both sides.
    w.act(1, "aaln/2", LineEvent::OnHook);
    assert_eq!(w.connections(0) + w.connections(1), 0);
    assert!(w.hears(0, "aaln/1", "L/ro"));
    assert_eq!(store.calls_len(), 0);
}

#[test]
fn agent_restart_clears_stored_calls_it_cannot_find_and_leaks_nothing() {
    let store = SharedStore::default();
    let mut w = World::new(2);
    w.restart_agent(agent_config(2), Box::new(store.clone()), 21);
    w.run(Duration::from_secs(2));
    answered_call(&mut w, 0, "aaln/1", "2002", 1, "aaln/2");
    *w.sim.node_mut(w.agent) = Peer::Off;
    // While the agent is down, gateway 2 reboots: its side is gone.
    w.reboot_gateway(1, 5);
    w.sim.set_down(addr(AGENT), true);
    w.run(Duration::from_secs(3));
    w.sim.set_down(addr(AGENT), false);
    w.restart_agent(agent_config(2), Box::new(store.clone()), 23);
    w.run(Duration::from_secs(15));
    assert_eq!(w.active_calls(), 0);
    assert_eq!(
        w.connections(0) + w.connections(1),
        0,
        "no connection leaks"
    );
    let outcomes: Vec<String> = store
        .0
        .lock()
        .unwrap()
        .cdrs(10)
        .iter()
        .map(|c| c.outcome.clone())
        .collect();
    assert!(
        outcomes
            .iter()
            .any(|o| o == "not-found-after-restart" || o == "gateway-restart"),
        "{outcomes:?}"
    );
}

#[test]
fn seed003_agent_without_store_adopts_calls_by_call_id() {
    let mut w = World::new(2);
    answered_call(&mut w, 0, "aaln/1", "2002", 1, "aaln/2");
    w.restart_agent(agent_config(2), Box::new(MemoryStore::new()), 31);
    w.run(Duration::from_secs(3));
    assert_eq!(w.active_calls(), 1);
    assert!(w.agent().calls().all(|c| c.state == CallState::Active));
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert_eq!(w.connections(0) + w.connections(1), 0);
}

#[test]
fn fail_over_to_the_backup_agent_which_adopts_the_call_by_auditing() {
    // Both agents share a notified entity that resolves to both
    // addresses, as a DNS name of a redundant call agent would.
    let mut cfg = agent_config(2);
    cfg.notified_entity = Some("ca@ca.example.net:2727".into());
    let mut w = World::with(cfg.clone(), 2, NetworkConfig::default());
    for k in 0..2 {
        w.gateway_mut(k).set_resolver(Box::new(|host: &str, _port| {
            if host.eq_ignore_ascii_case("ca.example.net") {
                vec![addr(AGENT), addr(BACKUP)]
            } else {
                vec![]
            }
        }));
    }
    let mut backup_cfg = cfg.clone();
    backup_cfg.standby = true;
    let now = w.sim.now();
    let backup = mgcp_agent::Agent::new(backup_cfg, Box::new(MemoryStore::new()), 41, now).unwrap();
    let b = w.sim.add(addr(BACKUP), Peer::Agent(Box::new(backup)));
    answered_call(&mut w, 0, "aaln/1", "2002", 1, "aaln/2");
    // The primary dies.
    w.sim.set_down(addr(AGENT), true);
    w.act(0, "aaln/1", LineEvent::OnHook);
    let backup = |w: &World| match w.sim.node(b) {
        Peer::Agent(a) => a.counters().clone(),
        _ => unreachable!(),
    };
    assert!(
        w.run_until(Duration::from_secs(40), |w| w.connections(0)
            + w.connections(1)
            == 0),
        "the backup cleared the call: {:?}",
        backup(&w)
    );
    assert_eq!(backup(&w).adopted, 1);
    assert!(w.hears(1, "aaln/2", "L/ro"));
    // And the backup now serves new calls.
    w.act(1, "aaln/2", LineEvent::OnHook);
    // Gateway 2 has not failed over yet: its first Notify is retransmitted
    // to the dead primary Max1 times, then sent to the backup.
    w.act(1, "aaln/3", LineEvent::OffHook);
    assert!(w.run_until(Duration::from_secs(20), |w| w.hears(1, "aaln/3", "L/dl")));
    w.dial(1, "aaln/3", "1004");
    assert!(w.hears(0, "aaln/4", "L/rg"), "{:?}", w.status(0, "aaln/4"));
    let _ = AgentEvent::Adopted { call: 0 };
}

#[test]
fn rfc3435_s3_3_8_rsip_answered_521_hands_the_gateway_to_the_backup() {
    let mut cfg = agent_config(1);
    cfg.redirect_to = Some("ca@[10.0.0.2]:2727".to_string());
    let start = std::time::Instant::now();
    let mut sim = mgcp_sim::Sim::new(NetworkConfig::default(), start);
    let primary =
        mgcp_agent::Agent::new(cfg.clone(), Box::new(MemoryStore::new()), 1, start).unwrap();
    let mut backup_cfg = agent_config(1);
    backup_cfg.standby = true;
    let backup =
        mgcp_agent::Agent::new(backup_cfg, Box::new(MemoryStore::new()), 2, start).unwrap();
    let gw = mgcp_gateway::Gateway::new(
        support::gateway_config(0, vec![addr(AGENT)]),
        mgcp_gateway::NullMedia::new([10, 0, 1, 1].into(), 16384, 32767),
        3,
        start,
    )
    .unwrap();
    sim.add(addr(AGENT), Peer::Agent(Box::new(primary)));
    let b = sim.add(addr(BACKUP), Peer::Agent(Box::new(backup)));
    let g = sim.add(support::gateway_address(0), Peer::Gateway(Box::new(gw)));
    sim.run_for(Duration::from_secs(5), 100_000);
    let Peer::Gateway(gw) = sim.node(g) else {
        unreachable!()
    };
    assert!(gw.in_service());
    let Peer::Agent(backup) = sim.node(b) else {
        unreachable!()
    };
    assert_eq!(backup.counters().rsips, 1);
    assert!(backup.lines().iter().all(|l| l.phase == Phase::Idle));
}

#[test]
fn rfc3435_s4_4_6_restart_of_the_gateway_of_both_sides_writes_the_cdr_at_once() {
    let mut w = World::new(1);
    answered_call(&mut w, 0, "aaln/1", "1002", 0, "aaln/2");
    w.reboot_gateway(0, 78);
    w.run(Duration::from_secs(5));
    assert_eq!(w.active_calls(), 0);
    assert!(w.agent().calls().next().is_none(), "no DLCX waited for");
    assert_eq!(w.cdrs().pop().unwrap().outcome, "gateway-restart");
    assert_eq!(w.connections(0), 0);
}

#[test]
fn agent_restart_during_set_up_clears_the_call_with_a_record() {
    let store = SharedStore::default();
    let mut w = World::new(1);
    w.restart_agent(agent_config(1), Box::new(store.clone()), 21);
    w.run(Duration::from_secs(2));
    w.place_call(0, "aaln/1", "1002");
    assert!(w.hears(0, "aaln/2", "L/rg"));
    w.restart_agent(agent_config(1), Box::new(store.clone()), 24);
    w.run(Duration::from_secs(3));
    assert_eq!(w.connections(0), 0, "both connections deleted");
    assert!(!w.hears(0, "aaln/2", "L/rg"));
    let cdrs = store.0.lock().unwrap().cdrs(10);
    assert_eq!(
        cdrs.last().unwrap().outcome,
        "setup-interrupted",
        "{cdrs:?}"
    );
    assert_eq!(store.calls_len(), 0);
}
