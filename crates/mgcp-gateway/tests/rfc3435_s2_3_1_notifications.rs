//! RFC 3435 §2.3.1-§2.3.3 and §4.4.1: notification requests, events and
//! their actions, digit maps, signals, Notify, quarantine and lockstep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use mgcp_gateway::LineEvent::{Digit, Flash, OffHook, OnHook};
use mgcp_gateway::{GatewayEvent, Hook};
use support::{Harness, code, param};

const EP: &str = "aaln/1@gw.example.net";

fn rqnt(h: &mut Harness, body: &str) -> String {
    h.cmd(&format!("RQNT {{tid}} {EP} MGCP 1.0\n{body}"))
}

#[test]
fn s2_3_1_off_hook_is_notified_with_the_request_id() {
    let mut h = Harness::new();
    assert_eq!(code(&rqnt(&mut h, "X: 0123456789AB\nR: L/hd(N)\n")), 200);
    h.line("aaln/1", OffHook);
    let n = h.take_command("NTFY");
    assert!(n.starts_with("NTFY ") && n.contains(EP), "{n}");
    assert_eq!(param(&n, "X"), Some("0123456789AB"));
    assert_eq!(param(&n, "O"), Some("L/hd"));
    h.answer(&n, "200");
    assert_eq!(h.gw.line_status("aaln/1").unwrap().hook, Hook::Off);
}

#[test]
fn s2_3_3_persistent_events_are_notified_with_x_0_before_any_request() {
    let mut h = Harness::new();
    h.line("aaln/2", OffHook);
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "X"), Some("0"));
    assert_eq!(param(&n, "O"), Some("L/hd"));
}

#[test]
fn s2_1_5_digits_are_collected_against_the_digit_map() {
    let mut h = Harness::new();
    h.off_hook("aaln/1");
    let r = rqnt(
        &mut h,
        "X: 1A\nR: L/hu(N), D/[0-9#*T](D)\nS: L/dl\nD: (0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)\n",
    );
    assert_eq!(code(&r), 200, "{r}");
    assert_eq!(h.gw.line_status("aaln/1").unwrap().signals, vec!["L/dl"]);
    h.dial("aaln/1", "2");
    // The first digit stops dial tone (a requested event, no K).
    assert!(h.gw.line_status("aaln/1").unwrap().signals.is_empty());
    assert!(
        h.take_all("NTFY").is_empty(),
        "no notify before the number is complete"
    );
    h.dial("aaln/1", "001");
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "O"), Some("D/2, D/0, D/0, D/1"));
}

#[test]
fn s2_1_5_the_timer_completes_a_number_that_needs_it() {
    let mut h = Harness::new();
    h.off_hook("aaln/1");
    rqnt(&mut h, "X: 1A\nR: D/[0-9#*T](D)\nD: (0T|00T|[1-7]xxx)\n");
    h.dial("aaln/1", "0");
    assert!(h.take_all("NTFY").is_empty());
    // T(critical) = 4 s after a digit that a timer would complete.
    h.advance(Duration::from_millis(3500));
    assert!(h.take_all("NTFY").is_empty());
    h.advance(Duration::from_millis(600));
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "O"), Some("D/0, D/T"));
}

#[test]
fn s2_1_5_an_impossible_number_is_reported_at_once() {
    let mut h = Harness::new();
    h.off_hook("aaln/1");
    rqnt(&mut h, "X: 1A\nR: D/[0-9#*T](D)\nD: ([1-7]xxx)\n");
    h.dial("aaln/1", "9");
    assert_eq!(param(&h.take_command("NTFY"), "O"), Some("D/9"));
}

#[test]
fn s2_3_1_requests_checked_against_packages_and_hook_state() {
    let mut h = Harness::new();
    let cases = [
        ("X: 1\nR: T/co1(N)\n", 518),
        ("X: 1\nR: L/nosuch(N)\n", 522),
        ("X: 1\nS: L/hd\n", 513),
        ("X: 1\nS: A/ann(file:///x.wav)\n", 518),
        ("X: 1\nR: D/[0-9](D)\n", 519),
        ("X: 1\nR: L/hu(N)\n", 402),
        ("X: 1\nR: L/hd(N,I)\n", 523),
        ("X: 1\nS: L/vmwi(blink)\n", 538),
        ("X: 1\nQ: process,discard\n", 508),
        ("R: L/hd(N)\n", 510),
    ];
    for (body, want) in cases {
        assert_eq!(code(&rqnt(&mut h, body)), want, "{body}");
    }
    h.line("aaln/1", OffHook);
    assert_eq!(code(&rqnt(&mut h, "X: 1\nR: L/hd(N)\n")), 401);
    assert_eq!(code(&rqnt(&mut h, "X: 1\nR: L/hu(N)\n")), 200);
}

#[test]
fn s2_3_3_time_out_signals_end_with_operation_complete() {
    let mut h = Harness::new();
    rqnt(&mut h, "X: 2B\nR: L/oc(N), L/hd(N)\nS: L/rg(to=3000)\n");
    assert_eq!(h.gw.line_status("aaln/1").unwrap().signals, vec!["L/rg"]);
    h.advance(Duration::from_millis(2900));
    assert_eq!(h.gw.line_status("aaln/1").unwrap().signals, vec!["L/rg"]);
    h.advance(Duration::from_millis(200));
    assert!(h.gw.line_status("aaln/1").unwrap().signals.is_empty());
    let n = h.take_command("NTFY");
    assert!(param(&n, "O").unwrap().starts_with("L/oc"), "{n}");
}

#[test]
fn s2_3_3_answering_stops_ringing_and_keep_signals_keeps_them() {
    let mut h = Harness::new();
    rqnt(&mut h, "X: 3\nR: L/hd(N)\nS: L/rg\n");
    h.line("aaln/1", OffHook);
    assert!(h.gw.line_status("aaln/1").unwrap().signals.is_empty());
    let n = h.take_command("NTFY");
    h.answer(&n, "200");
    // K keeps a tone playing through the event.
    rqnt(&mut h, "X: 4\nR: L/hf(N,K)\nS: L/bz\n");
    h.line("aaln/1", Flash);
    assert_eq!(h.gw.line_status("aaln/1").unwrap().signals, vec!["L/bz"]);
}

#[test]
fn s2_3_3_on_off_signals_stay_until_turned_off() {
    let mut h = Harness::new();
    rqnt(&mut h, "X: 5\nS: L/vmwi(+)\n");
    rqnt(&mut h, "X: 6\nS: L/dl\n");
    let mut s = h.gw.line_status("aaln/1").unwrap().signals;
    s.sort();
    assert_eq!(s, vec!["L/dl", "L/vmwi"]);
    rqnt(&mut h, "X: 7\nS: L/vmwi(-)\n");
    assert!(
        h.gw.line_status("aaln/1").unwrap().signals.is_empty(),
        "dial tone stopped too (not re-requested)"
    );
}

#[test]
fn s2_3_3_embedded_request_replaces_the_request() {
    let mut h = Harness::new();
    let r = rqnt(
        &mut h,
        "X: 8\nR: L/hd(A, E(S(L/dl),R(L/hu(N),D/[0-9#*T](D)),D([1-7]xxx)))\n",
    );
    assert_eq!(code(&r), 200, "{r}");
    h.line("aaln/1", OffHook);
    assert_eq!(
        h.gw.line_status("aaln/1").unwrap().signals,
        vec!["L/dl"],
        "dial tone from the embedded request"
    );
    assert!(
        h.take_all("NTFY").is_empty(),
        "off-hook was only accumulated"
    );
    h.dial("aaln/1", "2001");
    assert_eq!(
        param(&h.take_command("NTFY"), "O"),
        Some("L/hd, D/2, D/0, D/0, D/1")
    );
}

#[test]
fn s4_4_1_step_mode_quarantines_until_the_next_request() {
    let mut h = Harness::new();
    rqnt(&mut h, "X: 9\nR: L/hd(N)\n");
    h.line("aaln/1", OffHook);
    let n = h.take_command("NTFY");
    // Before the Notify is answered and afterwards (lockstep), events wait.
    h.line("aaln/1", Flash);
    h.answer(&n, "200");
    assert!(h.take_all("NTFY").is_empty());
    h.line("aaln/1", OnHook);
    assert!(h.take_all("NTFY").is_empty());
    // The next request processes them, in order (flash and on-hook are
    // persistent on lines, so they are notified under any request).
    assert_eq!(code(&rqnt(&mut h, "X: A\nR: L/hd(N)\n")), 200);
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "O"), Some("L/hf"));
    assert_eq!(param(&n, "X"), Some("A"));
}

#[test]
fn s4_4_1_a_request_received_before_the_notify_response_ends_lockstep() {
    // The Notify's response is late (lost once, then retransmitted): the
    // call agent's next request arrives first. Digits dialled meanwhile
    // are quarantined, and processed when the response comes, because the
    // request that ends lockstep is already installed.
    let mut h = Harness::new();
    rqnt(&mut h, "X: 9\nR: L/hd(N)\n");
    h.line("aaln/1", OffHook);
    let n = h.take_command("NTFY");
    assert_eq!(
        code(&rqnt(&mut h, "X: 10\nR: L/hu(N), D/[0-9](D)\nD: (xx)\n")),
        200
    );
    h.line("aaln/1", mgcp_gateway::LineEvent::Digit('4'));
    h.line("aaln/1", mgcp_gateway::LineEvent::Digit('2'));
    assert!(h.take_all("NTFY").is_empty());
    h.answer(&n, "200");
    let n = h.take_command("NTFY");
    assert_eq!(param(&n, "X"), Some("10"));
    assert!(
        param(&n, "O").is_some_and(|o| o.contains("D/4") && o.contains("D/2")),
        "{n}"
    );
}

#[test]
fn s4_4_1_discard_drops_quarantined_events() {
    let mut h = Harness::new();
    h.off_hook("aaln/1");
    h.line("aaln/1", Flash);
    rqnt(&mut h, "X: B\nR: L/hf(N), L/hu(N)\nQ: discard\n");
    assert!(h.take_all("NTFY").is_empty());
    // New events are notified as usual.
    h.line("aaln/1", OnHook);
    assert_eq!(param(&h.take_command("NTFY"), "O"), Some("L/hu"));
}

#[test]
fn s4_4_1_loop_mode_keeps_notifying() {
    let mut h = Harness::new();
    h.off_hook("aaln/1");
    assert_eq!(
        code(&rqnt(&mut h, "X: C\nR: L/hu(N), L/hf(N)\nQ: loop\n")),
        200
    );
    h.line("aaln/1", Flash);
    let n = h.take_command("NTFY");
    h.line("aaln/1", Flash);
    assert!(
        h.take_all("NTFY").is_empty(),
        "quarantined while the Notify is outstanding"
    );
    h.answer(&n, "200");
    let n2 = h.take_command("NTFY");
    assert_eq!(param(&n2, "O"), Some("L/hf"));
    h.answer(&n2, "200");
    h.line("aaln/1", OnHook);
    assert_eq!(param(&h.take_command("NTFY"), "O"), Some("L/hu"));
}

#[test]
fn s2_3_3_swap_is_reported_to_the_owner() {
    let mut h = Harness::new();
    h.off_hook("aaln/1");
    rqnt(&mut h, "X: D\nR: L/hf(S,N)\n");
    h.line("aaln/1", Flash);
    let mut swapped = false;
    while let Some(e) = h.gw.poll_event() {
        swapped |= matches!(e, GatewayEvent::Swap { .. });
    }
    assert!(swapped);
    assert_eq!(param(&h.take_command("NTFY"), "O"), Some("L/hf"));
}

#[test]
fn s2_1_4_notify_goes_to_the_notified_entity() {
    let mut h = Harness::new();
    rqnt(&mut h, "X: E\nN: ca2@[10.0.0.5]:2800\nR: L/hd(N)\n");
    h.line("aaln/1", OffHook);
    let (to, n) = h
        .sent
        .iter()
        .find(|(_, t)| t.starts_with("NTFY"))
        .cloned()
        .unwrap();
    assert_eq!(to, "10.0.0.5:2800".parse().unwrap());
    assert_eq!(param(&n, "O"), Some("L/hd"));
    // Without N:, the last commander's address is the notified entity.
    let r = h.cmd_from(
        "10.0.0.6:2727",
        "RQNT {tid} aaln/2@gw.example.net MGCP 1.0\nX: F\nR: L/hd(N)\n",
    );
    assert_eq!(code(&r), 200);
    h.line("aaln/2", OffHook);
    let (to, _) = h
        .sent
        .iter()
        .rev()
        .find(|(_, t)| t.starts_with("NTFY"))
        .cloned()
        .unwrap();
    assert_eq!(to, "10.0.0.6:2727".parse().unwrap());
}

#[test]
fn s2_3_5_embedded_request_in_create_connection() {
    let mut h = Harness::new();
    let r = h.cmd(&format!(
        "CRCX {{tid}} {EP} MGCP 1.0\nC: 1\nM: recvonly\nX: 10\nR: L/hd(N)\nS: L/rg\n"
    ));
    assert_eq!(code(&r), 200, "{r}");
    assert_eq!(h.gw.line_status("aaln/1").unwrap().signals, vec!["L/rg"]);
    h.line("aaln/1", OffHook);
    assert_eq!(param(&h.take_command("NTFY"), "X"), Some("10"));
    // Without X: the embedded request is refused with nothing created.
    let r = h.cmd("CRCX {tid} aaln/2@gw.example.net MGCP 1.0\nC: 1\nM: recvonly\nR: L/hd(N)\n");
    assert_eq!(code(&r), 510);
    assert!(h.gw.endpoint("aaln/2").unwrap().connections.is_empty());
}

#[test]
fn line_events_are_checked() {
    let mut h = Harness::new();
    assert!(h.gw.line_event(h.now, "aaln/77", OffHook).is_err());
    assert!(h.gw.line_event(h.now, "ann/1", OffHook).is_err());
    assert!(h.gw.line_event(h.now, "aaln/1", Digit('x')).is_err());
}

/// Events the media plane reports on a connection (RFC 3435 §2.3.1
/// `@connection` events, RFC 3660 R/ma) reach the endpoint that owns the
/// connection, found by media id; once the connection is gone they are
/// dropped.
#[test]
fn s2_3_1_media_events_reach_the_endpoint_of_their_connection() {
    use mgcp_gateway::media::MediaEvent;
    let mut h = Harness::new();
    for ep in ["aaln/1", "aaln/2"] {
        let r = h.cmd(&format!(
            "CRCX {{tid}} {ep}@gw.example.net MGCP 1.0\nC: 1\nM: sendrecv\n"
        ));
        assert_eq!(code(&r), 200, "{r}");
    }
    let r = h.cmd("RQNT {tid} aaln/2@gw.example.net MGCP 1.0\nX: 5\nR: R/ma@*(N)\n");
    assert_eq!(code(&r), 200, "{r}");
    let conn = h.gw.endpoint("aaln/2").unwrap().connections[0].clone();
    h.gw.media_event(h.now, MediaEvent::MediaStart { media: conn.media });
    let n = h.take_command("NTFY");
    assert!(n.contains("aaln/2@"), "{n}");
    assert_eq!(param(&n, "O"), Some(format!("R/ma@{}", conn.id).as_str()));
    h.answer(&n, "200");
    let r = h.cmd(&format!(
        "DLCX {{tid}} aaln/2@gw.example.net MGCP 1.0\nC: 1\nI: {}\n",
        conn.id
    ));
    assert_eq!(code(&r), 250, "{r}");
    h.gw.media_event(h.now, MediaEvent::MediaStart { media: conn.media });
    assert!(h.take_all("NTFY").is_empty(), "no connection, no event");
}
