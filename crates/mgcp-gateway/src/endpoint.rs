//! Endpoint and connection state, and the endpoint table (hash lookup by
//! name, fast "any of" allocation, "all of" expansion).

use std::collections::VecDeque;

use foldhash::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use mgcp_proto::digit_map::{DigitMap, MatchState};
use mgcp_proto::params::{BearerEncoding, ConnectionMode, LoopControl, ProcessControl};
use mgcp_txn::Destination;

use crate::config::EndpointKind;
use crate::media::{Codec, LocalMedia, MediaId};
use crate::request::{Detected, Requested, Signal};

/// Hook state of a line (or seizure state of a trunk channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// On hook / idle.
    On,
    /// Off hook / seized.
    Off,
}

/// Where the endpoint stands with its call agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Waiting to announce a restart (RSIP not yet answered).
    Restarting,
    /// In service.
    InService,
    /// Lost contact with the call agent (RFC 3435 §4.4.7).
    Disconnected,
    /// Taken out of service (graceful or forced shutdown).
    OutOfService,
}

/// The notified entity of an endpoint (RFC 3435 §2.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notified {
    /// The provisioned call agents (after start-up).
    Provisioned,
    /// The source of the last connection command or notification request
    /// (the default when no `N:` was given).
    LastCommander(SocketAddr),
    /// Set by `N:`: its text and the addresses it resolved to.
    Explicit {
        /// As written in `N:`.
        text: String,
        /// Resolved addresses.
        destination: Destination,
    },
}

/// A connection.
#[derive(Debug, Clone)]
pub struct Connection {
    /// ConnectionId (hex).
    pub id: String,
    /// CallId.
    pub call_id: String,
    /// Mode.
    pub mode: ConnectionMode<'static>,
    /// Negotiated codecs, preferred first.
    pub codecs: Vec<Codec>,
    /// RFC 4733 payload type.
    pub telephone_event: Option<u8>,
    /// Packetization period, ms.
    pub ptime: u32,
    /// The remote session description as received.
    pub remote_sdp: Option<String>,
    /// Where media goes.
    pub remote: Option<SocketAddr>,
    /// The local media address.
    pub local: LocalMedia,
    /// The media plane's handle.
    pub media: MediaId,
    /// SDP session id and version (the version grows on changes).
    pub session: (u64, u64),
    /// LocalConnectionOptions as last accepted (for audits).
    pub options: String,
    /// The local session description, rebuilt when the session changes.
    pub local_sdp: String,
    /// The other end of a local connection (Z2): endpoint index and
    /// connection id.
    pub twin: Option<(usize, String)>,
}

/// A time-out signal playing.
#[derive(Debug, Clone)]
pub struct ActiveSignal {
    /// The signal.
    pub signal: Signal,
    /// When it ends by itself (time-out signals).
    pub ends: Option<Instant>,
    /// True for on/off signals (they outlive new requests).
    pub on_off: bool,
}

/// Digit collection against the current digit map.
#[derive(Debug, Clone, Default)]
pub struct Digits {
    /// The compiled map, shared by endpoints with the same map.
    pub map: Option<Arc<DigitMap>>,
    /// The map's text (for audits).
    pub text: Option<String>,
    /// Where the matcher stands.
    pub state: Option<MatchState>,
    /// The inter-digit timer deadline.
    pub timer: Option<Instant>,
}

/// The notification request in force.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// RequestIdentifier; `"0"` before any request (persistent events).
    pub id: String,
    /// RequestedEvents.
    pub requested: Vec<Requested>,
    /// DetectEvents (kept during quarantine).
    pub detect: Vec<crate::request::Pattern>,
    /// QuarantineHandling.
    pub process: Option<ProcessControl>,
    /// Step or loop.
    pub looping: Option<LoopControl>,
}

/// One endpoint.
#[derive(Debug)]
pub struct Endpoint {
    /// Local name, as configured.
    pub name: Box<str>,
    /// Kind.
    pub kind: EndpointKind,
    /// Connections allowed.
    pub max_connections: usize,
    /// Service state.
    pub service: Service,
    /// Connections.
    pub connections: Vec<Connection>,
    /// Notified entity.
    pub notified: Notified,
    /// The request in force.
    pub request: Request,
    /// Signals playing.
    pub signals: Vec<ActiveSignal>,
    /// Digit collection.
    pub digits: Digits,
    /// Events accumulated for the next notification (ObservedEvents).
    pub observed: Vec<String>,
    /// Events held while a notification is outstanding or in lockstep.
    pub quarantine: VecDeque<Detected>,
    /// Transaction of the Notify waiting for its response.
    pub notify_pending: Option<mgcp_txn::IncomingId>,
    /// Lockstep: a Notify was answered in `step` mode; events wait for the
    /// next request.
    pub lockstep: bool,
    /// A new request arrived while a Notify waited for its response: the
    /// response must not put the endpoint in lockstep, since the request
    /// that ends lockstep is already here (RFC 3435 §4.4.1; seen when the
    /// Notify's response is lost and retransmitted after the next RQNT).
    pub requested_while_notifying: bool,
    /// Hook / seizure state.
    pub hook: Hook,
    /// Bearer encoding set by EPCF.
    pub encoding: Option<BearerEncoding>,
    /// Generation counters that invalidate stale timers.
    pub signal_generation: u32,
    /// Same, for the digit timer.
    pub digit_generation: u32,
}

impl Endpoint {
    /// A fresh endpoint, restarting.
    pub fn new(name: Box<str>, kind: EndpointKind, max_connections: usize) -> Self {
        Endpoint {
            name,
            kind,
            max_connections,
            service: Service::Restarting,
            connections: Vec::new(),
            notified: Notified::Provisioned,
            request: Request {
                id: "0".to_string(),
                ..Request::default()
            },
            signals: Vec::new(),
            digits: Digits::default(),
            observed: Vec::new(),
            quarantine: VecDeque::new(),
            notify_pending: None,
            lockstep: false,
            requested_while_notifying: false,
            hook: Hook::On,
            encoding: None,
            signal_generation: 0,
            digit_generation: 0,
        }
    }

    /// The connection with this id (case-insensitive).
    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections
            .iter()
            .find(|c| c.id.eq_ignore_ascii_case(id))
    }

    /// Index of the connection with this id.
    pub fn connection_index(&self, id: &str) -> Option<usize> {
        self.connections
            .iter()
            .position(|c| c.id.eq_ignore_ascii_case(id))
    }

    /// True when idle enough for an "any of" allocation.
    pub fn is_free(&self) -> bool {
        self.connections.is_empty() && self.service != Service::OutOfService
    }
}

/// The endpoint table: hash lookup by lower-cased local name, groups by
/// name prefix for wildcards.
#[derive(Debug, Default)]
pub struct Table {
    /// The endpoints, in configuration order.
    pub endpoints: Vec<Endpoint>,
    by_name: HashMap<Box<str>, usize>,
    /// Prefix (all terms but the last, lower-cased) → members.
    groups: HashMap<Box<str>, Group>,
}

#[derive(Debug, Default)]
struct Group {
    members: Vec<usize>,
    cursor: usize,
}

impl Table {
    /// Adds an endpoint; returns false when the name is taken.
    pub fn add(&mut self, endpoint: Endpoint) -> bool {
        let key: Box<str> = endpoint.name.to_ascii_lowercase().into();
        if self.by_name.contains_key(&key) {
            return false;
        }
        let index = self.endpoints.len();
        let prefix: Box<str> = key.rsplit_once('/').map_or("", |(p, _)| p).into();
        self.groups.entry(prefix).or_default().members.push(index);
        self.by_name.insert(key, index);
        self.endpoints.push(endpoint);
        true
    }

    /// How many endpoints.
    pub fn len(&self) -> usize {
        self.endpoints.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.endpoints.is_empty()
    }

    /// The endpoint named exactly `local` (case-insensitive).
    pub fn find(&self, local: &str, scratch: &mut String) -> Option<usize> {
        if !local.bytes().any(|b| b.is_ascii_uppercase()) {
            return self.by_name.get(local).copied();
        }
        scratch.clear();
        scratch.extend(local.chars().map(|c| c.to_ascii_lowercase()));
        self.by_name.get(scratch.as_str()).copied()
    }

    /// An idle endpoint matching a name whose last term is `$` ("any of").
    pub fn any_of(&mut self, local: &str) -> Option<usize> {
        // Group keys are lower case; names are almost always written so,
        // which spares an allocation per CRCX.
        let lower: std::borrow::Cow<'_, str> = if local.bytes().any(|b| b.is_ascii_uppercase()) {
            local.to_ascii_lowercase().into()
        } else {
            local.into()
        };
        if let Some(prefix) = lower.strip_suffix("/$").or((lower == "$").then_some(""))
            && !prefix.contains(['*', '$'])
        {
            let group = self.groups.get_mut(prefix)?;
            let n = group.members.len();
            for step in 0..n {
                let i = group.members[(group.cursor + step) % n];
                if self.endpoints[i].is_free() && self.endpoints[i].kind != EndpointKind::Null {
                    group.cursor = (group.cursor + step + 1) % n;
                    return Some(i);
                }
            }
            return None;
        }
        self.matching(&lower)
            .into_iter()
            .find(|&i| self.endpoints[i].is_free() && self.endpoints[i].kind != EndpointKind::Null)
    }

    /// Every endpoint matching a pattern with `*` (or `$`) terms.
    pub fn matching(&self, local: &str) -> Vec<usize> {
        let lower = local.to_ascii_lowercase();
        if lower == "*" {
            return (0..self.endpoints.len()).collect();
        }
        if let Some(prefix) = lower.strip_suffix("/*")
            && !prefix.contains(['*', '$'])
        {
            let mut out: Vec<usize> = self
                .groups
                .get(prefix)
                .map(|g| g.members.clone())
                .unwrap_or_default();
            // Deeper names under the prefix (e.g. `ds/*` over `ds/ds1-1/1`).
            let deeper = format!("{prefix}/");
            for (p, g) in &self.groups {
                if p.starts_with(&deeper) {
                    out.extend(&g.members);
                }
            }
            out.sort_unstable();
            return out;
        }
        let pattern: Vec<&str> = lower.split('/').collect();
        (0..self.endpoints.len())
            .filter(|&i| terms_match(&pattern, &self.endpoints[i].name))
            .collect()
    }
}

/// Term-wise match; a trailing `*` covers any deeper hierarchy.
fn terms_match(pattern: &[&str], name: &str) -> bool {
    let terms: Vec<&str> = name.split('/').collect();
    for (i, p) in pattern.iter().enumerate() {
        let last = i + 1 == pattern.len();
        match (*p, terms.get(i)) {
            ("*", Some(_)) if last => return true,
            ("*" | "$", Some(_)) => {}
            (p, Some(t)) if t.eq_ignore_ascii_case(p) => {}
            _ => return false,
        }
    }
    pattern.len() == terms.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(names: &[&str]) -> Table {
        let mut t = Table::default();
        for n in names {
            assert!(t.add(Endpoint::new((*n).into(), EndpointKind::Line, 2)));
        }
        t
    }

    #[test]
    fn lookup_is_case_insensitive() {
        let t = table(&["aaln/1", "aaln/2", "S0/SU0/DS1-0/1"]);
        let mut s = String::new();
        assert_eq!(t.find("AALN/2", &mut s), Some(1));
        assert_eq!(t.find("s0/su0/ds1-0/1", &mut s), Some(2));
        assert_eq!(t.find("aaln/3", &mut s), None);
    }

    #[test]
    fn wildcards() {
        let mut t = table(&["aaln/1", "aaln/2", "ds/ds1-1/1", "ds/ds1-1/2", "ds/ds1-2/1"]);
        assert_eq!(t.matching("*"), vec![0, 1, 2, 3, 4]);
        assert_eq!(t.matching("aaln/*"), vec![0, 1]);
        assert_eq!(t.matching("ds/ds1-1/*"), vec![2, 3]);
        assert_eq!(t.matching("ds/*"), vec![2, 3, 4]);
        assert_eq!(t.matching("ds/*/1"), vec![2, 4]);
        assert_eq!(t.any_of("aaln/$"), Some(0));
        assert_eq!(t.any_of("aaln/$"), Some(1), "the cursor moves on");
        t.endpoints[0].service = Service::OutOfService;
        t.endpoints[1].connections.push(Connection {
            id: "1".into(),
            call_id: "1".into(),
            mode: ConnectionMode::SendRecv,
            codecs: vec![],
            telephone_event: None,
            ptime: 20,
            remote_sdp: None,
            remote: None,
            local: LocalMedia {
                address: [127, 0, 0, 1].into(),
                port: 4000,
            },
            media: 1,
            session: (1, 1),
            options: String::new(),
            local_sdp: String::new(),
            twin: None,
        });
        assert_eq!(t.any_of("aaln/$"), None);
        assert_eq!(t.any_of("ds/$/1"), Some(2));
    }
}
