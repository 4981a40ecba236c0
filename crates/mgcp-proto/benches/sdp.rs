//! Benchmarks of the SDP module: parsing, parsing plus reading every
//! accessor, and writing. Throughput is reported in bytes of SDP text.

use std::hint::black_box;
use std::net::IpAddr;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mgcp_proto::sdp::{
    LineEnding, MediaSpec, PayloadSpec, SdpOptions, SdpSpec, SessionDescription,
};

/// RFC 3435 §3.3, CreateConnection response.
const RFC3435: &str = "v=0\r\no=- 25678 753849 IN IP4 128.96.41.1\r\ns=-\r\n\
                       c=IN IP4 128.96.41.1\r\nt=0 0\r\nm=audio 3456 RTP/AVP 96\r\n\
                       a=rtpmap:96 G726-32/8000\r\n";

/// osmo-mgw style CRCX response (10 lines).
const OSMO_MGW: &str = "v=0\r\no=- 1A2B3C4D 23 IN IP4 127.0.0.1\r\ns=-\r\n\
                        c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 16002 RTP/AVP 112 3 8\r\n\
                        a=rtpmap:112 AMR/8000\r\na=fmtp:112 octet-align=1\r\na=ptime:20\r\n";

/// Reads every accessor once; returns a number so nothing is optimised away.
fn walk(sdp: &SessionDescription<'_>) -> usize {
    let mut seen = usize::from(sdp.version().is_some());
    seen += sdp.origin().and_then(|o| o.ip()).is_some() as usize;
    seen += sdp.session_name().map_or(0, str::len);
    seen += sdp.connection().and_then(|c| c.ip()).is_some() as usize;
    seen += sdp.attributes().count();
    for media in sdp.media() {
        seen += media.kind().len() + usize::from(media.port()) + media.proto().len();
        seen += media.formats().count();
        seen += media.connection().and_then(|c| c.ip()).is_some() as usize;
        for (pt, codec) in media.codecs() {
            seen += codec.and_then(|c| c.clock_rate).unwrap_or(0) as usize;
            seen += media.fmtp(pt).map_or(0, str::len);
        }
        seen += media.ptime().unwrap_or(0) as usize;
        seen += media.direction().is_some() as usize;
        seen += media.attributes().count();
    }
    seen
}

fn parse(c: &mut Criterion) {
    let strict = SdpOptions::strict();
    let mut group = c.benchmark_group("sdp");
    for (name, text) in [("rfc3435", RFC3435), ("osmo_mgw", OSMO_MGW)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("parse/{name}"), |b| {
            b.iter(|| SessionDescription::parse(black_box(text), &strict).is_ok())
        });
        group.bench_function(format!("parse_and_walk/{name}"), |b| {
            b.iter(|| SessionDescription::parse(black_box(text), &strict).map(|sdp| walk(&sdp)))
        });
    }
    group.finish();
}

fn write(c: &mut Criterion) {
    let payloads = [
        PayloadSpec::new(112, "AMR", 8000).with_fmtp("octet-align=1"),
        PayloadSpec::new(3, "GSM", 8000),
        PayloadSpec::new(8, "PCMA", 8000),
    ];
    let media = [MediaSpec::audio(16002, &payloads).with_ptime(20)];
    let spec = SdpSpec::new(0x1A2B_3C4D, 23, IpAddr::from([127, 0, 0, 1])).with_media(&media);
    let mut out = String::with_capacity(512);
    let mut group = c.benchmark_group("sdp");
    group.throughput(Throughput::Bytes(
        spec.to_sdp_string(LineEnding::Crlf).len() as u64,
    ));
    group.bench_function("write/osmo_mgw", |b| {
        b.iter(|| {
            out.clear();
            black_box(&spec).write(&mut out, LineEnding::Crlf).is_ok()
        })
    });
    group.finish();
}

criterion_group!(benches, parse, write);
criterion_main!(benches);
