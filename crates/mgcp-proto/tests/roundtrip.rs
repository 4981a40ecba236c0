//! Property tests: for generated messages, `parse(encode(m)) == m`, the
//! encoding is a fixed point, and the parser never panics on mutations of
//! valid messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mgcp_proto::{Message, ParseOptions, parse_with};
use proptest::prelude::*;

/// Hex identifiers (CallId, ConnectionId, RequestIdentifier).
fn hex_id() -> impl Strategy<Value = String> {
    "[0-9A-F]{1,32}"
}

fn token() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,7}"
}

fn endpoint() -> impl Strategy<Value = String> {
    let term = prop_oneof![
        6 => "[a-zA-Z0-9][a-zA-Z0-9-]{0,6}",
        1 => Just("*".to_string()),
        1 => Just("$".to_string()),
    ];
    let domain = prop_oneof![
        "[a-z][a-z0-9-]{0,10}(\\.[a-z]{2,5}){0,2}",
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| format!("[10.0.{a}.{b}]")),
        Just("[2001:db8::1]".to_string()),
    ];
    let port = prop::option::of(1u16..);
    (prop::collection::vec(term, 1..4), domain, port).prop_map(|(terms, domain, port)| {
        let mut s = format!("{}@{domain}", terms.join("/"));
        if let Some(p) = port {
            s.push_str(&format!(":{p}"));
        }
        s
    })
}

fn event_name() -> impl Strategy<Value = String> {
    let package = prop_oneof![
        Just("L"),
        Just("D"),
        Just("G"),
        Just("R"),
        Just("A"),
        Just("T"),
        Just("X-acme")
    ];
    let event = prop_oneof![
        4 => token(),
        1 => Just("all".to_string()),
        1 => Just("[0-9#*T]".to_string()),
        1 => "[0-9*#]".prop_map(|s| s.to_string()),
    ];
    let conn = prop_oneof![
        4 => Just(String::new()),
        1 => hex_id().prop_map(|i| format!("@{i}")),
        1 => Just("@$".to_string()),
        1 => Just("@*".to_string()),
    ];
    (prop::option::of(package), event, conn).prop_map(|(p, e, c)| match p {
        Some(p) => format!("{p}/{e}{c}"),
        None => format!("{e}{c}"),
    })
}

fn event_params() -> impl Strategy<Value = String> {
    let param = prop_oneof![
        "[a-z0-9]{1,6}",
        ("[a-z]{1,4}", "[0-9]{1,5}").prop_map(|(n, v)| format!("{n}={v}")),
        "[a-zA-Z ]{0,8}".prop_map(|s| format!("\"{s}\"")),
        Just("file:///tmp/x.wav".to_string()),
    ];
    prop::collection::vec(param, 1..4).prop_map(|v| format!("({})", v.join(",")))
}

fn event_spec() -> impl Strategy<Value = String> {
    (event_name(), prop::option::of(event_params())).prop_map(|(n, p)| n + &p.unwrap_or_default())
}

fn event_list() -> impl Strategy<Value = String> {
    prop::collection::vec(event_spec(), 0..4).prop_map(|v| v.join(", "))
}

fn digit_map() -> impl Strategy<Value = String> {
    let position = prop_oneof![
        "[0-9#*ABCD]",
        Just("x".to_string()),
        Just("[1-7]".to_string())
    ];
    let element = (position, prop::bool::weighted(0.2))
        .prop_map(|(p, dot)| if dot { format!("{p}.") } else { p });
    let alternative = (prop::collection::vec(element, 1..6), prop::bool::ANY)
        .prop_map(|(v, t)| v.concat() + if t { "T" } else { "" });
    prop::collection::vec(alternative, 1..5).prop_map(|v| format!("({})", v.join("|")))
}

fn requested_events() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just("N".to_string()),
        Just("A".to_string()),
        Just("D".to_string()),
        Just("S".to_string()),
        Just("I".to_string()),
        Just("K".to_string()),
        (event_list(), digit_map()).prop_map(|(s, d)| format!("E(R(L/hu(N)),S({s}),D({d}))")),
    ];
    let item = (event_name(), prop::collection::vec(action, 0..3)).prop_map(|(e, a)| {
        if a.is_empty() {
            e
        } else {
            format!("{e}({})", a.join(","))
        }
    });
    prop::collection::vec(item, 0..4).prop_map(|v| v.join(", "))
}

fn local_options() -> impl Strategy<Value = String> {
    let item = prop_oneof![
        (10u32..100).prop_map(|p| format!("p:{p}")),
        (10u32..50, 50u32..100).prop_map(|(a, b)| format!("p:{a}-{b}")),
        Just("a:PCMU;PCMA;G729".to_string()),
        (8u32..128).prop_map(|b| format!("b:{b}")),
        Just("e:on".to_string()),
        Just("s:off".to_string()),
        Just("gc:auto".to_string()),
        (0u8..=255).prop_map(|t| format!("t:{t:02x}")),
        Just("r:g".to_string()),
        Just("nt:IN".to_string()),
        Just("k:clear:secret".to_string()),
        Just("fmtp:\"0-15\"".to_string()),
        Just("x-foo:bar".to_string()),
    ];
    prop::collection::vec(item, 1..5).prop_map(|v| v.join(", "))
}

fn response_ack() -> impl Strategy<Value = String> {
    prop::collection::vec((1u32..1000, 0u32..10), 0..4).prop_map(|v| {
        v.iter()
            .map(|(a, d)| {
                if *d == 0 {
                    a.to_string()
                } else {
                    format!("{a}-{}", a + d)
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// A parameter line (without line ending).
fn param_line() -> impl Strategy<Value = String> {
    prop_oneof![
        hex_id().prop_map(|v| format!("C: {v}")),
        hex_id().prop_map(|v| format!("I: {v}")),
        hex_id().prop_map(|v| format!("X: {v}")),
        prop_oneof![
            Just("sendrecv"),
            Just("recvonly"),
            Just("sendonly"),
            Just("inactive"),
            Just("confrnce"),
            Just("loopback"),
            Just("conttest"),
            Just("netwloop"),
            Just("netwtest"),
            Just("data")
        ]
        .prop_map(|m| format!("M: {m}")),
        local_options().prop_map(|v| format!("L: {v}")),
        requested_events().prop_map(|v| format!("R: {v}")),
        event_list().prop_map(|v| format!("S: {v}")),
        event_list().prop_map(|v| format!("O: {v}")),
        event_list().prop_map(|v| format!("T: {v}")),
        digit_map().prop_map(|v| format!("D: {v}")),
        response_ack().prop_map(|v| format!("K: {v}")),
        Just("F: R, D, S, X, N, I, T, O, ES".to_string()),
        Just("Q: process, loop".to_string()),
        prop_oneof![
            Just("graceful"),
            Just("forced"),
            Just("restart"),
            Just("disconnected"),
            Just("cancel-graceful")
        ]
        .prop_map(|m| format!("RM: {m}")),
        (0u32..1_000_000).prop_map(|d| format!("RD: {d}")),
        (100u32..65_000).prop_map(|d| format!("MD: {d}")),
        (0u16..1000).prop_map(|c| format!("E: {c:03} some reason")),
        endpoint().prop_map(|e| format!("Z: {e}")),
        endpoint().prop_map(|e| format!("Z2: {e}")),
        Just("N: ca@ca1.example.net:2727".to_string()),
        Just("B: e:mu".to_string()),
        Just("P: PS=1, OS=2, PR=3, OR=4, PL=5, JI=6, LA=7".to_string()),
        Just("PL: L:1, G:1".to_string()),
        Just("ES: L/hd".to_string()),
        "X-[A-Za-z]{1,8}".prop_map(|n| format!("{n}: opaque value 1")),
    ]
}

fn first_line() -> impl Strategy<Value = String> {
    let verb = prop_oneof![
        Just("EPCF".to_string()),
        Just("CRCX".to_string()),
        Just("MDCX".to_string()),
        Just("DLCX".to_string()),
        Just("RQNT".to_string()),
        Just("NTFY".to_string()),
        Just("AUEP".to_string()),
        Just("AUCX".to_string()),
        Just("RSIP".to_string()),
        "X[A-Z0-9]{3}",
    ];
    let version = prop_oneof![Just("MGCP 1.0"), Just("MGCP 0.1"), Just("MGCP 1.0 NCS 1.0")];
    let command = (verb, 1u32..=999_999_999, endpoint(), version)
        .prop_map(|(v, t, e, ver)| format!("{v} {t} {e} {ver}"));
    let response = (
        0u16..1000,
        1u32..=999_999_999,
        prop::option::of("[A-Za-z ]{1,12}"),
    )
        .prop_map(|(c, t, text)| match text.map(|s| s.trim().to_string()) {
            Some(s) if !s.is_empty() => format!("{c:03} {t} {s}"),
            _ => format!("{c:03} {t}"),
        });
    prop_oneof![command, response]
}

fn message_text() -> impl Strategy<Value = String> {
    (first_line(), prop::collection::vec(param_line(), 0..8)).prop_map(|(first, params)| {
        let mut s = first + "\r\n";
        for p in params {
            s.push_str(&p);
            s.push_str("\r\n");
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_encode_parse_is_identity(text in message_text()) {
        let opts = ParseOptions::strict();
        let m: Message<'_> = parse_with(text.as_bytes(), &opts)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let encoded = m.to_string();
        let again = parse_with(encoded.as_bytes(), &opts)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{encoded}")))?;
        prop_assert_eq!(&m, &again);
        prop_assert_eq!(again.to_string(), encoded);
    }

    #[test]
    fn mutated_messages_never_panic(text in message_text(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = text.into_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = parse_with(&bytes, &ParseOptions::strict());
        let _ = parse_with(&bytes, &ParseOptions::lenient());
    }
}
