//! Signals and events on loopback: DTMF sent as RFC 4733 and in-band and
//! detected both ways, announcements played to completion (and failing),
//! statistics against a known loss and jitter pattern with an RTCP round
//! trip, media start and RTP time-out, symmetric RTP.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mgcp_gateway::config::EndpointKind::{Announcement, Ivr, Line, Rtpbridge};
use mgcp_gateway::media::{MediaEvent, MediaPlane, SignalTarget};
use mgcp_media::dtmf::DtmfDetector;
use mgcp_media::g711::Law;
use mgcp_media::rfc4733::{Event, EventSender};
use mgcp_media::{MediaConfig, RtpMedia};
use mgcp_proto::params::ConnectionMode as M;
use support::*;

#[test]
fn digits_go_out_as_rfc4733_events_or_in_band() {
    let (mut m, _events) = media();
    let a = Far::new();
    local(
        &mut m,
        1,
        &spec(0, Line, M::SendRecv, "PCMU", Some(a.addr()), vec![]),
    );
    m.signal(&SignalTarget::Connection(1), "D/5", "", true);
    // RFC 4733: payload type 101, one timestamp, marker first, end x3.
    let mut event_packets = Vec::new();
    for _ in 0..200 {
        let (h, p) = a.recv();
        if h.payload_type == 101 {
            event_packets.push((h, Event::read(&p[12..]).unwrap()));
            if event_packets.iter().filter(|(_, e)| e.end).count() == 3 {
                break;
            }
        } else if !event_packets.is_empty() {
            panic!("audio in the middle of the event");
        }
    }
    assert!(event_packets.len() >= 5);
    assert!(event_packets[0].0.marker);
    assert!(
        event_packets
            .iter()
            .all(|(h, e)| e.code == 5 && h.timestamp == event_packets[0].0.timestamp)
    );
    assert_eq!(event_packets.last().unwrap().1.duration, 800);
    // Without telephone-event: in-band, and our own detector hears it.
    let mut s = spec(0, Line, M::SendRecv, "PCMU", Some(a.addr()), vec![]);
    s.telephone_event = None;
    m.modify(1, &s).unwrap();
    m.signal(&SignalTarget::Connection(1), "D/#", "", true);
    let mut det = DtmfDetector::default();
    let mut found = None;
    for _ in 0..100 {
        let audio = a.audio(1, Law::Mu);
        if let Some(d) = det.push(&audio) {
            found = Some(d);
            break;
        }
    }
    assert_eq!(found, Some('#'));
}

#[test]
fn digits_are_detected_from_events_and_from_audio() {
    let (mut m, events) = media();
    let a = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(0, Ivr, M::SendRecv, "PCMU", Some(a.addr()), vec![]),
    );
    m.sync();
    // RFC 4733 events for '7' (each packet 3 times would not matter).
    let sender = EventSender::new(7, 800, 160, 10);
    let mut seq = 0u16;
    for p in sender {
        let mut payload = [0u8; 4];
        p.event.write(&mut payload);
        let mut pkt = packet(101, seq, 8000, 42, &payload);
        if p.first {
            mgcp_media::rtp::set_marker(&mut pkt, true);
        }
        a.send(l1, &pkt);
        seq += 1;
    }
    let e = expect_event(&events, |e| matches!(e, MediaEvent::Digit { .. }));
    assert_eq!(
        e,
        MediaEvent::Digit {
            media: 1,
            digit: '7'
        }
    );
    // In-band '3' (697 + 1477 Hz) in PCMU, 120 ms, then silence.
    let tone = mgcp_proto::packages::lookup("D", "3")
        .and_then(|d| d.tone)
        .unwrap();
    let mut g = mgcp_media::tone::ToneGenerator::new(tone);
    let mut audio = vec![0i16; 160 * 10];
    g.add_to(&mut audio);
    for (k, chunk) in audio.chunks(160).enumerate() {
        let payload: Vec<u8> = chunk.iter().map(|s| Law::Mu.encode(*s)).collect();
        a.send(l1, &packet(0, seq, 8000 + 160 * k as u32, 42, &payload));
        seq += 1;
    }
    let e = expect_event(&events, |e| matches!(e, MediaEvent::Digit { .. }));
    assert_eq!(
        e,
        MediaEvent::Digit {
            media: 1,
            digit: '3'
        }
    );
}

#[test]
fn relay_endpoints_do_not_report_digits() {
    let (mut m, events) = media();
    let a = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(0, Rtpbridge, M::SendRecv, "PCMU", Some(a.addr()), vec![]),
    );
    m.sync();
    let mut payload = [0u8; 4];
    Event {
        code: 1,
        end: true,
        volume: 10,
        duration: 800,
    }
    .write(&mut payload);
    a.send(l1, &packet(101, 1, 0, 1, &payload));
    // The first packet gives media start; nothing else follows.
    assert_eq!(
        expect_event(&events, |_| true),
        MediaEvent::MediaStart { media: 1 }
    );
    m.sync();
    assert!(events.try_recv().is_err());
}

#[test]
fn an_announcement_plays_to_its_end_and_reports_it() {
    let (mut m, events) = media();
    let dir = std::env::temp_dir().join(format!("mgcp-media-ann-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("hello.wav");
    // 0.5 s of 620 Hz as an A-law WAV.
    let samples: Vec<i16> = (0..4000)
        .map(|n| (9000.0 * (std::f64::consts::TAU * 620.0 * n as f64 / 8000.0).sin()) as i16)
        .collect();
    std::fs::write(&file, mgcp_media::wav::encode_g711(&samples, Law::A)).unwrap();
    let a = Far::new();
    local(
        &mut m,
        1,
        &spec(3, Announcement, M::SendOnly, "PCMU", Some(a.addr()), vec![]),
    );
    let url = format!("file://{}", file.display());
    m.signal(&SignalTarget::Line { endpoint: 3 }, "A/ann", &url, true);
    let mut heard = Vec::new();
    while heard.len() < 4000 {
        heard.extend(a.audio(1, Law::Mu));
    }
    assert!(share(&heard, 620.0) > 0.5);
    let done = expect_event(&events, |e| matches!(e, MediaEvent::SignalDone { .. }));
    assert_eq!(
        done,
        MediaEvent::SignalDone {
            endpoint: 3,
            signal: "A/ann".into(),
            ok: true
        }
    );
    // A missing file: operation failure at once.
    m.signal(
        &SignalTarget::Connection(1),
        "A/ann",
        "file:///nonexistent/x.wav",
        true,
    );
    let done = expect_event(&events, |e| matches!(e, MediaEvent::SignalDone { .. }));
    assert_eq!(
        done,
        MediaEvent::SignalDone {
            endpoint: 3,
            signal: "A/ann".into(),
            ok: false
        }
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn statistics_follow_a_known_loss_and_jitter_pattern_and_rtcp_gives_latency() {
    let (mut m, _events) = RtpMedia::with_channel(MediaConfig {
        rtcp_interval_ms: 200,
        ..config()
    })
    .unwrap();
    let a = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(0, Rtpbridge, M::RecvOnly, "PCMU", Some(a.addr()), vec![]),
    );
    m.sync();
    // 100 packets sent back to back (arrival spread negligible) whose
    // timestamps advance 160 each: every transit differs by 160 samples,
    // so RFC 3550's J approaches 160 (20 ms). Five are lost.
    let lost = [10u16, 20, 30, 40, 50];
    let mut sent = 0;
    for seq in 0..100u16 {
        if lost.contains(&seq) {
            continue;
        }
        a.send(l1, &packet(0, seq, u32::from(seq) * 160, 77, &[0xFF; 160]));
        sent += 1;
    }
    m.sync();
    // Statistics are published per packet: wait until all are counted.
    let deadline = std::time::Instant::now() + WAIT;
    while m.stats(1).packets_received < sent {
        assert!(std::time::Instant::now() < deadline, "{:?}", m.stats(1));
        m.sync();
    }
    let s = m.stats(1);
    assert_eq!(s.packets_received, 95);
    assert_eq!(s.octets_received, 95 * 160);
    assert_eq!(s.packets_lost, 5);
    assert!((18..=20).contains(&s.jitter_ms), "{s:?}");
    // RTCP: our report comes to the far end's RTCP port; answering with a
    // report block about it gives a round trip, hence latency.
    let mut buf = [0u8; 1500];
    let (n, from) = a.rtcp.recv_from(&mut buf).expect("an RTCP report");
    assert_eq!(from.port(), l1.port() + 1);
    let report = mgcp_media::rtcp::read_report(&buf[..n], 77).unwrap();
    let block = report.block.expect("a block about our stream");
    assert_eq!((block.ssrc, block.cumulative_lost), (77, 5));
    // Send an SR of ours so the gateway's next report carries LSR/DLSR,
    // then answer that report about the gateway's stream.
    let far_ntp: u64 = 0x0000_1234_5678_0000;
    let mut out = [0u8; 128];
    let len = mgcp_media::rtcp::write_report(
        &mut out,
        77,
        Some(mgcp_media::rtcp::SenderInfo {
            ntp: far_ntp,
            rtp_timestamp: 0,
            packets: 95,
            octets: 95 * 160,
        }),
        None,
        "far",
    )
    .unwrap();
    a.rtcp.send_to(&out[..len], from).unwrap();
    let block = loop {
        let (n, _) = a.rtcp.recv_from(&mut buf).expect("another RTCP report");
        let r = mgcp_media::rtcp::read_report(&buf[..n], 77).unwrap();
        if let Some(b) = r.block.filter(|b| b.lsr != 0) {
            break b;
        }
    };
    assert_eq!(block.lsr, (far_ntp >> 16) as u32);
    assert!(block.dlsr < 65536 * 2, "held under 2 s");
    // The other way: once the gateway sends (a tone), its SRs come; a
    // report block about its stream with their LSR gives it a round trip.
    m.modify(
        1,
        &spec(0, Rtpbridge, M::SendRecv, "PCMU", Some(a.addr()), vec![]),
    )
    .unwrap();
    m.signal(&SignalTarget::Connection(1), "G/rt", "", true);
    let sr = loop {
        let (n, _) = a.rtcp.recv_from(&mut buf).expect("an SR");
        let r = mgcp_media::rtcp::read_report(&buf[..n], 77).unwrap();
        if r.sender.is_some() {
            break r;
        }
    };
    let rr = mgcp_media::rtcp::ReportBlock {
        ssrc: sr.ssrc,
        lsr: (sr.sender.unwrap().ntp >> 16) as u32,
        dlsr: 0,
        ..Default::default()
    };
    let len = mgcp_media::rtcp::write_report(&mut out, 77, None, Some(rr), "far").unwrap();
    a.rtcp.send_to(&out[..len], from).unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while m.stats(1).latency_ms.is_none() {
        assert!(std::time::Instant::now() < deadline, "no latency");
        m.sync();
    }
    let stats = m.close(1);
    assert_eq!(stats.packets_lost, 5);
    assert!(stats.latency_ms.unwrap() < 1000, "{stats:?}");
    assert!(stats.packets_sent > 0);
}

#[test]
fn media_start_and_rtp_timeout_are_reported() {
    let (mut m, events) = RtpMedia::with_channel(MediaConfig {
        rtp_timeout_ms: 300,
        ..config()
    })
    .unwrap();
    let a = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(0, Rtpbridge, M::RecvOnly, "PCMU", Some(a.addr()), vec![]),
    );
    assert_eq!(
        expect_event(&events, |_| true),
        MediaEvent::RtpTimeout { media: 1 },
        "nothing arrives"
    );
    a.send(l1, &packet(0, 1, 0, 1, &[0xFF; 160]));
    assert_eq!(
        expect_event(&events, |_| true),
        MediaEvent::MediaStart { media: 1 }
    );
    assert_eq!(
        expect_event(&events, |_| true),
        MediaEvent::RtpTimeout { media: 1 }
    );
}

#[test]
fn symmetric_rtp_answers_where_packets_come_from() {
    let (mut m, _events) = RtpMedia::with_channel(MediaConfig {
        symmetric_rtp: true,
        ..config()
    })
    .unwrap();
    let (a, b) = (Far::new(), Far::new());
    // A's address is unknown to the call agent (behind NAT); B is known.
    let l1 = local(
        &mut m,
        1,
        &spec(0, Rtpbridge, M::SendRecv, "PCMU", None, vec![2]),
    );
    let l2 = local(
        &mut m,
        2,
        &spec(0, Rtpbridge, M::SendRecv, "PCMU", Some(b.addr()), vec![1]),
    );
    m.sync();
    a.send(l1, &packet(0, 1, 0, 1, &[1; 160]));
    assert_eq!(b.recv().1[12], 1);
    b.send(l2, &packet(0, 1, 0, 2, &[2; 160]));
    assert_eq!(a.recv().1[12], 2, "learnt from A's packet");
}
