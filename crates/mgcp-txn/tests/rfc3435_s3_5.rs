//! RFC 3435 §3.5 (transmission over UDP), rule by rule, driving one or two
//! engines directly with explicit times.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_proto::params::ParamName;
use mgcp_proto::{
    Command, EndpointName, Message, Param, Response, ReturnCode, TransactionId, Verb, parse,
};
use mgcp_txn::{Config, Delivery, Destination, Engine, Event, IncomingId, RespondError, SendError};
use support::addr;

const CA: &str = "10.0.0.1:2727";
const GW: &str = "10.0.0.2:2427";

fn crcx(tid: u32, call: &str) -> String {
    format!("CRCX {tid} aaln/1@gw MGCP 1.0\r\nC: {call}\r\nM: recvonly\r\n")
}

/// Every datagram the engine wants to send, as text.
fn drain(e: &mut Engine) -> Vec<(SocketAddr, String)> {
    let mut out = Vec::new();
    while let Some(t) = e.poll_transmit() {
        out.push((t.destination, String::from_utf8(t.contents).unwrap()));
    }
    out
}

fn commands(d: &[Delivery<'_>]) -> Vec<IncomingId> {
    d.iter()
        .filter_map(|d| match d {
            Delivery::Command { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

fn tid(v: u32) -> TransactionId {
    TransactionId::new(v).unwrap()
}

fn gw_command(call: &str) -> Command<'_> {
    Command::new(
        Verb::Crcx,
        tid(1),
        EndpointName::parse("aaln/1@gw").unwrap(),
    )
    .with(Param::CallId(call))
    .with(Param::ConnectionMode(
        mgcp_proto::params::ConnectionMode::RecvOnly,
    ))
}

#[test]
fn s3_5_1_retransmitted_command_is_answered_from_history_not_executed_again() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let msg = crcx(1000, "A1");
    let d = gw.receive(t0, addr(CA), msg.as_bytes());
    let ids = commands(&d);
    assert_eq!(ids.len(), 1);
    drop(d);
    gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(1000)))
        .unwrap();
    let first = drain(&mut gw);
    assert_eq!(first.len(), 1);
    assert!(first[0].1.starts_with("200 1000"));
    // The same command again, a second later: no delivery, same bytes back.
    let again = gw.receive(t0 + ms(1000), addr(CA), msg.as_bytes());
    assert!(commands(&again).is_empty());
    drop(again);
    assert_eq!(drain(&mut gw), first);
    assert_eq!(gw.counters().answered_from_history, 1);
    assert_eq!(gw.counters().commands_received.get(Verb::Crcx), 1);
}

#[test]
fn s3_5_1_duplicate_of_an_executing_command_gets_100_or_101() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let msg = crcx(7, "A1");
    let ids = commands(&gw.receive(t0, addr(CA), msg.as_bytes()));
    assert!(commands(&gw.receive(t0 + ms(200), addr(CA), msg.as_bytes())).is_empty());
    let out = drain(&mut gw);
    assert_eq!(out, vec![(addr(CA), "100 7 OK\r\n".to_string())]);
    gw.provisional(t0 + ms(300), ids[0], true).unwrap();
    assert_eq!(drain(&mut gw)[0].1, "101 7 OK\r\n");
    let _ = gw.receive(t0 + ms(600), addr(CA), msg.as_bytes());
    assert_eq!(drain(&mut gw)[0].1, "101 7 OK\r\n");
}

#[test]
fn s3_5_1_history_is_forgotten_after_t_hist() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let msg = crcx(5, "A1");
    let ids = commands(&gw.receive(t0, addr(CA), msg.as_bytes()));
    gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(5)))
        .unwrap();
    drain(&mut gw);
    assert_eq!(gw.remembered(), 1);
    assert_eq!(gw.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    gw.handle_timeout(t0 + Duration::from_secs(29));
    assert_eq!(gw.remembered(), 1);
    gw.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(gw.remembered(), 0);
    // After T-HIST the id is new again (the sender may not reuse it sooner).
    assert_eq!(
        commands(&gw.receive(t0 + Duration::from_secs(31), addr(CA), msg.as_bytes())).len(),
        1
    );
}

#[test]
fn s3_5_1_history_is_kept_per_peer() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let a = commands(&gw.receive(t0, addr(CA), crcx(9, "A1").as_bytes()));
    let b = commands(&gw.receive(t0, addr("10.0.0.9:2727"), crcx(9, "B1").as_bytes()));
    assert_eq!((a.len(), b.len()), (1, 1));
    assert_ne!(a[0], b[0]);
}

#[test]
fn s4_1_addresses_of_one_call_agent_share_a_transaction_space() {
    let t0 = Instant::now();
    let backup = addr("10.0.0.9:2727");
    let mut gw = Engine::new(Config::default().same_peer(backup, addr(CA)), 1);
    let ids = commands(&gw.receive(t0, addr(CA), crcx(9, "A1").as_bytes()));
    gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(9)))
        .unwrap();
    drain(&mut gw);
    // The backup retransmits the same command: answered from history, to
    // the backup's address.
    assert!(commands(&gw.receive(t0 + ms(500), backup, crcx(9, "A1").as_bytes())).is_empty());
    let out = drain(&mut gw);
    assert_eq!(out[0].0, backup);
    assert!(out[0].1.starts_with("200 9"));
}

#[test]
fn s3_5_1_a_reused_id_for_a_different_command_is_executed() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let ids = commands(&gw.receive(t0, addr(CA), crcx(3, "A1").as_bytes()));
    gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(3)))
        .unwrap();
    let other = "AUEP 3 aaln/2@gw MGCP 1.0\r\n";
    assert_eq!(
        commands(&gw.receive(t0 + ms(10), addr(CA), other.as_bytes())).len(),
        1
    );
    assert_eq!(gw.counters().reused_ids, 1);
}

#[test]
fn s3_5_responses_go_to_the_source_of_the_command() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let src = addr("192.0.2.77:40000");
    let ids = commands(&gw.receive(t0, src, crcx(11, "A1").as_bytes()));
    gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(11)))
        .unwrap();
    assert_eq!(drain(&mut gw)[0].0, src);
}

#[test]
fn s3_5_3_first_timer_is_200ms_then_exponential_back_off_capped_at_4s() {
    let t0 = Instant::now();
    let mut ca = Engine::new(Config::default(), 7);
    let dest = Destination::from(addr(GW));
    ca.send_command(t0, &dest, gw_command("C1")).unwrap();
    drain(&mut ca);
    let mut now = t0;
    let mut sends = vec![t0];
    for _ in 0..20 {
        let Some(at) = ca.poll_timeout() else { break };
        now = at;
        ca.handle_timeout(now);
        if !drain(&mut ca).is_empty() {
            sends.push(now);
        }
        if ca.outstanding() == 0 {
            break;
        }
    }
    assert_eq!(
        sends[1] - sends[0],
        ms(200),
        "first retransmission after the initial 200 ms"
    );
    let gaps: Vec<Duration> = sends.windows(2).map(|w| w[1] - w[0]).collect();
    for pair in gaps.windows(2) {
        // T-DELAY doubles; jitter keeps each gap within [T-DELAY/2, T-DELAY].
        assert!(pair[1] <= Duration::from_secs(4), "{gaps:?}");
        assert!(pair[1] >= pair[0] / 2, "{gaps:?}");
    }
    // One original plus Max2 = 7 retransmissions, then failure.
    assert_eq!(sends.len(), 8, "{gaps:?}");
    assert_eq!(ca.counters().retransmissions_sent, 7);
    assert_eq!(ca.counters().timeouts, 1);
    let events: Vec<Event> = std::iter::from_fn(|| ca.poll_event()).collect();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::TimedOut {
            verb: Verb::Crcx,
            ..
        }
    )));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Unreachable { .. }))
    );
    assert!(now - t0 <= Duration::from_secs(20));
}

#[test]
fn s3_5_3_timer_adapts_to_the_measured_round_trip() {
    let t0 = Instant::now();
    let mut ca = Engine::new(Config::default(), 7);
    let dest = Destination::from(addr(GW));
    // Ten transactions answered after 900 ms each (no retransmission counted
    // as a sample: only the ones answered before their first timer).
    let mut now = t0;
    for i in 0..10 {
        let call = format!("C{i}");
        let t = ca.send_command(now, &dest, gw_command(&call)).unwrap();
        drain(&mut ca);
        now += ms(150);
        let reply = format!("200 {} OK\r\n", t.value());
        let _ = ca.receive(now, addr(GW), reply.as_bytes());
        drain(&mut ca);
    }
    // 150 ms round trips: the timer settles between rto_min and 200 ms.
    let t = ca.send_command(now, &dest, gw_command("X")).unwrap();
    drain(&mut ca);
    let first_timer = ca.poll_timeout().unwrap() - now;
    assert!(
        first_timer >= ms(150) && first_timer < ms(250),
        "{first_timer:?}"
    );
    // Now the peer slows to 1.5 s: Karn's rule keeps retransmitted samples
    // out, but the initial one-sample estimate on a fresh engine shows the
    // timer grows with the delay.
    let mut slow = Engine::new(Config::default(), 3);
    let t2 = slow.send_command(t0, &dest, gw_command("S")).unwrap();
    drain(&mut slow);
    let _ = slow.receive(
        t0 + ms(180),
        addr(GW),
        format!("200 {} OK\r\n", t2.value()).as_bytes(),
    );
    let _ = t;
    let t3 = slow
        .send_command(t0 + ms(200), &dest, gw_command("S2"))
        .unwrap();
    let timer = slow.poll_timeout().unwrap() - (t0 + ms(200));
    // AAD = 180, ADEV = 90: 180 + 4·90 = 540 ms.
    assert_eq!(timer, ms(540));
    let _ = t3;
}

#[test]
fn s4_3_retransmissions_move_to_the_next_address_after_max1() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 7);
    let primary = addr("10.0.0.1:2727");
    let backup = addr("10.0.0.3:2727");
    let dest = Destination::new(vec![primary, backup]).unwrap();
    gw.send_command(t0, &dest, gw_command("N1")).unwrap();
    let mut to = vec![drain(&mut gw)[0].0];
    for _ in 0..30 {
        let Some(at) = gw.poll_timeout() else { break };
        gw.handle_timeout(at);
        to.extend(drain(&mut gw).into_iter().map(|(a, _)| a));
        if gw.outstanding() == 0 {
            break;
        }
    }
    // Original + Max1 (5) retransmissions to the primary, then the backup.
    assert_eq!(to.iter().filter(|a| **a == primary).count(), 6, "{to:?}");
    assert!(to.iter().filter(|a| **a == backup).count() >= 1);
    let events: Vec<Event> = std::iter::from_fn(|| gw.poll_event()).collect();
    assert!(events.contains(&Event::Suspect { address: primary }));
    assert!(events.contains(&Event::Failover {
        from: primary,
        to: backup
    }));
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Unreachable { .. }))
    );
}

#[test]
fn s4_3_a_peer_answering_from_the_backup_is_preferred_next_time() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 7);
    let primary = addr("10.0.0.1:2727");
    let backup = addr("10.0.0.3:2727");
    let dest = Destination::new(vec![primary, backup]).unwrap();
    let t = gw.send_command(t0, &dest, gw_command("N1")).unwrap();
    drain(&mut gw);
    let mut now = t0;
    while drain(&mut gw).iter().all(|(a, _)| *a != backup) {
        now = gw.poll_timeout().unwrap();
        gw.handle_timeout(now);
        if gw.poll_transmit().is_some_and(|p| p.destination == backup) {
            break;
        }
    }
    let _ = gw.receive(now, backup, format!("200 {} OK\r\n", t.value()).as_bytes());
    drain(&mut gw);
    gw.send_command(now, &dest, gw_command("N2")).unwrap();
    assert_eq!(drain(&mut gw)[0].0, backup);
}

#[test]
fn s3_5_4_a_response_larger_than_the_peers_datagram_becomes_533() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let ids = commands(&gw.receive(t0, addr(CA), b"AUEP 20 aaln/*@gw MGCP 1.0\r\n"));
    let names: Vec<String> = (0..400)
        .map(|i| format!("aaln/{i}@gw.example.net"))
        .collect();
    let mut r = Response::new(ReturnCode::OK, tid(20));
    for n in &names {
        r.params
            .push(Param::SpecificEndpointId(EndpointName::parse(n).unwrap()));
    }
    gw.respond(t0, ids[0], r).unwrap();
    let out = drain(&mut gw);
    assert_eq!(out[0].1, "533 20 FAIL\r\n");
    assert_eq!(gw.counters().responses_too_large, 1);
    // A peer that declared a larger limit gets the whole response.
    gw.set_max_datagram(addr(CA), 65_000);
    let ids = commands(&gw.receive(t0, addr(CA), b"AUEP 21 aaln/*@gw MGCP 1.0\r\n"));
    let mut r = Response::new(ReturnCode::OK, tid(21));
    for n in &names {
        r.params
            .push(Param::SpecificEndpointId(EndpointName::parse(n).unwrap()));
    }
    gw.respond(t0, ids[0], r).unwrap();
    assert!(drain(&mut gw)[0].1.len() > 4000);
}

#[test]
fn s3_5_5_piggybacked_commands_are_processed_in_order_and_each_answered() {
    let t0 = Instant::now();
    let mut gw = Engine::new(
        Config {
            piggyback: true,
            ..Config::default()
        },
        1,
    );
    let datagram = format!(
        "{}.\r\n{}.\r\nRQNT 32 aaln/1@gw MGCP 1.0\r\nX: 1\r\n",
        crcx(30, "A"),
        crcx(31, "B")
    );
    let d = gw.receive(t0, addr(CA), datagram.as_bytes());
    let ids = commands(&d);
    assert_eq!(
        ids.iter()
            .map(|i| i.transaction_id.value())
            .collect::<Vec<_>>(),
        vec![30, 31, 32]
    );
    drop(d);
    for id in &ids {
        gw.respond(t0, *id, Response::new(ReturnCode::OK, id.transaction_id))
            .unwrap();
    }
    // The three answers to the same peer share one datagram.
    let out = drain(&mut gw);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0].1,
        "200 30 OK\r\n.\r\n200 31 OK\r\n.\r\n200 32 OK\r\n"
    );
    assert_eq!(gw.counters().piggybacked_sent, 3);
}

#[test]
fn s3_5_5_an_error_in_one_piggybacked_message_does_not_affect_the_others() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let datagram = format!(
        "CRCX 40 aaln/1@gw MGCP 1.0\r\nM: bogus\r\n.\r\n{}",
        crcx(41, "B")
    );
    let d = gw.receive(t0, addr(CA), datagram.as_bytes());
    assert_eq!(commands(&d).len(), 1);
    assert!(matches!(d[0], Delivery::Malformed { .. }));
    drop(d);
    // The malformed command was answered with its code and transaction id.
    let out = drain(&mut gw);
    assert!(out[0].1.starts_with("517 40 "), "{out:?}");
}

#[test]
fn s3_5_6_final_response_after_provisional_carries_k_and_is_acknowledged() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let mut ca = Engine::new(Config::default(), 2);
    let t = ca
        .send_command(t0, &Destination::from(addr(GW)), gw_command("F1"))
        .unwrap();
    let cmd = drain(&mut ca).remove(0).1;
    let ids = commands(&gw.receive(t0, addr(CA), cmd.as_bytes()));
    gw.provisional(t0, ids[0], false).unwrap();
    let prov = drain(&mut gw).remove(0).1;
    assert_eq!(prov, format!("100 {} OK\r\n", t.value()));
    let d = ca.receive(t0 + ms(5), addr(GW), prov.as_bytes());
    assert!(matches!(d[0], Delivery::Provisional { .. }));
    drop(d);
    // The call agent now waits LONGTRAN (5 s) before retransmitting.
    assert_eq!(ca.poll_timeout(), Some(t0 + ms(5) + Duration::from_secs(5)));
    gw.respond(t0 + ms(50), ids[0], Response::new(ReturnCode::OK, tid(1)))
        .unwrap();
    let fin = drain(&mut gw).remove(0).1;
    assert!(fin.contains("\r\nK:\r\n"), "{fin}");
    let d = ca.receive(t0 + ms(55), addr(GW), fin.as_bytes());
    assert!(matches!(d[0], Delivery::Response { .. }));
    drop(d);
    let ack = drain(&mut ca).remove(0).1;
    assert_eq!(ack, format!("000 {}\r\n", t.value()));
    // Until the 000 arrives the gateway retransmits its final response.
    let resend_at = gw.poll_timeout().unwrap();
    gw.handle_timeout(resend_at);
    assert_eq!(drain(&mut gw).remove(0).1, fin);
    let _ = gw.receive(resend_at + ms(1), addr(CA), ack.as_bytes());
    assert_eq!(gw.counters().acks_received, 1);
    let later = gw.poll_timeout().unwrap();
    gw.handle_timeout(later);
    assert!(
        drain(&mut gw).is_empty(),
        "no more retransmissions after the 000"
    );
}

#[test]
fn s3_2_2_19_received_responses_are_confirmed_with_k_on_the_next_command() {
    let t0 = Instant::now();
    let mut ca = Engine::new(
        Config {
            send_response_acks: true,
            ..Config::default()
        },
        2,
    );
    let mut gw = Engine::new(Config::default(), 1);
    let dest = Destination::from(addr(GW));
    let mut tids = Vec::new();
    for call in ["E1", "E2", "E3"] {
        let t = ca.send_command(t0, &dest, gw_command(call)).unwrap();
        tids.push(t);
        let cmd = drain(&mut ca).remove(0).1;
        let ids = commands(&gw.receive(t0, addr(CA), cmd.as_bytes()));
        gw.respond(t0, ids[0], Response::new(ReturnCode::OK, t))
            .unwrap();
        let r = drain(&mut gw).remove(0).1;
        let _ = ca.receive(t0, addr(GW), r.as_bytes());
    }
    // Each command confirmed the response to the one before it.
    assert_eq!(gw.counters().confirmed_by_response_ack, 2);
    ca.send_command(t0, &dest, gw_command("E4")).unwrap();
    let cmd = drain(&mut ca).remove(0).1;
    let Message::Command(parsed) = parse(cmd.as_bytes()).unwrap() else {
        panic!()
    };
    let k = parsed.params.response_ack().unwrap();
    assert!(k.contains(tids[2]) && !k.contains(tids[1]), "{cmd}");
    let _ = gw.receive(t0, addr(CA), cmd.as_bytes());
    assert_eq!(gw.counters().confirmed_by_response_ack, 3);
    // A late duplicate of a confirmed command is dropped silently.
    let dup = format!(
        "CRCX {} aaln/1@gw MGCP 1.0\r\nC: E1\r\nM: recvonly\r\n",
        tids[0].value()
    );
    let _ = gw.receive(t0 + ms(100), addr(CA), dup.as_bytes());
    assert!(drain(&mut gw).is_empty());
    assert_eq!(gw.counters().duplicates_discarded, 1);
    // K: is sent once: the next command carries none.
    ca.send_command(t0, &dest, gw_command("E5")).unwrap();
    let cmd = drain(&mut ca).remove(0).1;
    let Message::Command(parsed) = parse(cmd.as_bytes()).unwrap() else {
        panic!()
    };
    assert!(!parsed.params.contains(ParamName::ResponseAck), "{cmd}");
}

#[test]
fn overload_is_answered_409_and_limits_hold() {
    let t0 = Instant::now();
    let config = Config {
        history_limit: 2,
        pending_limit: 2,
        ..Config::default()
    };
    let mut gw = Engine::new(config.clone(), 1);
    let a = commands(&gw.receive(t0, addr(CA), crcx(1, "A").as_bytes()));
    assert_eq!(
        commands(&gw.receive(t0, addr(CA), crcx(2, "B").as_bytes())).len(),
        1
    );
    // Both still executing: the third is refused.
    assert!(commands(&gw.receive(t0, addr(CA), crcx(3, "C").as_bytes())).is_empty());
    let out = drain(&mut gw);
    assert_eq!(out.last().unwrap().1, "409 3 FAIL\r\n");
    assert_eq!(gw.counters().overload_rejections, 1);
    assert_eq!(gw.remembered(), 2);
    // Once one is answered, the oldest answered entry makes room.
    gw.respond(t0, a[0], Response::new(ReturnCode::OK, tid(1)))
        .unwrap();
    assert_eq!(
        commands(&gw.receive(t0, addr(CA), crcx(4, "D").as_bytes())).len(),
        1
    );
    assert_eq!(gw.counters().history_evictions, 1);
    assert_eq!(gw.remembered(), 2);
    let mut ca = Engine::new(config, 2);
    let dest = Destination::from(addr(GW));
    ca.send_command(t0, &dest, gw_command("1")).unwrap();
    ca.send_command(t0, &dest, gw_command("2")).unwrap();
    assert_eq!(
        ca.send_command(t0, &dest, gw_command("3")),
        Err(SendError::Overloaded)
    );
}

#[test]
fn responding_twice_or_to_an_unknown_command_is_refused() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let ids = commands(&gw.receive(t0, addr(CA), crcx(1, "A").as_bytes()));
    gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(1)))
        .unwrap();
    assert_eq!(
        gw.respond(t0, ids[0], Response::new(ReturnCode::OK, tid(1))),
        Err(RespondError::NotExecuting)
    );
}

#[test]
fn commands_not_answered_in_time_get_406() {
    let t0 = Instant::now();
    let config = Config {
        execution_timeout: Duration::from_secs(2),
        ..Config::default()
    };
    let mut gw = Engine::new(config, 1);
    let ids = commands(&gw.receive(t0, addr(CA), crcx(1, "A").as_bytes()));
    gw.handle_timeout(t0 + Duration::from_secs(2));
    assert!(drain(&mut gw)[0].1.starts_with("406 1"));
    assert_eq!(
        gw.poll_event(),
        Some(Event::ExecutionTimedOut { id: ids[0] })
    );
}

#[test]
fn auto_provisional_is_sent_when_configured() {
    let t0 = Instant::now();
    let config = Config {
        auto_provisional: Some(ms(100)),
        ..Config::default()
    };
    let mut gw = Engine::new(config, 1);
    let ids = commands(&gw.receive(t0, addr(CA), crcx(1, "A").as_bytes()));
    gw.handle_timeout(t0 + ms(100));
    assert_eq!(drain(&mut gw)[0].1, "100 1 OK\r\n");
    gw.respond(t0 + ms(150), ids[0], Response::new(ReturnCode::OK, tid(1)))
        .unwrap();
    assert!(drain(&mut gw)[0].1.contains("K:"));
}

#[test]
fn stray_responses_are_counted_and_never_answered() {
    let t0 = Instant::now();
    let mut ca = Engine::new(Config::default(), 1);
    let d = ca.receive(t0, addr(GW), b"200 424242 OK\r\n");
    assert!(d.is_empty());
    drop(d);
    assert!(drain(&mut ca).is_empty());
    assert_eq!(ca.counters().stray_responses, 1);
}

#[test]
fn s3_2_2_19_k_is_not_sent_unless_enabled() {
    let t0 = Instant::now();
    let mut ca = Engine::new(Config::default(), 2);
    let dest = Destination::from(addr(GW));
    let t = ca.send_command(t0, &dest, gw_command("E1")).unwrap();
    drain(&mut ca);
    let _ = ca.receive(t0, addr(GW), format!("200 {} OK\r\n", t.value()).as_bytes());
    ca.send_command(t0, &dest, gw_command("E2")).unwrap();
    assert!(!drain(&mut ca)[0].1.contains("K:"));
}

#[test]
fn s3_5_5_without_piggybacking_each_message_has_its_own_datagram() {
    let t0 = Instant::now();
    let mut gw = Engine::new(Config::default(), 1);
    let datagram = format!("{}.\r\n{}", crcx(50, "A"), crcx(51, "B"));
    let ids = commands(&gw.receive(t0, addr(CA), datagram.as_bytes()));
    for id in &ids {
        gw.respond(t0, *id, Response::new(ReturnCode::OK, id.transaction_id))
            .unwrap();
    }
    assert_eq!(drain(&mut gw).len(), 2);
}
