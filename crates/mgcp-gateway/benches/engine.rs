//! The gateway engine alone, without sockets: CRCX → MDCX → DLCX cycles
//! fed as datagrams, responses drained. Shows what parsing, transaction
//! handling and gateway logic cost apart from the kernel's UDP path.
//!
//! `cargo bench -p mgcp-gateway --bench engine`

use std::net::SocketAddr;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mgcp_gateway::config::{EndpointGroup, EndpointKind};
use mgcp_gateway::{Gateway, GatewayConfig, NullMedia};
use mgcp_txn::Node;

const SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=ptime:20\r\n";

fn gateway(endpoints: u32) -> Gateway<NullMedia> {
    let mut cfg = GatewayConfig {
        domain: "mgw".into(),
        endpoints: vec![EndpointGroup {
            kind: EndpointKind::Rtpbridge,
            name: "rtpbridge/{x}".into(),
            count: endpoints,
            start: 1,
            max_connections: None,
        }],
        ..GatewayConfig::default()
    };
    cfg.restart.rsip_on_start = false;
    Gateway::new(
        cfg,
        NullMedia::new([127, 0, 0, 1].into(), 1024, 65000),
        1,
        Instant::now(),
    )
    .expect("config")
}

/// Runs one cycle; returns the bytes of the three responses.
fn cycle(gw: &mut Gateway<NullMedia>, from: SocketAddr, tid: &mut u32, call: u32) -> usize {
    let now = Instant::now();
    let mut bytes = 0;
    *tid += 1;
    let crcx = format!(
        "CRCX {tid} rtpbridge/$@mgw MGCP 1.0\r\nC: {call:X}\r\nL: p:20, a:PCMU\r\nM: recvonly\r\n"
    );
    gw.handle_datagram(now, from, crcx.as_bytes());
    let resp = gw.poll_transmit().expect("CRCX answered").contents;
    bytes += resp.len();
    let text = std::str::from_utf8(&resp).expect("text");
    let conn = text
        .lines()
        .find_map(|l| l.strip_prefix("I: "))
        .expect("I:")
        .to_string();
    let ep = text
        .lines()
        .find_map(|l| l.strip_prefix("Z: "))
        .expect("Z:")
        .to_string();
    *tid += 1;
    let mdcx =
        format!("MDCX {tid} {ep} MGCP 1.0\r\nC: {call:X}\r\nI: {conn}\r\nM: sendrecv\r\n\r\n{SDP}");
    gw.handle_datagram(now, from, mdcx.as_bytes());
    bytes += gw.poll_transmit().expect("MDCX answered").contents.len();
    *tid += 1;
    let dlcx = format!("DLCX {tid} {ep} MGCP 1.0\r\nC: {call:X}\r\nI: {conn}\r\n");
    gw.handle_datagram(now, from, dlcx.as_bytes());
    bytes += gw.poll_transmit().expect("DLCX answered").contents.len();
    bytes
}

fn engine(c: &mut Criterion) {
    let from: SocketAddr = "127.0.0.1:2727".parse().expect("addr");
    let mut group = c.benchmark_group("gateway");
    group.throughput(Throughput::Elements(3));
    let mut gw = gateway(512);
    let mut tid = 0;
    let mut call = 0;
    group.bench_function("cycle-512-endpoints", |b| {
        b.iter(|| {
            call += 1;
            cycle(&mut gw, from, &mut tid, call)
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
