//! Any bytes: the parser must return a message or an error, never panic,
//! hang or allocate without bound; errors must point inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mgcp_proto::{ParseOptions, parse_datagram};

fuzz_target!(|data: &[u8]| {
    for opts in [ParseOptions::strict(), ParseOptions::lenient()] {
        for result in parse_datagram(data, &opts).take(64) {
            if let Err(e) = result {
                assert!(e.line >= 1 && e.column >= 1);
                let _ = e.to_string();
            }
        }
    }
});
