//! Line endpoints and conferences on loopback: what a line says reaches
//! the far end, what the far end sends is heard on the line, tones on the
//! line, two lines in a call, the circuit loopback, mix-minus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]

mod support;

use std::sync::Arc;

use mgcp_gateway::config::EndpointKind::{Conference, Line};
use mgcp_gateway::media::{MediaPlane, SignalTarget};
use mgcp_media::g711::Law;
use mgcp_proto::params::ConnectionMode as M;
use support::*;

fn sine(freq: f64, amplitude: f64, samples: usize) -> Arc<[i16]> {
    (0..samples)
        .map(|n| (amplitude * (std::f64::consts::TAU * freq * n as f64 / 8000.0).sin()) as i16)
        .collect::<Vec<_>>()
        .into()
}

#[test]
fn the_line_talks_to_the_network_and_hears_it() {
    let (mut m, _events) = media();
    let a = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(0, Line, M::SendRecv, "PCMA", Some(a.addr()), vec![]),
    );
    // What the phone says goes out as PCMA, every 20 ms.
    m.play_line(0, Some(sine(1004.0, 6000.0, 16000)));
    let (h, _) = a.recv();
    assert_eq!((h.payload_type, h.payload_len), (8, 160));
    let audio = a.audio(20, Law::A);
    assert!(share(&audio, 1004.0) > 0.5, "{}", share(&audio, 1004.0));
    // What the far end sends is what the line hears: 200 ms (the playout
    // queue's depth) of 697 Hz.
    m.play_line(0, None);
    for k in 0..10u16 {
        let p = sine_payload(Law::A, 697.0, 7000.0, usize::from(k) * 160);
        a.send(l1, &packet(8, k, u32::from(k) * 160, 9, &p));
    }
    let heard = m.record_line_for(0, 1600);
    assert!(share(&heard, 697.0) > 0.3, "{}", share(&heard, 697.0));
}

#[test]
fn a_call_between_two_lines_carries_voice_and_tones() {
    let (mut m, _events) = media();
    // Line 0's connection sends to line 1's and back: two gateways' worth
    // of media on one plane.
    let spare = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(0, Line, M::RecvOnly, "PCMU", Some(spare.addr()), vec![]),
    );
    let l2 = local(
        &mut m,
        2,
        &spec(1, Line, M::SendRecv, "PCMA", Some(l1), vec![]),
    );
    m.modify(1, &spec(0, Line, M::SendRecv, "PCMU", Some(l2), vec![]))
        .unwrap();
    m.sync();
    m.play_line(0, Some(sine(1004.0, 8000.0, 8000)));
    let heard = m.record_line_for(1, 4000);
    assert!(share(&heard, 1004.0) > 0.5, "line 1 hears line 0's voice");
    // A signal on line 0's connection towards line 1: ringback.
    m.play_line(0, None);
    m.signal(&SignalTarget::Connection(1), "G/rt", "", true);
    let heard = m.record_line_for(1, 8000);
    let tail = &heard[4000..];
    assert!(
        share(tail, 440.0) > 0.25 && share(tail, 480.0) > 0.25,
        "ringback travelled"
    );
    // A tone on the line itself (dial tone) is heard there, not sent.
    m.signal(&SignalTarget::Connection(1), "G/rt", "", false);
    m.signal(&SignalTarget::Line { endpoint: 0 }, "L/dl", "", true);
    let heard = m.record_line_for(0, 4000);
    assert!(share(&heard[1000..], 350.0) > 0.3 && share(&heard[1000..], 440.0) > 0.3);
    let other = m.record_line_for(1, 4000);
    assert!(
        share(&other[1000..], 350.0) < 0.05,
        "dial tone stays on line 0"
    );
}

#[test]
fn circuit_loopback_returns_what_the_line_says() {
    let (mut m, _events) = media();
    let a = Far::new();
    local(
        &mut m,
        1,
        &spec(4, Line, M::Loopback, "PCMU", Some(a.addr()), vec![]),
    );
    m.sync();
    m.play_line(4, Some(sine(852.0, 6000.0, 16000)));
    let heard = m.record_line_for(4, 4000);
    assert!(share(&heard[800..], 852.0) > 0.5);
}

#[test]
fn a_conference_mixes_everyone_but_yourself() {
    let (mut m, _events) = media();
    let fars: Vec<Far> = (0..3).map(|_| Far::new()).collect();
    let freqs = [500.0, 1000.0, 1500.0];
    let ids = [1u64, 2, 3];
    let locals: Vec<_> = (0..3)
        .map(|k| {
            let peers = ids.iter().copied().filter(|i| *i != ids[k]).collect();
            local(
                &mut m,
                ids[k],
                &spec(
                    9,
                    Conference,
                    M::Conference,
                    "PCMU",
                    Some(fars[k].addr()),
                    peers,
                ),
            )
        })
        .collect();
    m.sync();
    // Everyone talks for 1 s at once (packets paced by the test only as
    // far as the playout queue allows: 10 packets at a time).
    let mut heard: Vec<Vec<i16>> = vec![Vec::new(); 3];
    for round in 0..5 {
        for k in 0..3 {
            for j in 0..10usize {
                let n = round * 10 + j;
                let p = sine_payload(Law::Mu, freqs[k], 5000.0, n * 160);
                fars[k].send(
                    locals[k],
                    &packet(0, n as u16, (n * 160) as u32, 100 + k as u32, &p),
                );
            }
        }
        for k in 0..3 {
            heard[k].extend(fars[k].audio(10, Law::Mu));
        }
    }
    for k in 0..3 {
        let h = &heard[k][1600..];
        for (j, f) in freqs.iter().enumerate() {
            let s = share(h, *f);
            if j == k {
                assert!(s < 0.02, "member {k} hears itself ({s})");
            } else {
                assert!(s > 0.2, "member {k} does not hear {j} ({s})");
            }
        }
    }
}
