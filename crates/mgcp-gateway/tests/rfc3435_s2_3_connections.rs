//! RFC 3435 §2.3.5-§2.3.11: connection commands, audits and EPCF, with the
//! return codes of RFC 3435 §2.4 and RFC 3661 for each failure.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use mgcp_gateway::media::SignalTarget;
use mgcp_proto::params::ConnectionMode;
use support::{Harness, code, param};

const REMOTE_SDP: &str = "\nv=0\no=- 1 1 IN IP4 10.0.0.9\ns=-\nc=IN IP4 10.0.0.9\nt=0 0\nm=audio 5004 RTP/AVP 0 101\na=rtpmap:101 telephone-event/8000\na=ptime:20\n";

fn crcx(h: &mut Harness, ep: &str, extra: &str) -> String {
    h.cmd(&format!(
        "CRCX {{tid}} {ep}@gw.example.net MGCP 1.0\nC: A1\nM: recvonly\n{extra}"
    ))
}

#[test]
fn s2_3_5_create_connection_returns_id_and_local_description() {
    let mut h = Harness::new();
    let r = crcx(&mut h, "aaln/1", "L: p:20, a:PCMU");
    assert_eq!(code(&r), 200, "{r}");
    let id = param(&r, "I").unwrap();
    assert_eq!(id.len(), 8);
    assert!(r.contains("\r\n\r\nv=0\r\n"), "{r}");
    assert!(r.contains("m=audio 16384 RTP/AVP 0 101"), "{r}");
    assert!(r.contains("a=recvonly"), "{r}");
    assert_eq!(h.gw.connection_count(), 1);
    let conn = &h.gw.endpoint("aaln/1").unwrap().connections[0];
    assert_eq!(conn.id, id);
    assert_eq!(conn.mode, ConnectionMode::RecvOnly);
}

#[test]
fn s2_3_5_remote_description_picks_the_codec_and_address() {
    let mut h = Harness::new();
    let r = crcx(&mut h, "aaln/1", &format!("L: a:PCMA;PCMU\n{REMOTE_SDP}"));
    assert_eq!(code(&r), 200, "{r}");
    let ep = h.gw.endpoint("aaln/1").unwrap();
    let c = &ep.connections[0];
    assert_eq!(c.codecs[0].name, "PCMU");
    assert_eq!(c.remote, Some("10.0.0.9:5004".parse().unwrap()));
    assert_eq!(c.telephone_event, Some(101));
    let spec = h.gw.media().spec(c.media).unwrap();
    assert_eq!(spec.remote, c.remote);
}

#[test]
fn s2_3_5_any_of_wildcard_allocates_and_names_the_endpoint() {
    let mut h = Harness::new();
    let r = crcx(&mut h, "rtpbridge/$", "");
    assert_eq!(code(&r), 200);
    assert_eq!(param(&r, "Z"), Some("rtpbridge/1@gw.example.net"));
    let r2 = crcx(&mut h, "rtpbridge/$", "");
    assert_eq!(param(&r2, "Z"), Some("rtpbridge/2@gw.example.net"));
}

#[test]
fn s2_4_connection_failures_get_their_codes() {
    let mut h = Harness::new();
    let cases: [(&str, &str, u16); 12] = [
        ("aaln/99", "", 500),
        ("aaln/1", "M: confrnce", 517),
        ("aaln/1", "L: a:G729", 534),
        ("aaln/1", "L: p:7", 535),
        ("aaln/1", "L: x-vendor:1, zz:1", 525),
        ("aaln/1", "L: k:base64:AAAA", 532),
        ("aaln/1", "L: nt:ATM", 532),
        ("aaln/1", "L: p:x", 541),
        ("null", "", 517),
        (
            "aaln/1",
            "\nv=0\nc=IN IP4 10.0.0.9\nm=image 4000 udptl t38\n",
            505,
        ),
        (
            "aaln/1",
            "L: a:PCMA\n\nv=0\nc=IN IP4 10.0.0.9\nm=audio 4000 RTP/AVP 0\n",
            506,
        ),
        ("aaln/1", "\nv=0\nm=audio 4000 RTP/AVP 0\n", 509),
    ];
    for (ep, extra, want) in cases {
        let text = if extra.starts_with("M:") {
            format!("CRCX {{tid}} {ep}@gw.example.net MGCP 1.0\nC: A1\n{extra}\n")
        } else {
            format!("CRCX {{tid}} {ep}@gw.example.net MGCP 1.0\nC: A1\nM: recvonly\n{extra}")
        };
        let r = h.cmd(&text);
        assert_eq!(code(&r), want, "{ep} {extra:?}: {r}");
    }
    assert_eq!(h.gw.connection_count(), 0, "failures leave nothing behind");
    // Missing CallId: protocol error.
    assert_eq!(
        code(&h.cmd("CRCX {tid} aaln/1@gw.example.net MGCP 1.0\nM: recvonly\n")),
        510
    );
    // A domain that is not ours.
    assert_eq!(
        code(&h.cmd("CRCX {tid} aaln/1@other.net MGCP 1.0\nC: 1\nM: recvonly\n")),
        500
    );
    // "all of" wildcard in CRCX.
    assert_eq!(
        code(&h.cmd("CRCX {tid} aaln/*@gw.example.net MGCP 1.0\nC: 1\nM: recvonly\n")),
        503
    );
}

#[test]
fn s2_3_5_per_endpoint_connection_limit_is_540() {
    let mut h = Harness::new();
    assert_eq!(code(&crcx(&mut h, "rtpbridge/1", "")), 200);
    assert_eq!(code(&crcx(&mut h, "rtpbridge/1", "")), 200);
    assert_eq!(code(&crcx(&mut h, "rtpbridge/1", "")), 540);
}

#[test]
fn s2_3_5_any_of_with_nothing_free_is_410() {
    let mut h = Harness::new();
    for _ in 0..4 {
        assert_eq!(code(&crcx(&mut h, "aaln/$", "")), 200);
    }
    assert_eq!(code(&crcx(&mut h, "aaln/$", "")), 410);
}

#[test]
fn s2_3_5_relay_connections_are_linked_to_each_other() {
    let mut h = Harness::new();
    crcx(&mut h, "pr/1", "");
    crcx(&mut h, "pr/1", "");
    let ep = h.gw.endpoint("pr/1").unwrap();
    let (a, b) = (ep.connections[0].media, ep.connections[1].media);
    assert_eq!(h.gw.media().spec(a).unwrap().peers, vec![b]);
    assert_eq!(h.gw.media().spec(b).unwrap().peers, vec![a]);
}

#[test]
fn s2_3_5_second_endpoint_makes_a_local_connection() {
    let mut h = Harness::new();
    let r = crcx(&mut h, "aaln/1", "Z2: aaln/2@gw.example.net");
    assert_eq!(code(&r), 200, "{r}");
    let (i1, i2) = (
        param(&r, "I").unwrap().to_string(),
        param(&r, "I2").unwrap().to_string(),
    );
    assert_eq!(h.gw.endpoint("aaln/2").unwrap().connections[0].id, i2);
    // Deleting one end deletes both.
    let d = h.cmd(&format!(
        "DLCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: {i1}\n"
    ));
    assert_eq!(code(&d), 250);
    assert_eq!(h.gw.connection_count(), 0);
}

#[test]
fn s2_3_6_modify_connection() {
    let mut h = Harness::new();
    let r = crcx(&mut h, "aaln/1", "");
    let id = param(&r, "I").unwrap().to_string();
    // Mode only: no new description.
    let m = h.cmd(&format!(
        "MDCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: {id}\nM: sendrecv\n"
    ));
    assert_eq!(code(&m), 200);
    assert!(!m.contains("v=0"), "{m}");
    // With the remote description: the local one comes back.
    let m = h.cmd(&format!(
        "MDCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: {id}\nM: sendrecv\n{REMOTE_SDP}"
    ));
    assert_eq!(code(&m), 200);
    assert!(m.contains("v=0"), "{m}");
    let c = &h.gw.endpoint("aaln/1").unwrap().connections[0];
    assert_eq!(c.mode, ConnectionMode::SendRecv);
    assert_eq!(c.remote, Some("10.0.0.9:5004".parse().unwrap()));
    // Errors.
    assert_eq!(
        code(&h.cmd("MDCX {tid} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: FFFF\n")),
        515
    );
    assert_eq!(
        code(&h.cmd(&format!(
            "MDCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: B2\nI: {id}\n"
        ))),
        516
    );
    assert_eq!(
        code(&h.cmd(&format!(
            "MDCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: {id}\nM: confrnce\n"
        ))),
        517
    );
    assert_eq!(
        code(&h.cmd("MDCX {tid} aaln/1@gw.example.net MGCP 1.0\nI: 1\n")),
        510,
        "CallId is mandatory"
    );
}

#[test]
fn s2_3_7_delete_connection_variants() {
    let mut h = Harness::new();
    let a = param(&crcx(&mut h, "aaln/1", ""), "I").unwrap().to_string();
    crcx(&mut h, "aaln/1", "");
    h.cmd("CRCX {tid} aaln/2@gw.example.net MGCP 1.0\nC: B2\nM: recvonly\n");
    h.cmd("CRCX {tid} aaln/3@gw.example.net MGCP 1.0\nC: B2\nM: recvonly\n");
    // One connection: 250 with statistics.
    let d = h.cmd(&format!(
        "DLCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: {a}\n"
    ));
    assert_eq!(code(&d), 250);
    assert_eq!(param(&d, "P"), Some("PS=0, OS=0, PR=0, OR=0, PL=0, JI=0"));
    assert_eq!(
        code(&h.cmd(&format!(
            "DLCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nC: A1\nI: {a}\n"
        ))),
        515
    );
    assert_eq!(
        code(&h.cmd("DLCX {tid} aaln/1@gw.example.net MGCP 1.0\nC: FFFF\n")),
        516
    );
    // By call id across a wildcard.
    assert_eq!(
        code(&h.cmd("DLCX {tid} aaln/*@gw.example.net MGCP 1.0\nC: B2\n")),
        250
    );
    assert_eq!(h.gw.connection_count(), 1);
    // Everything on the endpoint.
    assert_eq!(
        code(&h.cmd("DLCX {tid} aaln/1@gw.example.net MGCP 1.0\n")),
        250
    );
    assert_eq!(
        code(&h.cmd("DLCX {tid} aaln/1@gw.example.net MGCP 1.0\n")),
        200,
        "nothing left to delete"
    );
    assert_eq!(h.gw.connection_count(), 0);
    assert_eq!(h.gw.media().open_count(), 0, "media released");
}

#[test]
fn s2_3_10_audit_endpoint() {
    let mut h = Harness::new();
    let id = param(&crcx(&mut h, "aaln/1", ""), "I").unwrap().to_string();
    h.cmd("RQNT {tid} aaln/1@gw.example.net MGCP 1.0\nX: 12AB\nR: L/hd(N)\nD: (xxxx|0T)\n");
    let r = h.cmd(
        "AUEP {tid} aaln/1@gw.example.net MGCP 1.0\nF: R, D, S, X, N, I, T, O, ES, A, PL, Q, B\n",
    );
    assert_eq!(code(&r), 200, "{r}");
    assert_eq!(param(&r, "R"), Some("L/hd(N)"));
    assert_eq!(param(&r, "D"), Some("(xxxx|0T)"));
    assert_eq!(param(&r, "X"), Some("12AB"));
    assert_eq!(param(&r, "I"), Some(id.as_str()));
    assert_eq!(param(&r, "N"), Some("[10.0.0.1]:2727"));
    assert_eq!(param(&r, "ES"), Some("L/hu"));
    let a = param(&r, "A").unwrap();
    assert!(
        a.contains("a:PCMU;PCMA;telephone-event") && a.contains("v:L;G;D;R"),
        "{a}"
    );
    assert!(param(&r, "PL").unwrap().starts_with("L:"));
    // Auditing does not change the notified entity.
    let r = h.cmd_from(
        "10.0.0.7:2727",
        "AUEP {tid} aaln/1@gw.example.net MGCP 1.0\nF: N\n",
    );
    assert_eq!(param(&r, "N"), Some("[10.0.0.1]:2727"));
}

#[test]
fn s2_3_10_wildcard_audit_lists_endpoints() {
    let mut h = Harness::new();
    let r = h.cmd("AUEP {tid} aaln/*@gw.example.net MGCP 1.0\n");
    assert_eq!(code(&r), 200);
    let z: Vec<&str> = r.lines().filter_map(|l| l.strip_prefix("Z: ")).collect();
    assert_eq!(
        z,
        vec![
            "aaln/1@gw.example.net",
            "aaln/2@gw.example.net",
            "aaln/3@gw.example.net",
            "aaln/4@gw.example.net"
        ]
    );
    assert_eq!(
        code(&h.cmd("AUEP {tid} aaln/9@gw.example.net MGCP 1.0\n")),
        500
    );
    // The keepalive endpoint answers audits.
    assert_eq!(
        code(&h.cmd("AUEP {tid} null@gw.example.net MGCP 1.0\n")),
        200
    );
}

/// A gateway in service with `n` analog lines `aaln/1..n`.
fn lines(n: u32) -> Harness {
    use mgcp_gateway::{EndpointGroup, EndpointKind, GatewayConfig};
    let mut h = Harness::starting(GatewayConfig {
        call_agents: vec![support::addr(support::CA)],
        endpoints: vec![EndpointGroup {
            kind: EndpointKind::Line,
            name: "aaln/{n}".into(),
            count: n,
            start: 1,
            max_connections: None,
        }],
        ..GatewayConfig::default()
    });
    h.advance(std::time::Duration::from_secs(3));
    let rsip = h.take_command("RSIP");
    h.answer(&rsip, "200");
    h.sent.clear();
    h
}

/// RFC 3435 §2.3.10: an "all of" audit whose endpoint list would not fit
/// the requester's datagram (4000 bytes unless it told us more, §3.5.4)
/// is an error, 533 "response too large", and the commentary says why.
#[test]
fn s2_3_10_wildcard_audit_too_large_for_the_datagram_is_533() {
    let mut h = lines(1000);
    let r = h.cmd("AUEP {tid} aaln/*@gw.example.net MGCP 1.0\n");
    assert_eq!(code(&r), 533, "{r}");
    let first = r.lines().next().unwrap();
    assert!(
        first.contains("response too large: 1000 endpoints match")
            && first.contains("4000-byte datagram limit"),
        "{first}"
    );
    assert!(r.lines().all(|l| !l.starts_with("Z:")), "no partial list");
}

/// RFC 3435 §2.3.10 with §3.2.2.11: a call agent that accepts larger
/// datagrams (learned as MaxMGCPDatagram) gets the whole list, one `Z:`
/// per endpoint; the limit is the requester's.
#[test]
fn s2_3_10_wildcard_audit_fits_a_larger_datagram() {
    let mut h = lines(1000);
    h.gw.engine_mut()
        .set_max_datagram(support::addr(support::CA), 65_000);
    let r = h.cmd("AUEP {tid} aaln/*@gw.example.net MGCP 1.0\n");
    assert_eq!(code(&r), 200);
    let z: Vec<&str> = r.lines().filter_map(|l| l.strip_prefix("Z: ")).collect();
    assert_eq!(z.len(), 1000);
    assert_eq!(z[999], "aaln/1000@gw.example.net");
    assert!(r.len() <= 65_000);
}

/// The size check is exact enough: a list just under the limit is sent,
/// and the response really fits (the transaction layer would otherwise
/// turn it into a bare 533).
#[test]
fn s2_3_10_wildcard_audit_list_just_under_the_limit_is_sent() {
    // 135 lines "Z: aaln/N@gw.example.net" take 3672 bytes.
    let mut h = lines(135);
    let r = h.cmd("AUEP {tid} aaln/*@gw.example.net MGCP 1.0\n");
    assert_eq!(code(&r), 200, "{r}");
    assert!(r.len() <= 4000, "{}", r.len());
    assert_eq!(r.lines().filter(|l| l.starts_with("Z: ")).count(), 135);
}

#[test]
fn s2_3_11_audit_connection_returns_local_then_remote() {
    let mut h = Harness::new();
    let id = param(&crcx(&mut h, "aaln/1", REMOTE_SDP), "I")
        .unwrap()
        .to_string();
    let r = h.cmd(&format!(
        "AUCX {{tid}} aaln/1@gw.example.net MGCP 1.0\nI: {id}\nF: C, M, L, LC, RC, P\n"
    ));
    assert_eq!(code(&r), 200, "{r}");
    assert_eq!(param(&r, "C"), Some("A1"));
    assert_eq!(param(&r, "M"), Some("recvonly"));
    let bodies: Vec<&str> = r.split("\r\n\r\n").skip(1).collect();
    assert_eq!(bodies.len(), 2, "{r}");
    assert!(bodies[0].contains("127.0.0.1"), "local first: {r}");
    assert!(bodies[1].contains("10.0.0.9"), "remote second: {r}");
    // Without a remote description, RC is a bare v=0.
    let id2 = param(&crcx(&mut h, "aaln/2", ""), "I").unwrap().to_string();
    let r = h.cmd(&format!(
        "AUCX {{tid}} aaln/2@gw.example.net MGCP 1.0\nI: {id2}\nF: RC\n"
    ));
    assert!(r.ends_with("\r\n\r\nv=0\r\n"), "{r:?}");
    assert_eq!(
        code(&h.cmd("AUCX {tid} aaln/2@gw.example.net MGCP 1.0\nI: 9999\nF: C\n")),
        515
    );
}

#[test]
fn s2_3_2_endpoint_configuration_sets_the_bearer_encoding() {
    let mut h = Harness::new();
    assert_eq!(
        code(&h.cmd("EPCF {tid} ds/ds1-1/*@gw.example.net MGCP 1.0\nB: e:A\n")),
        200
    );
    let r = h.cmd("AUEP {tid} ds/ds1-1/3@gw.example.net MGCP 1.0\nF: B\n");
    assert_eq!(param(&r, "B"), Some("e:A"));
    assert_eq!(
        code(&h.cmd("EPCF {tid} aaln/1@gw.example.net MGCP 1.0\nB: zz:1\n")),
        539
    );
}

#[test]
fn s2_4_commands_a_gateway_does_not_take_get_504() {
    let mut h = Harness::new();
    assert_eq!(
        code(&h.cmd("XFOO {tid} aaln/1@gw.example.net MGCP 1.0\n")),
        504
    );
    assert_eq!(
        code(&h.cmd("NTFY {tid} aaln/1@gw.example.net MGCP 1.0\nX: 1\nO: L/hd\n")),
        504
    );
    assert_eq!(
        code(&h.cmd("RSIP {tid} aaln/1@gw.example.net MGCP 1.0\nRM: restart\n")),
        504
    );
    // Nothing was reset by the RSIP.
    assert!(h.gw.in_service());
}

#[test]
fn signals_on_connections_reach_the_media_plane() {
    let mut h = Harness::new();
    let id = param(&crcx(&mut h, "aaln/1", ""), "I").unwrap().to_string();
    let r = h.cmd(&format!(
        "RQNT {{tid}} aaln/1@gw.example.net MGCP 1.0\nX: 1\nS: G/rt@{id}\n"
    ));
    assert_eq!(code(&r), 200, "{r}");
    let media = h.gw.endpoint("aaln/1").unwrap().connections[0].media;
    assert!(
        h.gw.media()
            .signals
            .contains(&(SignalTarget::Connection(media), "G/rt".to_string()))
    );
    assert_eq!(
        code(&h.cmd("RQNT {tid} aaln/1@gw.example.net MGCP 1.0\nX: 1\nS: G/rt@ABCDEF\n")),
        515
    );
}
