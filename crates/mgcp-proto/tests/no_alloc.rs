//! Parsing a typical message must not touch the heap: every value borrows
//! from the datagram. `allocation-counter` counts allocations made on this
//! thread while the closure runs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mgcp_proto::{Message, ParseOptions, parse_with};

#[path = "../benches/support/mix.rs"]
mod mix;

fn walk(m: &Message<'_>) -> usize {
    // Touch the typed values, as a receiver would.
    let p = m.params();
    p.requested_events().map_or(0, |r| r.iter().count())
        + p.observed_events().map_or(0, |o| o.iter().count())
        + p.local_connection_options().map_or(0, |l| l.iter().count())
        + p.connection_parameters().map_or(0, |c| c.iter().count())
        + m.sdp().len()
}

#[test]
fn typical_messages_parse_without_allocating() {
    let opts = ParseOptions::lenient();
    for m in mix::MIX {
        let mut touched = 0;
        let info = allocation_counter::measure(|| {
            let parsed = parse_with(m.as_bytes(), &opts).expect("valid");
            touched = walk(&parsed);
        });
        assert_eq!(info.count_total, 0, "allocated while parsing: {m}");
        assert!(
            touched > 0
                || m.starts_with("AUEP")
                || m.starts_with("DLCX")
                || m.starts_with("200 1201")
        );
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Guards against a counter that always says zero.
    let info = allocation_counter::measure(|| {
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(64));
        std::hint::black_box(v);
    });
    assert!(info.count_total >= 1);
}
