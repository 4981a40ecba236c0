//! The `--json` rendering: one object per message with stable fields
//! (`kind`, `verb`, `code`, `transaction_id`, `endpoint`, `version`,
//! `params`, `sdp`) that scripts rely on.

use mgcp_proto::Message;
use serde_json::{Value, json};

/// The JSON object for a message; `raw` is its text, from which parameter
/// values are reported as written.
pub(crate) fn message(message: &Message<'_>, raw: &str) -> Value {
    let params: Vec<Value> = raw_params(raw)
        .map(|(name, value)| json!([name, value]))
        .collect();
    let sdp: Vec<Value> = message
        .sdp()
        .iter()
        .map(|d| Value::String(normalise_lines(d.as_str())))
        .collect();
    match message {
        Message::Command(c) => json!({
            "kind": "command",
            "verb": c.verb.as_str(),
            "transaction_id": c.transaction_id.value(),
            "endpoint": c.endpoint.to_string(),
            "version": c.version.to_string(),
            "params": params,
            "sdp": sdp,
        }),
        Message::Response(r) => {
            let mut v = json!({
                "kind": "response",
                "code": r.code.value(),
                "transaction_id": r.transaction_id.value(),
                "params": params,
                "sdp": sdp,
            });
            if let Some(c) = r.commentary {
                v["commentary"] = Value::String(c.to_string());
            }
            if let Some(p) = r.package {
                v["package"] = Value::String(p.to_string());
            }
            v
        }
    }
}

/// The JSON object for a message built or re-encoded by us: parameter
/// values in canonical form.
pub(crate) fn message_canonical(message: &Message<'_>) -> Value {
    let text = message.to_string();
    self::message(message, &text)
}

/// `(CODE, value)` for each header line after the first, up to the empty
/// line, as written (code upper-cased, value trimmed).
pub(crate) fn raw_params(raw: &str) -> impl Iterator<Item = (String, &str)> {
    raw.split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .skip(1)
        .take_while(|l| !l.is_empty() && *l != ".")
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            Some((
                name.trim().to_ascii_uppercase(),
                value.trim_matches([' ', '\t']),
            ))
        })
}

fn normalise_lines(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .collect::<Vec<_>>()
        .join("\n")
}
