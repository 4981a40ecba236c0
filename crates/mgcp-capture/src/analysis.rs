//! What happened in a capture: every message parsed, requests matched to
//! responses by (transaction id, requester) with response times,
//! retransmissions flagged, piggybacked messages counted, malformed ones
//! shown with their error, and Wireshark-style statistics per verb and
//! return code.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use mgcp_proto::{Message, ParseOptions, parse_datagram, split_datagram};

use crate::Datagram;

/// What one message is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A command.
    Command {
        /// Verb, upper-case.
        verb: String,
        /// Transaction id.
        transaction_id: u32,
        /// Endpoint, as written.
        endpoint: String,
    },
    /// A response.
    Response {
        /// Return code.
        code: u16,
        /// Transaction id.
        transaction_id: u32,
    },
    /// Did not parse.
    Malformed {
        /// The parse error.
        error: String,
        /// The transaction id, if readable.
        transaction_id: Option<u32>,
    },
}

/// One message of the capture, with what the analysis found.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Position in the list of entries.
    pub index: usize,
    /// Datagram number (from 0).
    pub datagram: usize,
    /// Time of the datagram.
    pub time: Option<Duration>,
    /// Sender.
    pub from: SocketAddr,
    /// Receiver.
    pub to: SocketAddr,
    /// What it is.
    pub kind: Kind,
    /// Position in its datagram and the datagram's message count.
    pub piggyback: (usize, usize),
    /// A repetition of an earlier command or response (retransmission).
    pub duplicate: bool,
    /// For a command: its final response's entry; for a response: its
    /// command's entry.
    pub matched: Option<usize>,
    /// For a final response: time since its command was first seen.
    pub response_time: Option<Duration>,
    /// For a response: the verb of its command.
    pub answers: Option<String>,
    /// The message text.
    pub text: String,
}

/// Statistics for one verb (Wireshark's MGCP response-time statistics).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VerbStats {
    /// Commands (first copies).
    pub commands: usize,
    /// Retransmitted copies.
    pub retransmissions: usize,
    /// Commands with a final response.
    pub answered: usize,
    /// Smallest response time.
    pub min: Option<Duration>,
    /// Largest response time.
    pub max: Option<Duration>,
    /// Sum of response times (for the average).
    pub total: Duration,
}

impl VerbStats {
    /// Average response time.
    pub fn average(&self) -> Option<Duration> {
        u32::try_from(self.answered)
            .ok()
            .filter(|n| *n > 0)
            .map(|n| self.total / n)
    }
}

/// The whole analysis.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Every message.
    pub entries: Vec<Entry>,
    /// Per verb, sorted by verb.
    pub verbs: Vec<(String, VerbStats)>,
    /// Return codes of final responses (first copies), with counts.
    pub codes: Vec<(u16, usize)>,
    /// Messages that shared a datagram with others.
    pub piggybacked: usize,
    /// Duplicated responses.
    pub duplicate_responses: usize,
    /// Malformed messages.
    pub malformed: usize,
    /// Commands never answered.
    pub unanswered: usize,
}

/// Analyses datagrams in order.
pub fn analyse(datagrams: &[Datagram]) -> Analysis {
    let opts = ParseOptions::lenient();
    let mut a = Analysis::default();
    // (transaction id, requester) → entry of the first copy of the command.
    let mut commands: HashMap<(u32, SocketAddr), usize> = HashMap::new();
    // Same key → entry of the first final response.
    let mut responses: HashMap<(u32, SocketAddr), usize> = HashMap::new();
    let mut verbs: HashMap<String, VerbStats> = HashMap::new();
    let mut codes: HashMap<u16, usize> = HashMap::new();
    for (n, d) in datagrams.iter().enumerate() {
        let text = String::from_utf8_lossy(&d.payload).into_owned();
        let raws: Vec<String> = split_datagram(&text).map(str::to_string).collect();
        let parsed: Vec<_> = parse_datagram(&d.payload, &opts).collect();
        let count = parsed.len();
        if count > 1 {
            a.piggybacked += count;
        }
        for (k, result) in parsed.into_iter().enumerate() {
            let index = a.entries.len();
            let mut e = Entry {
                index,
                datagram: n,
                time: d.time,
                from: d.from,
                to: d.to,
                kind: Kind::Malformed {
                    error: String::new(),
                    transaction_id: None,
                },
                piggyback: (k, count),
                duplicate: false,
                matched: None,
                response_time: None,
                answers: None,
                text: raws.get(k).cloned().unwrap_or_default(),
            };
            match result {
                Ok(Message::Command(c)) => {
                    let (tid, verb) = (c.transaction_id.value(), c.verb.as_str().to_string());
                    e.kind = Kind::Command {
                        verb: verb.clone(),
                        transaction_id: tid,
                        endpoint: c.endpoint.to_string(),
                    };
                    let stats = verbs.entry(verb).or_default();
                    match commands.get(&(tid, d.from)) {
                        Some(_) => {
                            e.duplicate = true;
                            stats.retransmissions += 1;
                        }
                        None => {
                            stats.commands += 1;
                            commands.insert((tid, d.from), index);
                        }
                    }
                }
                Ok(Message::Response(r)) => {
                    let (tid, code) = (r.transaction_id.value(), r.code.value());
                    e.kind = Kind::Response {
                        code,
                        transaction_id: tid,
                    };
                    let key = (tid, d.to);
                    if let Some(&ci) = commands.get(&key) {
                        e.matched = Some(ci);
                        if let Kind::Command { verb, .. } = &a.entries[ci].kind {
                            e.answers = Some(verb.clone());
                        }
                    }
                    if r.code.is_final() && code != 0 {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            responses.entry(key)
                        {
                            slot.insert(index);
                            *codes.entry(code).or_default() += 1;
                        } else {
                            e.duplicate = true;
                            a.duplicate_responses += 1;
                        }
                        if !e.duplicate {
                            record_response_time(&mut a, &mut verbs, &mut e);
                        }
                    }
                }
                Err(err) => {
                    a.malformed += 1;
                    e.kind = Kind::Malformed {
                        error: err.to_string(),
                        transaction_id: err.transaction_id.map(|t| t.value()),
                    };
                }
            }
            a.entries.push(e);
        }
    }
    a.unanswered = commands
        .keys()
        .filter(|k| !responses.contains_key(k))
        .count();
    let mut v: Vec<_> = verbs.into_iter().collect();
    v.sort_by(|x, y| x.0.cmp(&y.0));
    a.verbs = v;
    let mut c: Vec<_> = codes.into_iter().collect();
    c.sort_unstable();
    a.codes = c;
    a
}

/// Links a first final response to its command and records the time.
fn record_response_time(a: &mut Analysis, verbs: &mut HashMap<String, VerbStats>, e: &mut Entry) {
    let Some(ci) = e.matched else { return };
    let command = &mut a.entries[ci];
    command.matched = Some(e.index);
    let (Some(t0), Some(t1)) = (command.time, e.time) else {
        return;
    };
    let rt = t1.saturating_sub(t0);
    e.response_time = Some(rt);
    if let Kind::Command { verb, .. } = &command.kind
        && let Some(s) = verbs.get_mut(verb)
    {
        s.answered += 1;
        s.total += rt;
        s.min = Some(s.min.map_or(rt, |m| m.min(rt)));
        s.max = Some(s.max.map_or(rt, |m| m.max(rt)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dg(ms: u64, from: &str, to: &str, text: &str) -> Datagram {
        Datagram {
            time: Some(Duration::from_millis(ms)),
            from: from.parse().unwrap(),
            to: to.parse().unwrap(),
            payload: text.as_bytes().to_vec(),
        }
    }

    const CA: &str = "10.0.0.1:2727";
    const GW: &str = "10.0.0.2:2427";

    #[test]
    fn matching_duplicates_and_statistics() {
        let d = vec![
            dg(
                0,
                CA,
                GW,
                "CRCX 1 aaln/1@gw MGCP 1.0\r\nC: 1\r\nM: recvonly\r\n",
            ),
            dg(
                200,
                CA,
                GW,
                "CRCX 1 aaln/1@gw MGCP 1.0\r\nC: 1\r\nM: recvonly\r\n",
            ),
            dg(250, GW, CA, "200 1 OK\r\nI: A\r\n"),
            dg(260, GW, CA, "200 1 OK\r\nI: A\r\n"),
            dg(
                300,
                CA,
                GW,
                "AUEP 2 aaln/1@gw MGCP 1.0\r\n.\r\nAUEP 3 aaln/2@gw MGCP 1.0\r\n",
            ),
            dg(310, GW, CA, "500 2 FAIL\r\n"),
            dg(320, CA, GW, "CRCX 4 aaln/1@gw MGCP 1.0\r\nM: bogus\r\n"),
        ];
        let a = analyse(&d);
        assert_eq!(a.entries.len(), 8);
        assert!(a.entries[1].duplicate);
        assert_eq!(a.entries[2].response_time, Some(Duration::from_millis(250)));
        assert_eq!(a.entries[2].answers.as_deref(), Some("CRCX"));
        assert_eq!(a.entries[0].matched, Some(2));
        assert!(a.entries[3].duplicate);
        assert_eq!(a.duplicate_responses, 1);
        assert_eq!(a.piggybacked, 2);
        assert_eq!(a.entries[4].piggyback, (0, 2));
        assert_eq!(a.malformed, 1);
        assert!(matches!(
            &a.entries[7].kind,
            Kind::Malformed {
                transaction_id: Some(4),
                ..
            }
        ));
        assert_eq!(a.unanswered, 1, "AUEP 3");
        assert_eq!(a.codes, vec![(200, 1), (500, 1)]);
        let crcx = &a.verbs.iter().find(|(v, _)| v == "CRCX").unwrap().1;
        assert_eq!(
            (crcx.commands, crcx.retransmissions, crcx.answered),
            (1, 1, 1)
        );
        assert_eq!(crcx.average(), Some(Duration::from_millis(250)));
    }
}
