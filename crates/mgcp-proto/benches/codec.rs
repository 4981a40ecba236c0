//! Parse and encode throughput over a realistic mix of messages.
//!
//! `cargo bench -p mgcp-proto --bench codec` prints bytes/s (MB/s) and the
//! time per message for parsing the whole mix and for encoding it.

use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use mgcp_proto::{Message, ParseOptions, parse_with};

#[path = "support/mix.rs"]
mod mix;

fn parse_mix(c: &mut Criterion) {
    let opts = ParseOptions::lenient();
    let bytes: usize = mix::MIX.iter().map(|m| m.len()).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("mix", |b| {
        b.iter(|| {
            for m in mix::MIX {
                let parsed = parse_with(black_box(m.as_bytes()), &opts).expect("valid");
                black_box(&parsed);
            }
        })
    });
    group.throughput(Throughput::Elements(mix::MIX.len() as u64));
    group.bench_function("mix-messages", |b| {
        b.iter(|| {
            for m in mix::MIX {
                black_box(parse_with(black_box(m.as_bytes()), &opts).expect("valid"));
            }
        })
    });
    group.finish();
}

fn encode_mix(c: &mut Criterion) {
    let opts = ParseOptions::lenient();
    let parsed: Vec<Message<'_>> = mix::MIX
        .iter()
        .map(|m| parse_with(m.as_bytes(), &opts).expect("valid"))
        .collect();
    let bytes: usize = parsed.iter().map(|m| m.to_bytes().len()).sum();
    let mut group = c.benchmark_group("encode");
    group.throughput(Throughput::Bytes(bytes as u64));
    let mut out = String::with_capacity(4096);
    group.bench_function("mix", |b| {
        b.iter(|| {
            for m in &parsed {
                out.clear();
                m.encode_into(&mut out);
                black_box(&out);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, parse_mix, encode_mix);
criterion_main!(benches);
