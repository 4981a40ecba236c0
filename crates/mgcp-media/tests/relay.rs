//! Relay endpoints on loopback: real RTP through a pair of connections
//! in each mode, stream stitching when the source changes, transcoding,
//! the network loop modes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mgcp_gateway::config::EndpointKind::Rtpbridge;
use mgcp_gateway::media::MediaPlane;
use mgcp_media::g711::Law;
use mgcp_proto::params::ConnectionMode as M;
use support::*;

#[test]
fn sendrecv_relays_into_the_peers_own_stream_with_transcoding() {
    let (mut m, _events) = media();
    let (a, b) = (Far::new(), Far::new());
    let l1 = local(
        &mut m,
        1,
        &spec(0, Rtpbridge, M::SendRecv, "PCMU", Some(a.addr()), vec![2]),
    );
    let l2 = local(
        &mut m,
        2,
        &spec(0, Rtpbridge, M::SendRecv, "PCMA", Some(b.addr()), vec![1]),
    );
    m.sync();
    let payload = sine_payload(Law::Mu, 1000.0, 8000.0, 0);
    for k in 0..5u16 {
        a.send(
            l1,
            &packet(0, 100 + k, 1000 + 160 * u32::from(k), 0xAAAA, &payload),
        );
    }
    let mut first = None;
    for k in 0..5u16 {
        let (h, p) = b.recv();
        assert_eq!(h.payload_type, 8, "PCMA on the B side");
        assert_ne!(h.ssrc, 0xAAAA, "B's own SSRC");
        let (seq0, ts0, ssrc0) = *first.get_or_insert((h.sequence, h.timestamp, h.ssrc));
        assert_eq!(h.ssrc, ssrc0);
        assert_eq!(h.sequence, seq0.wrapping_add(k));
        assert_eq!(h.timestamp, ts0.wrapping_add(160 * u32::from(k)));
        assert_eq!(h.marker, k == 0, "marker on the first packet of a source");
        let mut expect = payload.clone();
        mgcp_media::g711::transcode(Law::Mu, Law::A, &mut expect);
        assert_eq!(&p[12..], &expect[..]);
    }
    // The source changes (new SSRC, unrelated numbers): B sees one stream
    // going on, marked.
    a.send(l1, &packet(0, 7, 999_999, 0xBBBB, &payload));
    let (h, _) = b.recv();
    let (seq0, _, ssrc0) = first.unwrap();
    assert_eq!(
        (h.ssrc, h.sequence, h.marker),
        (ssrc0, seq0.wrapping_add(5), true)
    );
    // And the other way, B to A, PCMA to PCMU.
    let pa = sine_payload(Law::A, 500.0, 4000.0, 0);
    b.send(l2, &packet(8, 1, 0, 0xCCCC, &pa));
    let (h, p) = a.recv();
    assert_eq!(h.payload_type, 0);
    let mut expect = pa.clone();
    mgcp_media::g711::transcode(Law::A, Law::Mu, &mut expect);
    assert_eq!(&p[12..], &expect[..]);
    // Statistics on both sides.
    let s1 = m.stats(1);
    assert_eq!((s1.packets_received, s1.packets_sent), (6, 1));
    assert_eq!(s1.octets_received, 6 * 160);
    let s2 = m.close(2);
    assert_eq!((s2.packets_received, s2.packets_sent), (1, 6));
}

/// Waits until connection `id` has taken `n` packets in (counted whatever
/// its mode then does with them), so that a later mode change cannot
/// overtake a packet still in the socket.
fn taken(m: &mgcp_media::RtpMedia, id: u64, n: u64) {
    let deadline = std::time::Instant::now() + WAIT;
    while m.stats(id).packets_received < n {
        assert!(
            std::time::Instant::now() < deadline,
            "packet {n} never read"
        );
        m.sync();
    }
}

#[test]
fn directions_follow_the_modes() {
    let (mut m, _events) = media();
    let (a, b) = (Far::new(), Far::new());
    let l1 = local(
        &mut m,
        1,
        &spec(3, Rtpbridge, M::Inactive, "PCMU", Some(a.addr()), vec![2]),
    );
    let _l2 = local(
        &mut m,
        2,
        &spec(3, Rtpbridge, M::SendRecv, "PCMU", Some(b.addr()), vec![1]),
    );
    let p = |seq: u16, marker: u8| packet(0, seq, u32::from(seq) * 160, 1, &[marker; 160]);
    // Each step: a packet that must not pass, then a mode that lets the
    // next through; B must see only the ones that pass, in order.
    m.sync();
    a.send(l1, &p(1, 1)); // inactive: dropped
    taken(&m, 1, 1);
    m.modify(
        1,
        &spec(3, Rtpbridge, M::SendOnly, "PCMU", Some(a.addr()), vec![2]),
    )
    .unwrap();
    m.sync();
    a.send(l1, &p(2, 2)); // sendonly does not receive: dropped
    taken(&m, 1, 2);
    m.modify(
        1,
        &spec(3, Rtpbridge, M::RecvOnly, "PCMU", Some(a.addr()), vec![2]),
    )
    .unwrap();
    m.sync();
    a.send(l1, &p(3, 3)); // recvonly receives, sendrecv peer sends: passes
    let (_, got) = b.recv();
    assert_eq!(got[12], 3);
    m.modify(
        2,
        &spec(3, Rtpbridge, M::RecvOnly, "PCMU", Some(b.addr()), vec![1]),
    )
    .unwrap();
    m.sync();
    a.send(l1, &p(4, 4)); // the peer no longer sends: dropped
    taken(&m, 1, 4);
    m.modify(
        2,
        &spec(3, Rtpbridge, M::SendOnly, "PCMU", Some(b.addr()), vec![1]),
    )
    .unwrap();
    m.sync();
    a.send(l1, &p(5, 5));
    let (_, got) = b.recv();
    assert_eq!(got[12], 5, "packets 1, 2 and 4 never came out");
    // Packets from anyone but the remote are not taken.
    let stranger = Far::new();
    stranger.send(l1, &p(6, 6));
    m.sync();
    a.send(l1, &p(7, 7));
    let (_, got) = b.recv();
    assert_eq!(got[12], 7, "the stranger's packet was dropped");
}

#[test]
fn network_loop_echoes_and_network_test_reencodes() {
    let (mut m, _events) = media();
    let a = Far::new();
    let l1 = local(
        &mut m,
        1,
        &spec(5, Rtpbridge, M::NetworkLoop, "PCMU", Some(a.addr()), vec![]),
    );
    m.sync();
    let sent = packet(0, 9, 1440, 0x1234, &sine_payload(Law::Mu, 700.0, 5000.0, 0));
    a.send(l1, &sent);
    let (_, back) = a.recv();
    assert_eq!(back, sent, "netwloop: unchanged");
    // netwtest: through the codec and into our own stream (PCMA here).
    m.modify(
        1,
        &spec(5, Rtpbridge, M::NetworkTest, "PCMA", Some(a.addr()), vec![]),
    )
    .unwrap();
    m.sync();
    a.send(l1, &sent);
    let (h, back) = a.recv();
    assert_eq!(h.payload_type, 8);
    assert_ne!(h.ssrc, 0x1234);
    let expect: Vec<u8> = sent[12..]
        .iter()
        .map(|c| Law::A.encode(Law::Mu.decode(*c)))
        .collect();
    assert_eq!(&back[12..], &expect[..]);
    // osmo-mgw's loopback on an RTP bridge: echoed too.
    m.modify(
        1,
        &spec(5, Rtpbridge, M::Loopback, "PCMU", Some(a.addr()), vec![]),
    )
    .unwrap();
    m.sync();
    a.send(l1, &sent);
    assert_eq!(a.recv().1, sent);
}

#[test]
fn a_tone_on_a_connection_replaces_the_relay_until_stopped() {
    let (mut m, _events) = media();
    let (a, b) = (Far::new(), Far::new());
    let l1 = local(
        &mut m,
        1,
        &spec(7, Rtpbridge, M::SendRecv, "PCMU", Some(a.addr()), vec![2]),
    );
    local(
        &mut m,
        2,
        &spec(7, Rtpbridge, M::SendRecv, "PCMU", Some(b.addr()), vec![1]),
    );
    m.signal(
        &mgcp_gateway::media::SignalTarget::Connection(2),
        "G/rt",
        "",
        true,
    );
    // Ringback towards B: 440 + 480 Hz.
    let ssrc = b.recv().0.ssrc;
    let audio = b.audio(25, Law::Mu);
    assert!(share(&audio, 440.0) > 0.3 && share(&audio, 480.0) > 0.3);
    m.signal(
        &mgcp_gateway::media::SignalTarget::Connection(2),
        "G/rt",
        "",
        false,
    );
    m.sync();
    // Relayed media again, continuing the same stream.
    for k in 0..100u16 {
        a.send(l1, &packet(0, k, u32::from(k) * 160, 5, &[0x55; 160]));
        let (h, p) = b.recv();
        assert_eq!(h.ssrc, ssrc);
        if p[12] == 0x55 {
            return;
        }
    }
    panic!("relay did not resume");
}
