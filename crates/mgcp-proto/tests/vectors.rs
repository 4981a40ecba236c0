//! Conformance over the wire vectors in `tests/vectors/`: every valid
//! datagram parses (with the lenient options receivers use), every message
//! round-trips through the encoder, and every malformed datagram is
//! rejected with the return code listed in `malformed/INDEX.md`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use mgcp_proto::validate::{ValidateOptions, validate_command};
use mgcp_proto::{Message, ParseOptions, parse_datagram, parse_with};

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files(&path));
        } else if path.extension().is_some_and(|e| e == "mgcp") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn is_malformed(path: &Path) -> bool {
    path.parent().is_some_and(|p| p.ends_with("malformed"))
}

/// Codes the codec alone cannot decide: they need a gateway's knowledge of
/// its packages, events and connections (tested in the gateway crate).
const GATEWAY_LEVEL: &[&str] = &["unknown-package.mgcp", "unknown-event.mgcp"];

/// Captured or test-suite messages outside `malformed/` that are invalid on
/// purpose (they sit next to the peer's response), with the code we answer.
const INVALID_ON_PURPOSE: &[(&str, u16)] = &[
    ("osmo/live-12-truncated-command-line-510.mgcp", 510),
    ("osmo/live-19-auep-version-2.0-528.mgcp", 528),
    ("osmo/testsuite-03-crcx-mult-x-without-colon.mgcp", 510),
    // RTP payload types are 7 bits; osmo-mgw's suite sends 128 and 255.
    ("osmo/testsuite-05-mdcx-sdp-only-c-m.mgcp", 509),
    ("osmo/testsuite-06-crcx-many-codecs.mgcp", 509),
    ("osmo/testsuite-08-mdcx3-200-lf-after-param.mgcp", 509),
];

fn invalid_on_purpose(path: &Path) -> Option<u16> {
    INVALID_ON_PURPOSE
        .iter()
        .find(|(f, _)| path.ends_with(f))
        .map(|(_, code)| *code)
}

#[test]
fn messages_invalid_on_purpose_get_their_code() {
    let opts = ParseOptions::lenient();
    for (file, code) in INVALID_ON_PURPOSE {
        let bytes = std::fs::read(vectors_dir().join(file)).unwrap();
        let err = parse_datagram(&bytes, &opts).next().unwrap().unwrap_err();
        assert_eq!(err.return_code().value(), *code, "{file}: {err}");
    }
}

#[test]
fn every_valid_vector_parses_and_round_trips() {
    let opts = ParseOptions::lenient();
    let mut checked = 0;
    let valid = files(&vectors_dir())
        .into_iter()
        .filter(|p| !is_malformed(p) && invalid_on_purpose(p).is_none());
    for path in valid {
        let bytes = std::fs::read(&path).unwrap();
        for (i, result) in parse_datagram(&bytes, &opts).enumerate() {
            let message =
                result.unwrap_or_else(|e| panic!("{}: message {}: {e}", path.display(), i + 1));
            let encoded = message.to_string();
            let again = parse_with(encoded.as_bytes(), &opts).unwrap_or_else(|e| {
                panic!(
                    "{}: re-encoded message does not parse: {e}\n{encoded}",
                    path.display()
                )
            });
            assert_eq!(message, again, "{}:\n{encoded}", path.display());
            assert_eq!(
                again.to_string(),
                encoded,
                "{}: encoding is not a fixed point",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 220, "only {checked} messages checked");
}

/// `(file name, expected code or None for "drop, do not answer")` from the
/// table in `malformed/INDEX.md`.
fn malformed_index() -> Vec<(String, Option<u16>)> {
    let index = std::fs::read_to_string(vectors_dir().join("malformed/INDEX.md")).unwrap();
    index
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            let file = cells.get(1)?.trim_matches('`');
            if !file.ends_with(".mgcp") {
                return None;
            }
            let code = cells.get(2)?;
            Some((file.to_string(), code.parse().ok()))
        })
        .collect()
}

/// What a receiver answers: the parse error's code, or the validation
/// violation's code; `None` when the message must be dropped.
fn answer(bytes: &[u8]) -> Result<Option<u16>, String> {
    let opts = ParseOptions::lenient();
    let mut results = parse_datagram(bytes, &opts);
    match results.next() {
        None => Ok(None),
        Some(Err(e)) if e.is_answerable() => Ok(Some(e.return_code().value())),
        Some(Err(_)) => Ok(None),
        // A receiver that implements no extension verb answers 504.
        Some(Ok(Message::Command(c))) if !c.verb.is_rfc() => Ok(Some(504)),
        Some(Ok(Message::Command(c))) => match validate_command(&c, &ValidateOptions::default()) {
            Err(v) => Ok(Some(v.code.value())),
            Ok(()) => Err(format!("accepted: {c:?}")),
        },
        Some(Ok(Message::Response(r))) => Err(format!("accepted response: {r:?}")),
    }
}

#[test]
fn malformed_vectors_get_the_listed_code() {
    let index = malformed_index();
    assert!(index.len() >= 30, "index has {} rows", index.len());
    let dir = vectors_dir().join("malformed");
    for (file, expected) in &index {
        if GATEWAY_LEVEL.contains(&file.as_str()) {
            continue;
        }
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let got = answer(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(got, *expected, "{file}");
    }
    // Every file is in the index.
    for path in files(&dir) {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            index.iter().any(|(f, _)| f == name),
            "{name} missing from INDEX.md"
        );
    }
}
