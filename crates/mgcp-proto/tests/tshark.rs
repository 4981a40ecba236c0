//! Wireshark's MGCP dissector (tshark) must recognise everything our
//! encoder emits: one message of every verb and every kind of response,
//! written into a pcap on UDP 2427/2727, with the right verb or code and
//! transaction id, and nothing flagged malformed.
//!
//! Needs `tshark` (installed by `scripts/setup`). Without it the test is
//! skipped, unless `MGCP_REQUIRE_PEERS=1` (set by `scripts/test`), in which
//! case it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::SocketAddrV4;
use std::process::Command as Process;

use mgcp_proto::params::*;
use mgcp_proto::sdp::{SdpOptions, SessionDescription};
use mgcp_proto::{
    Command, Domain, EndpointName, Message, NotifiedEntity, Param, Response, ReturnCode,
    TransactionId, Verb,
};
use support::pcap::PcapWriter;

const SDP: &str = "v=0\r\no=- 25678 753849 IN IP4 128.96.41.1\r\ns=-\r\nc=IN IP4 128.96.41.1\r\nt=0 0\r\nm=audio 3456 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n";

/// The filter from the peers guide: anything tshark finds wrong.
const PROBLEMS: &str = "_ws.malformed || _ws.short || _ws.expert.group == 0x07000000 || mgcp.param.invalid || mgcp.unknown_parameter || mgcp.rsp.malformed_parameter || (mgcp && !mgcp.req.verb && !mgcp.rsp.rspcode) || (udp.port in {2427,2727} && !mgcp)";

fn tshark_available() -> bool {
    let ok = Process::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var("MGCP_REQUIRE_PEERS").as_deref() == Ok("1") {
        panic!("tshark is required (MGCP_REQUIRE_PEERS=1) but not installed; run scripts/setup");
    }
    ok
}

fn tid(v: u32) -> TransactionId {
    TransactionId::new(v).unwrap()
}

/// What tshark should report for one frame.
struct Expect {
    verb: &'static str,
    code: &'static str,
    tid: u32,
}

fn messages<'a>(sdp: SessionDescription<'a>, ep: EndpointName<'a>) -> Vec<(Message<'a>, Expect)> {
    let cmd = |verb, t| Command::new(verb, tid(t), ep);
    let ca = NotifiedEntity::new(Some("ca"), Domain::Host("ca1.example.net"), Some(2727));
    let rqnt_events = RequestedEvents::parse("L/hu(N), L/hf(S,N), D/[0-9#*T](D)").unwrap();
    let signals = EventList::parse("L/dl").unwrap();
    let lco = LocalConnectionOptions::parse("p:20, a:PCMU;PCMA, e:on, s:off").unwrap();
    let info = RequestedInfo::parse("R, D, S, X, N, I, T, O, ES").unwrap();
    let aucx_info = RequestedInfo::parse("C, N, L, M, LC, RC, P").unwrap();
    let stats =
        ConnectionParameters::parse("PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48")
            .unwrap();
    let observed = EventList::parse("D/9,D/1,D/2,D/3,D/4").unwrap();
    let digit_map = mgcp_proto::digit_map::DigitMapText::parse(
        "(0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)",
        &Default::default(),
    )
    .unwrap();
    let ok = |t| Response::new(ReturnCode::OK, tid(t));
    let expect = |verb, code, tid| Expect { verb, code, tid };
    vec![
        (
            Message::Command(cmd(Verb::Epcf, 1).with(Param::BearerInformation(
                BearerInformation::parse("e:mu").unwrap(),
            ))),
            expect("EPCF", "", 1),
        ),
        (
            Message::Command(
                cmd(Verb::Crcx, 2)
                    .with(Param::CallId("A3C47F21456789F0"))
                    .with(Param::LocalConnectionOptions(lco))
                    .with(Param::ConnectionMode(ConnectionMode::SendRecv))
                    .with(Param::NotifiedEntity(ca))
                    .with_sdp(sdp),
            ),
            expect("CRCX", "", 2),
        ),
        (
            Message::Command(
                cmd(Verb::Mdcx, 3)
                    .with(Param::CallId("A3C47F21456789F0"))
                    .with(Param::ConnectionId("FDE234C8"))
                    .with(Param::ConnectionMode(ConnectionMode::RecvOnly)),
            ),
            expect("MDCX", "", 3),
        ),
        (
            Message::Command(
                cmd(Verb::Dlcx, 4)
                    .with(Param::CallId("A3C47F21456789F0"))
                    .with(Param::ConnectionId("FDE234C8")),
            ),
            expect("DLCX", "", 4),
        ),
        (
            Message::Command(
                cmd(Verb::Rqnt, 5)
                    .with(Param::NotifiedEntity(ca))
                    .with(Param::RequestIdentifier("0123456789AC"))
                    .with(Param::RequestedEvents(rqnt_events))
                    .with(Param::DigitMap(Some(digit_map)))
                    .with(Param::SignalRequests(signals))
                    .with(Param::QuarantineHandling(
                        QuarantineHandling::parse("process, loop").unwrap(),
                    )),
            ),
            expect("RQNT", "", 5),
        ),
        (
            Message::Command(
                cmd(Verb::Ntfy, 6)
                    .with(Param::NotifiedEntity(ca))
                    .with(Param::RequestIdentifier("0123456789AC"))
                    .with(Param::ObservedEvents(observed)),
            ),
            expect("NTFY", "", 6),
        ),
        (
            Message::Command(cmd(Verb::Auep, 7).with(Param::RequestedInfo(info))),
            expect("AUEP", "", 7),
        ),
        (
            Message::Command(
                cmd(Verb::Aucx, 8)
                    .with(Param::ConnectionId("FDE234C8"))
                    .with(Param::RequestedInfo(aucx_info)),
            ),
            expect("AUCX", "", 8),
        ),
        (
            Message::Command(
                Command::new(
                    Verb::Rsip,
                    tid(9),
                    EndpointName::parse("*@rgw.example.net").unwrap(),
                )
                .with(Param::RestartMethod(RestartMethod::Graceful))
                .with(Param::RestartDelay(300)),
            ),
            expect("RSIP", "", 9),
        ),
        (
            Message::Response(ok(2).with(Param::ConnectionId("FDE234C8")).with_sdp(sdp)),
            expect("", "200", 2),
        ),
        (
            Message::Response(
                Response::new(ReturnCode::CONNECTION_DELETED, tid(4))
                    .with(Param::ConnectionParameters(stats)),
            ),
            expect("", "250", 4),
        ),
        (
            Message::Response(Response::new(ReturnCode::EXECUTING, tid(10))),
            expect("", "100", 10),
        ),
        (
            Message::Response(Response::new(ReturnCode::QUEUED, tid(11))),
            expect("", "101", 11),
        ),
        (
            Message::Response(Response::new(ReturnCode::ACK, tid(12)).with_commentary(None)),
            expect("", "0", 12),
        ),
        (
            Message::Response(Response::new(ReturnCode::ALREADY_OFF_HOOK, tid(13))),
            expect("", "401", 13),
        ),
        (
            Message::Response(Response::new(ReturnCode::UNKNOWN_ENDPOINT, tid(14))),
            expect("", "500", 14),
        ),
        (
            Message::Response(Response {
                package: Some("XYZ"),
                commentary: Some("package specific"),
                ..Response::new(ReturnCode::new(801).unwrap(), tid(15))
            }),
            expect("", "801", 15),
        ),
        (
            Message::Response(ok(16).with(Param::ResponseAck(ResponseAck::EMPTY))),
            expect("", "200", 16),
        ),
        (
            Message::Response(
                ok(7)
                    .with(Param::RequestedEvents(rqnt_events))
                    .with(Param::DigitMap(Some(digit_map)))
                    .with(Param::SignalRequests(EventList::EMPTY))
                    .with(Param::RequestIdentifier("0123456789AC"))
                    .with(Param::NotifiedEntity(ca))
                    .with(Param::ConnectionIds(
                        mgcp_proto::params::IdList::parse("FDE234C8, 32F345E2").unwrap(),
                    ))
                    .with(Param::DetectEvents(EventList::parse("L/hu, L/hf").unwrap()))
                    .with(Param::ObservedEvents(EventList::EMPTY))
                    .with(Param::EventStates(EventList::parse("L/hd").unwrap())),
            ),
            expect("", "200", 7),
        ),
    ]
}

#[test]
fn tshark_decodes_every_verb_and_response_kind() {
    if !tshark_available() {
        eprintln!("skipping: tshark not installed (run scripts/setup)");
        return;
    }
    let sdp = SessionDescription::parse(SDP, &SdpOptions::strict()).unwrap();
    let ep = EndpointName::parse("aaln/1@rgw.example.net").unwrap();
    let msgs = messages(sdp, ep);
    let ca: SocketAddrV4 = "10.0.0.1:2727".parse().unwrap();
    let gw: SocketAddrV4 = "10.0.0.2:2427".parse().unwrap();
    let mut pcap = PcapWriter::new();
    for (i, (m, _)) in msgs.iter().enumerate() {
        let (from, to) = match m {
            Message::Command(_) => (ca, gw),
            Message::Response(_) => (gw, ca),
        };
        pcap.udp(1_000_000 * (i as u64 + 1), from, to, &m.to_bytes());
    }
    let dir = std::env::temp_dir().join(format!("mgcp-tshark-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("encoded.pcap");
    std::fs::write(&file, pcap.into_bytes()).unwrap();

    let problems = run_tshark(&[
        "-r",
        file.to_str().unwrap(),
        "-Y",
        PROBLEMS,
        "-T",
        "fields",
        "-e",
        "frame.number",
    ]);
    assert_eq!(problems.trim(), "", "frames tshark flags as malformed");

    let fields = run_tshark(&[
        "-r",
        file.to_str().unwrap(),
        "-T",
        "fields",
        "-E",
        "separator=|",
        "-e",
        "mgcp.req.verb",
        "-e",
        "mgcp.rsp.rspcode",
        "-e",
        "mgcp.transid",
    ]);
    let rows: Vec<&str> = fields.lines().collect();
    assert_eq!(rows.len(), msgs.len(), "{fields}");
    for (row, (_, expect)) in rows.iter().zip(&msgs) {
        let want = format!("{}|{}|{}", expect.verb, expect.code, expect.tid);
        assert_eq!(*row, want);
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn run_tshark(args: &[&str]) -> String {
    let out = Process::new("tshark")
        .args(args)
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tshark prints text")
}
