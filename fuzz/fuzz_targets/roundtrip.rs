//! Whatever parses must encode to text that parses back to an equal
//! message, and encoding must be a fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mgcp_proto::{ParseOptions, parse_datagram, parse_with};

fuzz_target!(|data: &[u8]| {
    let opts = ParseOptions::lenient();
    for message in parse_datagram(data, &opts).take(64).flatten() {
        let encoded = message.to_string();
        let again = match parse_with(encoded.as_bytes(), &opts) {
            Ok(m) => m,
            Err(e) => panic!("encoder output does not parse: {e}\n{encoded}"),
        };
        assert_eq!(message, again, "\n{encoded}");
        assert_eq!(again.to_string(), encoded);
    }
});
