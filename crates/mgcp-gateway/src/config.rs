//! Gateway configuration: endpoints (kinds, naming templates, counts), call
//! agents, restart timers, limits and security. Deserialised from TOML by
//! the daemon; [`GatewayConfig::default`] is the built-in gateway that
//! `mgcp gateway` runs with no file.

use std::net::SocketAddr;

use serde::Deserialize;

/// The kinds of endpoint the seeds name (RFC 3435 §2.1.1, Lucent draft).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EndpointKind {
    /// An analog line (FXS port): L, G, D, R packages.
    Line,
    /// A DS0 channel of a digital trunk: T, G, D, M, R packages.
    Trunk,
    /// An announcement server access point: A, G, R packages.
    Announcement,
    /// An interactive voice response access point: A, D, G, R packages.
    Ivr,
    /// A conference bridge access point: many connections in `confrnce`.
    Conference,
    /// A packet relay: two connections relayed to each other.
    Relay,
    /// A wiretap access point: receives copies of media.
    Wiretap,
    /// osmo-mgw's RTP bridge endpoint: two connections relayed.
    Rtpbridge,
    /// osmo-mgw's `null` endpoint: always auditable, never connected.
    Null,
}

impl EndpointKind {
    /// The packages the endpoint supports, default package first.
    pub fn packages(self) -> &'static [&'static str] {
        match self {
            EndpointKind::Line => &["L", "G", "D", "R"],
            EndpointKind::Trunk => &["T", "G", "D", "M", "R"],
            EndpointKind::Announcement => &["A", "G", "R"],
            EndpointKind::Ivr => &["A", "D", "G", "R"],
            EndpointKind::Conference | EndpointKind::Relay | EndpointKind::Rtpbridge => &["G", "R"],
            EndpointKind::Wiretap => &["R", "G"],
            EndpointKind::Null => &["G"],
        }
    }

    /// The default package (events written without a package name).
    pub fn default_package(self) -> &'static str {
        self.packages()[0]
    }

    /// How many connections one endpoint holds by default.
    pub fn default_max_connections(self) -> usize {
        match self {
            EndpointKind::Line | EndpointKind::Trunk => 4,
            EndpointKind::Relay | EndpointKind::Rtpbridge => 2,
            EndpointKind::Wiretap => 2,
            EndpointKind::Announcement | EndpointKind::Ivr => 16,
            EndpointKind::Conference => 64,
            EndpointKind::Null => 0,
        }
    }

    /// True when the endpoint has a line side a person or a test drives
    /// (hook, digits).
    pub fn has_line(self) -> bool {
        matches!(self, EndpointKind::Line | EndpointKind::Trunk)
    }

    /// The connection modes the kind accepts.
    pub fn supports_mode(self, mode: mgcp_proto::params::ConnectionMode<'_>) -> bool {
        use mgcp_proto::params::ConnectionMode as M;
        match (self, mode) {
            (_, M::Extension(_)) => false,
            (EndpointKind::Null, _) => false,
            (EndpointKind::Conference, _) => true,
            (_, M::Conference) => false,
            (
                EndpointKind::Announcement | EndpointKind::Ivr,
                M::SendOnly | M::SendRecv | M::RecvOnly | M::Inactive,
            ) => true,
            (EndpointKind::Announcement | EndpointKind::Ivr, _) => false,
            (EndpointKind::Wiretap, M::RecvOnly | M::Inactive | M::SendOnly) => true,
            (EndpointKind::Wiretap, _) => false,
            (EndpointKind::Relay | EndpointKind::Rtpbridge, M::ContinuityTest) => false,
            _ => true,
        }
    }
}

/// A group of endpoints named from one template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointGroup {
    /// Their kind.
    pub kind: EndpointKind,
    /// The local name template: `{n}` is the number in decimal, `{x}` in
    /// hexadecimal (osmo-mgw), e.g. `aaln/{n}`, `aaln/S1/SU0/{n}`,
    /// `S0/SU0/DS1-0/{n}`, `ds/ds1-1/{n}`, `rtpbridge/{x}`, `null`.
    pub name: String,
    /// How many endpoints.
    #[serde(default = "one")]
    pub count: u32,
    /// The first number.
    #[serde(default = "one")]
    pub start: u32,
    /// Connections per endpoint (default by kind).
    #[serde(default)]
    pub max_connections: Option<usize>,
}

fn one() -> u32 {
    1
}

impl EndpointGroup {
    /// The local names this group expands to.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.count).map(move |i| {
            let n = self.start.saturating_add(i);
            self.name
                .replace("{n}", &n.to_string())
                .replace("{x}", &format!("{n:x}"))
        })
    }
}

/// Restart and disconnection timers (RFC 3435 §4.4.6, §4.4.7).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RestartConfig {
    /// Send RSIP `restart` when the gateway starts.
    pub rsip_on_start: bool,
    /// MWD: the start-up RSIP waits a random time in `[0, MWD]` so that
    /// gateways powered on together do not flood the call agent. RFC 3435
    /// suggests 600 s for residential and 30 s for trunking gateways; the
    /// built-in gateway uses 2 s so that a demo starts promptly.
    pub max_waiting_delay_ms: u64,
    /// One wildcard RSIP (`*@domain`) for the whole gateway instead of one
    /// per endpoint.
    pub wildcard: bool,
    /// Tdinit: the first disconnected timer is random in `[1 s, Tdinit]`.
    pub disconnected_initial_ms: u64,
    /// Tdmin: least time between disconnected procedures caused by local
    /// user activity.
    pub disconnected_min_ms: u64,
    /// Tdmax: the disconnected timer doubles up to this.
    pub disconnected_max_ms: u64,
    /// RestartDelay sent with a graceful shutdown, seconds.
    pub graceful_delay_s: u32,
}

impl Default for RestartConfig {
    fn default() -> Self {
        RestartConfig {
            rsip_on_start: true,
            max_waiting_delay_ms: 2_000,
            wildcard: true,
            disconnected_initial_ms: 15_000,
            disconnected_min_ms: 15_000,
            disconnected_max_ms: 600_000,
            graceful_delay_s: 0,
        }
    }
}

/// Bounds that keep a gateway alive under abuse.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Connections over the whole gateway; beyond it CRCX gets 403.
    pub max_connections: usize,
    /// Events kept in one endpoint's quarantine buffer; beyond it the
    /// oldest are dropped and counted.
    pub quarantine_events: usize,
    /// Events accumulated for one notification before it is sent anyway.
    pub observed_events: usize,
    /// Endpoints one "all of" wildcard may address in a command that
    /// changes state; beyond it 503 "wildcard too complicated".
    pub wildcard_fanout: usize,
    /// Active signals per endpoint.
    pub signals: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: 100_000,
            quarantine_events: 64,
            observed_events: 128,
            wildcard_fanout: 100_000,
            signals: 16,
        }
    }
}

/// What to do with commands from call agents not in `allowed_call_agents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Unauthorized {
    /// Drop them silently (counted).
    #[default]
    Drop,
    /// Answer them 500 "endpoint unknown", which reveals nothing about the
    /// gateway's endpoints.
    Reject,
}

/// Who may command the gateway.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    /// Only these addresses (IP, any port) may send commands; empty means
    /// everyone.
    pub allowed_call_agents: Vec<std::net::IpAddr>,
    /// What unauthorised commands get.
    pub unauthorized: Unauthorized,
}

/// The whole gateway configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// The gateway's domain name: the part after `@` in endpoint names.
    pub domain: String,
    /// The provisioned call agents (notified entity after start-up), in
    /// preference order; several addresses give fail-over.
    pub call_agents: Vec<SocketAddr>,
    /// Endpoint groups.
    pub endpoints: Vec<EndpointGroup>,
    /// Codecs offered, in preference order (RTP/AVP encoding names).
    pub codecs: Vec<String>,
    /// Packetization periods supported, ms (min, max).
    pub packetization_ms: (u32, u32),
    /// Address advertised in SDP for media.
    pub media_address: std::net::IpAddr,
    /// Events reported even when not requested (RFC 3435 §2.3.3), as
    /// `package/name`; Cisco gateways make the hook events persistent.
    pub persistent_events: Vec<String>,
    /// Restart timers.
    pub restart: RestartConfig,
    /// Limits.
    pub limits: Limits,
    /// Security.
    pub security: Security,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        let group = |kind, name: &str, count| EndpointGroup {
            kind,
            name: name.to_string(),
            count,
            start: 1,
            max_connections: None,
        };
        GatewayConfig {
            domain: "gw.example.net".to_string(),
            call_agents: vec![SocketAddr::from(([127, 0, 0, 1], 2727))],
            endpoints: vec![
                group(EndpointKind::Line, "aaln/{n}", 4),
                group(EndpointKind::Trunk, "ds/ds1-1/{n}", 24),
                group(EndpointKind::Announcement, "ann/{n}", 2),
                group(EndpointKind::Ivr, "ivr/{n}", 2),
                group(EndpointKind::Conference, "cnf/{n}", 2),
                group(EndpointKind::Relay, "pr/{n}", 4),
                group(EndpointKind::Wiretap, "wt/{n}", 1),
                group(EndpointKind::Rtpbridge, "rtpbridge/{n}", 16),
                group(EndpointKind::Null, "null", 1),
            ],
            codecs: vec!["PCMU".into(), "PCMA".into(), "telephone-event".into()],
            packetization_ms: (10, 60),
            media_address: std::net::IpAddr::from([127, 0, 0, 1]),
            persistent_events: vec!["L/hd".into(), "L/hu".into(), "L/hf".into()],
            restart: RestartConfig::default(),
            limits: Limits::default(),
            security: Security::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand() {
        let g = EndpointGroup {
            kind: EndpointKind::Rtpbridge,
            name: "rtpbridge/{x}".into(),
            count: 3,
            start: 9,
            max_connections: None,
        };
        assert_eq!(
            g.names().collect::<Vec<_>>(),
            vec!["rtpbridge/9", "rtpbridge/a", "rtpbridge/b"]
        );
        let cisco = EndpointGroup {
            kind: EndpointKind::Trunk,
            name: "S0/SU0/DS1-0/{n}".into(),
            count: 2,
            start: 1,
            max_connections: None,
        };
        assert_eq!(cisco.names().last().unwrap(), "S0/SU0/DS1-0/2");
    }

    #[test]
    fn kinds_know_their_packages_and_modes() {
        use mgcp_proto::params::ConnectionMode as M;
        assert_eq!(EndpointKind::Line.default_package(), "L");
        assert!(EndpointKind::Trunk.packages().contains(&"M"));
        assert!(EndpointKind::Conference.supports_mode(M::Conference));
        assert!(!EndpointKind::Line.supports_mode(M::Conference));
        assert!(!EndpointKind::Null.supports_mode(M::SendRecv));
        assert!(EndpointKind::Rtpbridge.supports_mode(M::Loopback));
    }
}
