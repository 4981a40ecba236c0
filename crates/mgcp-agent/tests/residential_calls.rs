//! The residential call flow line to line against the real gateway engine
//! over the simulated network (RFC 3435 §2.3, RFC 2705 §2.1.3).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mgcp_agent::{CallState, Phase};
use mgcp_gateway::LineEvent;
use support::World;

#[test]
fn line_to_line_call_set_up_answered_and_cleared() {
    let mut w = World::new(1);
    w.place_call(0, "aaln/1", "1002");
    assert!(
        w.hears(0, "aaln/2", "L/rg"),
        "callee rings: {:?}",
        w.status(0, "aaln/2")
    );
    assert!(
        w.hears(0, "aaln/1", "G/rt"),
        "caller hears ringback: {:?}",
        w.status(0, "aaln/1")
    );
    assert!(!w.hears(0, "aaln/1", "L/dl"), "dial tone stopped");
    assert_eq!(w.connections(0), 2);
    w.act(0, "aaln/2", LineEvent::OffHook);
    assert_eq!(w.active_calls(), 1);
    for ep in ["aaln/1", "aaln/2"] {
        let s = w.status(0, ep);
        assert_eq!(s.connections.len(), 1, "{ep}: {s:?}");
        assert_eq!(s.connections[0].1, "sendrecv", "{ep}: {s:?}");
        assert!(s.signals.is_empty(), "{ep}: {s:?}");
    }
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert_eq!(w.connections(0), 0);
    assert!(w.agent().calls().next().is_none());
    assert!(w.hears(0, "aaln/2", "L/ro"), "{:?}", w.status(0, "aaln/2"));
    w.act(0, "aaln/2", LineEvent::OnHook);
    assert_eq!(
        w.agent().line("aaln/2@gw1.example.net").unwrap().phase,
        Phase::Idle
    );
    let cdrs = w.cdrs();
    assert_eq!(cdrs.len(), 1);
    assert_eq!(cdrs[0].outcome, "normal");
    assert_eq!(cdrs[0].stats.len(), 2, "{:?}", cdrs[0]);
    assert!(cdrs[0].setup_ms.is_some());
    let _ = CallState::Active;
    let _ = Duration::ZERO;
}

fn outcome(w: &World) -> String {
    w.cdrs()
        .last()
        .map(|c| c.outcome.clone())
        .unwrap_or_default()
}

fn idle(w: &World, ep: &str) -> bool {
    w.agent()
        .line(&format!("{ep}@gw1.example.net"))
        .is_some_and(|l| l.phase == Phase::Idle)
}

#[test]
fn callee_hangs_up_first_and_the_caller_hears_reorder() {
    let mut w = World::new(1);
    w.place_call(0, "aaln/1", "1002");
    w.act(0, "aaln/2", LineEvent::OffHook);
    assert_eq!(w.active_calls(), 1);
    w.act(0, "aaln/2", LineEvent::OnHook);
    assert_eq!(w.connections(0), 0);
    assert!(w.hears(0, "aaln/1", "L/ro"));
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert!(idle(&w, "aaln/1") && idle(&w, "aaln/2"));
    assert_eq!(outcome(&w), "normal");
}

#[test]
fn busy_callee_gets_the_caller_busy_tone() {
    let mut w = World::new(1);
    // Line 2 is off hook dialling: busy for everyone else.
    w.act(0, "aaln/2", LineEvent::OffHook);
    w.place_call(0, "aaln/1", "1002");
    assert!(w.hears(0, "aaln/1", "L/bz"), "{:?}", w.status(0, "aaln/1"));
    assert_eq!(w.connections(0), 0);
    assert_eq!(outcome(&w), "busy");
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert!(idle(&w, "aaln/1"));
    assert_eq!(w.agent().counters().busy, 1);
}

#[test]
fn rfc3435_s2_1_5_unknown_number_gets_reorder_tone() {
    let mut w = World::new(1);
    w.place_call(0, "aaln/1", "1009");
    assert!(w.hears(0, "aaln/1", "L/ro"), "{:?}", w.status(0, "aaln/1"));
    assert_eq!(outcome(&w), "unknown-number");
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert!(idle(&w, "aaln/1"));
}

#[test]
fn no_answer_clears_the_call_after_the_timeout() {
    let mut w = World::new(1);
    w.place_call(0, "aaln/1", "1003");
    assert!(w.hears(0, "aaln/3", "L/rg"));
    w.run(Duration::from_secs(31));
    assert!(!w.hears(0, "aaln/3", "L/rg"), "ringing stopped");
    assert!(w.hears(0, "aaln/1", "L/ro"));
    assert_eq!(w.connections(0), 0);
    assert_eq!(outcome(&w), "no-answer");
    assert!(idle(&w, "aaln/3"));
}

#[test]
fn caller_abandons_while_dialling_and_while_ringing() {
    let mut w = World::new(1);
    w.act(0, "aaln/1", LineEvent::OffHook);
    w.dial(0, "aaln/1", "10");
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert!(idle(&w, "aaln/1"));
    assert!(!w.hears(0, "aaln/1", "L/dl"));
    // Again, hanging up while the callee rings.
    w.place_call(0, "aaln/1", "1002");
    assert!(w.hears(0, "aaln/2", "L/rg"));
    w.act(0, "aaln/1", LineEvent::OnHook);
    assert!(!w.hears(0, "aaln/2", "L/rg"));
    assert_eq!(w.connections(0), 0);
    assert!(idle(&w, "aaln/1") && idle(&w, "aaln/2"));
    assert_eq!(outcome(&w), "abandoned");
    assert_eq!(w.agent().counters().abandoned, 2);
}

#[test]
fn call_waiting_rings_through_and_hook_flash_swaps_calls() {
    let mut w = World::new(1);
    w.place_call(0, "aaln/1", "1002");
    w.act(0, "aaln/2", LineEvent::OffHook);
    // Line 3 calls the busy line 2: call waiting tone, ringback for 3.
    w.place_call(0, "aaln/3", "1002");
    assert!(w.hears(0, "aaln/2", "L/wt"), "{:?}", w.status(0, "aaln/2"));
    assert!(w.hears(0, "aaln/3", "G/rt"), "{:?}", w.status(0, "aaln/3"));
    // Flash: line 2 holds line 1 and talks to line 3.
    w.act(0, "aaln/2", LineEvent::Flash);
    assert_eq!(w.active_calls(), 2);
    let modes = |w: &World| {
        let mut m: Vec<String> = w
            .status(0, "aaln/2")
            .connections
            .iter()
            .map(|c| c.1.clone())
            .collect();
        m.sort();
        m
    };
    assert_eq!(modes(&w), ["inactive", "sendrecv"]);
    let s3 = w.status(0, "aaln/3");
    assert_eq!(s3.connections[0].1, "sendrecv");
    // Flash again: back to line 1.
    w.act(0, "aaln/2", LineEvent::Flash);
    assert_eq!(modes(&w), ["inactive", "sendrecv"]);
    let talking = w
        .status(0, "aaln/2")
        .connections
        .iter()
        .find(|c| c.1 == "sendrecv")
        .unwrap()
        .0
        .clone();
    let call1 = w
        .agent()
        .line("aaln/1@gw1.example.net")
        .unwrap()
        .call
        .unwrap();
    assert_eq!(
        w.agent().call(call1).unwrap().connections()[1],
        Some(talking.as_str())
    );
    // The held party hangs up; line 2 keeps the other call.
    w.act(0, "aaln/3", LineEvent::OnHook);
    assert_eq!(w.active_calls(), 1);
    assert_eq!(w.status(0, "aaln/2").connections.len(), 1);
    w.act(0, "aaln/2", LineEvent::OnHook);
    assert_eq!(w.connections(0), 0);
    assert!(w.agent().calls().next().is_none());
}
