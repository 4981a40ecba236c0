//! A snapshot of a daemon's numbers, rendered in the Prometheus text
//! exposition format (version 0.0.4, what every Prometheus scrapes).
//!
//! The daemons' engines are sans-IO and count in plain integers; at scrape
//! time the driver copies them into a [`Metrics`], which renders them.
//! The encoder is ours: `prometheus-client` does not escape label values
//! (prometheus/client_rust#151) and MGCP label values such as endpoint
//! names come from the network.

use std::fmt::Write as _;

use mgcp_txn::Counters;

/// The content type of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Counter (only goes up) or gauge (a current level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up; rendered with a `_total` suffix.
    Counter,
    /// A current level.
    Gauge,
}

#[derive(Debug, Clone)]
struct Family {
    name: String,
    help: String,
    kind: Kind,
    samples: Vec<(Vec<(String, String)>, u64)>,
}

/// Metric families with their samples, in the order they were added.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    families: Vec<Family>,
}

impl Metrics {
    /// An empty snapshot.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample to family `name` (created on first use with `help`
    /// and `kind`). `name` has no `_total` suffix.
    pub fn sample(
        &mut self,
        name: &str,
        help: &str,
        kind: Kind,
        labels: &[(&str, &str)],
        value: u64,
    ) {
        let labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        self.family(name, help, kind).samples.push((labels, value));
    }

    /// An unlabelled counter.
    pub fn counter(&mut self, name: &str, help: &str, value: u64) {
        self.sample(name, help, Kind::Counter, &[], value);
    }

    /// An unlabelled gauge.
    pub fn gauge(&mut self, name: &str, help: &str, value: u64) {
        self.sample(name, help, Kind::Gauge, &[], value);
    }

    /// Declares a family that may have no samples yet, so that it is
    /// listed (with its help) from the first scrape.
    pub fn declare(&mut self, name: &str, help: &str, kind: Kind) {
        self.family(name, help, kind);
    }

    fn family(&mut self, name: &str, help: &str, kind: Kind) -> &mut Family {
        let at = match self.families.iter().position(|f| f.name == name) {
            Some(at) => at,
            None => {
                self.families.push(Family {
                    name: name.to_string(),
                    help: help.to_string(),
                    kind,
                    samples: Vec::new(),
                });
                self.families.len() - 1
            }
        };
        &mut self.families[at]
    }

    /// The value of one sample (labels in any order), for tests and tools.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<u64> {
        let family = self.families.iter().find(|f| f.name == name)?;
        family
            .samples
            .iter()
            .find(|(l, _)| {
                l.len() == labels.len()
                    && labels
                        .iter()
                        .all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
            })
            .map(|(_, v)| *v)
    }

    /// The text exposition format. Counters get the `_total` suffix.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for f in &self.families {
            let (name, kind) = match f.kind {
                Kind::Counter => (format!("{}_total", f.name), "counter"),
                Kind::Gauge => (f.name.clone(), "gauge"),
            };
            let _ = writeln!(out, "# HELP {name} {}", escape(&f.help, false));
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in &f.samples {
                out.push_str(&name);
                if !labels.is_empty() {
                    out.push('{');
                    for (i, (k, v)) in labels.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        let _ = write!(out, "{k}=\"{}\"", escape(v, true));
                    }
                    out.push('}');
                }
                let _ = writeln!(out, " {value}");
            }
        }
        out
    }
}

/// One sample read back from the text format.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Metric name as exposed (counters end in `_total`).
    pub name: String,
    /// Labels, unescaped, in the order written.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: f64,
}

impl Sample {
    /// The value of label `key`.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the samples of a text-format exposition (comments skipped), for
/// tests and tools that check a daemon's metrics. Lines it cannot read are
/// skipped.
pub fn read(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(read_line)
        .collect()
}

fn read_line(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = line[..name_end].to_string();
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(r) = rest.strip_prefix('{') {
        rest = r;
        loop {
            if let Some(r) = rest.strip_prefix('}') {
                rest = r;
                break;
            }
            rest = rest.strip_prefix(',').unwrap_or(rest);
            let eq = rest.find("=\"")?;
            let key = rest[..eq].to_string();
            let mut value = String::new();
            let mut chars = rest[eq + 2..].char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') => break i,
                    (_, '\\') => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        c => value.push(c),
                    },
                    (_, c) => value.push(c),
                }
            };
            labels.push((key, value));
            rest = &rest[eq + 2 + end + 1..];
        }
    }
    let value = rest.split_whitespace().next()?.parse().ok()?;
    Some(Sample {
        name,
        labels,
        value,
    })
}

/// Escapes a label value (`\\`, `\"`, line feed) or help text (no quotes).
fn escape(text: &str, quotes: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quotes => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// Adds the transaction engine's counters (the same names on every
/// daemon).
pub fn add_transaction_counters(m: &mut Metrics, c: &Counters) {
    use Kind::Counter;
    m.declare(
        "mgcp_commands_received",
        "MGCP commands received, by verb (retransmissions not included)",
        Counter,
    );
    for (verb, n) in c.commands_received.iter() {
        m.sample("mgcp_commands_received", "", Counter, &[("verb", verb)], n);
    }
    m.declare(
        "mgcp_commands_sent",
        "MGCP commands sent, by verb (first transmissions)",
        Counter,
    );
    for (verb, n) in c.commands_sent.iter() {
        m.sample("mgcp_commands_sent", "", Counter, &[("verb", verb)], n);
    }
    m.declare(
        "mgcp_responses_sent",
        "MGCP responses sent, by return code (history resends not included)",
        Counter,
    );
    for (code, n) in c.responses_sent.iter() {
        m.sample(
            "mgcp_responses_sent",
            "",
            Counter,
            &[("code", &format!("{code:03}"))],
            n,
        );
    }
    m.declare(
        "mgcp_responses_received",
        "MGCP responses received, by return code",
        Counter,
    );
    for (code, n) in c.responses_received.iter() {
        m.sample(
            "mgcp_responses_received",
            "",
            Counter,
            &[("code", &format!("{code:03}"))],
            n,
        );
    }
    let plain: [(&str, &str, u64); 17] = [
        (
            "mgcp_datagrams_received",
            "UDP datagrams received",
            c.datagrams_received,
        ),
        (
            "mgcp_datagrams_sent",
            "UDP datagrams sent",
            c.datagrams_sent,
        ),
        (
            "mgcp_retransmissions_sent",
            "Retransmissions of our commands",
            c.retransmissions_sent,
        ),
        (
            "mgcp_response_retransmissions_sent",
            "Retransmissions of final responses awaiting a 000 acknowledgement",
            c.response_retransmissions_sent,
        ),
        (
            "mgcp_duplicates_received",
            "Commands received again (the peer retransmitted)",
            c.duplicates_received,
        ),
        (
            "mgcp_answered_from_history",
            "Duplicate commands answered from the transaction history",
            c.answered_from_history,
        ),
        (
            "mgcp_duplicates_discarded",
            "Duplicate commands dropped after a response acknowledgement",
            c.duplicates_discarded,
        ),
        (
            "mgcp_provisionals_sent",
            "Provisional responses sent",
            c.provisionals_sent,
        ),
        (
            "mgcp_provisionals_received",
            "Provisional responses received",
            c.provisionals_received,
        ),
        (
            "mgcp_acks_sent",
            "Response acknowledgements (000) sent",
            c.acks_sent,
        ),
        (
            "mgcp_acks_received",
            "Response acknowledgements (000) received",
            c.acks_received,
        ),
        (
            "mgcp_timeouts",
            "Our commands that were never answered",
            c.timeouts,
        ),
        (
            "mgcp_failovers",
            "Times a peer address was abandoned for the next one",
            c.failovers,
        ),
        (
            "mgcp_overload_rejections",
            "Commands answered 409 because the history was full",
            c.overload_rejections,
        ),
        (
            "mgcp_execution_timeouts",
            "Commands answered 406 because execution took too long",
            c.execution_timeouts,
        ),
        (
            "mgcp_malformed_received",
            "Datagrams or messages that did not parse",
            c.malformed_received,
        ),
        (
            "mgcp_stray_responses",
            "Responses matching no outstanding command",
            c.stray_responses,
        ),
    ];
    for (name, help, value) in plain {
        m.counter(name, help, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_text_format_with_labels() {
        let mut m = Metrics::new();
        m.sample(
            "mgcp_commands_received",
            "Commands",
            Kind::Counter,
            &[("verb", "CRCX")],
            3,
        );
        m.sample(
            "mgcp_commands_received",
            "",
            Kind::Counter,
            &[("verb", "DLCX")],
            1,
        );
        m.gauge("mgcp_connections", "Open connections", 2);
        m.declare("mgcp_timeouts", "Never answered", Kind::Counter);
        assert_eq!(
            m.value("mgcp_commands_received", &[("verb", "DLCX")]),
            Some(1)
        );
        assert_eq!(m.value("mgcp_commands_received", &[("verb", "AUEP")]), None);
        let text = m.render();
        assert!(
            text.contains("# TYPE mgcp_commands_received_total counter"),
            "{text}"
        );
        assert!(
            text.contains("mgcp_commands_received_total{verb=\"CRCX\"} 3"),
            "{text}"
        );
        assert!(
            text.contains("mgcp_commands_received_total{verb=\"DLCX\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("# HELP mgcp_connections Open connections"),
            "{text}"
        );
        assert!(text.contains("mgcp_connections 2"), "{text}");
        assert!(
            text.contains("# HELP mgcp_timeouts_total Never answered"),
            "{text}"
        );
        assert!(
            text.ends_with("# TYPE mgcp_timeouts_total counter\n"),
            "{text}"
        );
    }

    #[test]
    fn label_values_are_escaped() {
        let mut m = Metrics::new();
        m.sample(
            "x",
            "multi\nline \"help\"",
            Kind::Gauge,
            &[("endpoint", "a\"b\\c\nd")],
            1,
        );
        let text = m.render();
        assert!(text.contains(r#"x{endpoint="a\"b\\c\nd"} 1"#), "{text}");
        assert!(text.contains(r#"# HELP x multi\nline "help""#), "{text}");
        assert_eq!(text.lines().count(), 3, "{text}");
        let back = read(&text);
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].label("endpoint"), Some("a\"b\\c\nd"));
        assert_eq!(back[0].value, 1.0);
    }

    #[test]
    fn transaction_counters_by_verb_and_code() {
        let mut c = Counters::default();
        c.commands_received.add(mgcp_proto::Verb::Crcx);
        c.commands_received.add(mgcp_proto::Verb::Crcx);
        c.responses_sent.add(mgcp_proto::ReturnCode::OK);
        c.timeouts = 4;
        let mut m = Metrics::new();
        add_transaction_counters(&mut m, &c);
        assert_eq!(
            m.value("mgcp_commands_received", &[("verb", "CRCX")]),
            Some(2)
        );
        assert_eq!(m.value("mgcp_responses_sent", &[("code", "200")]), Some(1));
        assert_eq!(m.value("mgcp_timeouts", &[]), Some(4));
        let text = m.render();
        assert!(
            text.contains("mgcp_responses_sent_total{code=\"200\"} 1"),
            "{text}"
        );
        assert!(text.contains("mgcp_timeouts_total 4"), "{text}");
        let back = read(&text);
        let crcx = back
            .iter()
            .find(|s| s.name == "mgcp_commands_received_total" && s.label("verb") == Some("CRCX"));
        assert_eq!(crcx.map(|s| s.value), Some(2.0));
    }
}
