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
