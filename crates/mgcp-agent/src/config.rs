//! Call agent configuration: the gateways it controls, the directory
//! (numbers → line endpoints), trunk groups and the routes to them, timers,
//! and the fail-over settings. Deserialised from TOML by the daemon;
//! [`AgentConfig::default`] is the built-in agent that `mgcp agent` runs
//! with no file (it controls the built-in `mgcp gateway`).

use std::net::SocketAddr;

use serde::Deserialize;

/// A gateway the agent controls.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayEntry {
    /// The gateway's domain name: the part after `@` in its endpoint names.
    pub domain: String,
    /// Where its commands go (port 2427 by default). Empty: learned from
    /// the source of its first RestartInProgress or Notify.
    #[serde(default)]
    pub addresses: Vec<SocketAddr>,
}

/// A directory entry: a number and the line that answers it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineEntry {
    /// The number dialled to reach the line, e.g. `1001`.
    pub number: String,
    /// The endpoint, `local@domain`, e.g. `aaln/1@gw.example.net`.
    pub endpoint: String,
    /// A second call to the busy line rings through with the call-waiting
    /// tone; a hook flash swaps between the two calls.
    #[serde(default = "yes")]
    pub call_waiting: bool,
}

fn yes() -> bool {
    true
}

/// A group of trunk channels (DS0s) used for calls to a route.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkGroup {
    /// The group's name, used by routes.
    pub name: String,
    /// Endpoint template, `local@domain`; `{n}` becomes 1..=count, e.g.
    /// `ds/ds1-1/{n}@gw2.example.net`.
    pub endpoints: String,
    /// How many channels.
    #[serde(default = "one")]
    pub count: u32,
    /// The first channel number.
    #[serde(default = "one")]
    pub start: u32,
}

fn one() -> u32 {
    1
}

impl TrunkGroup {
    /// The endpoint names of the group's channels.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        (0..self.count).map(move |i| {
            self.endpoints
                .replace("{n}", &self.start.saturating_add(i).to_string())
        })
    }
}

/// A dialled prefix routed to a trunk group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The digits a number starts with, e.g. `9`.
    pub prefix: String,
    /// The trunk group that carries these calls.
    pub group: String,
    /// Digits after the prefix: a fixed count, or `None` for a variable
    /// length ended by the inter-digit timer (`x.T` in the digit map).
    #[serde(default)]
    pub digits: Option<u32>,
}

/// Timers of call control and supervision.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Timers {
    /// Ringing without an answer for this long clears the call (ms).
    pub no_answer_ms: u64,
    /// Gateways silent for this long are audited (keep-alive), ms; 0: never.
    pub keepalive_ms: u64,
    /// After a (re)start or a fail-over, connections that no call accounts
    /// for are deleted once every reachable gateway has been audited, or
    /// after this long (ms).
    pub recovery_ms: u64,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            no_answer_ms: 30_000,
            keepalive_ms: 60_000,
            recovery_ms: 10_000,
        }
    }
}

/// The whole call agent configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentConfig {
    /// The agent's name, used in CDRs and logs.
    pub name: String,
    /// `N:` sent with notification requests so that gateways send their
    /// Notify commands there, e.g. `ca@ca.example.net:2727` (a name that
    /// resolves to the primary and the backup agent gives fail-over).
    /// `None`: gateways answer whoever commanded them last.
    pub notified_entity: Option<String>,
    /// A standby (backup) agent: it audits no gateway at start-up and
    /// takes a gateway over only when the gateway turns to it (fails over,
    /// or is redirected here).
    pub standby: bool,
    /// Answer every RestartInProgress with 521 and this `N:`: hands the
    /// gateways over to another call agent (maintenance, load sharing).
    pub redirect_to: Option<String>,
    /// The gateways.
    pub gateways: Vec<GatewayEntry>,
    /// The directory: numbers and their lines.
    pub lines: Vec<LineEntry>,
    /// Trunk groups.
    pub trunk_groups: Vec<TrunkGroup>,
    /// Routes from prefixes to trunk groups.
    pub routes: Vec<Route>,
    /// The digit map sent to lines; generated from the directory and the
    /// routes when absent.
    pub digit_map: Option<String>,
    /// Codecs offered in CreateConnection (`L: a:`), in preference order.
    pub codecs: Vec<String>,
    /// Packetization period offered, ms.
    pub ptime_ms: u32,
    /// Timers.
    pub timers: Timers,
    /// Most audits in flight per gateway while (re)learning its state.
    pub audit_window: usize,
}

impl Default for AgentConfig {
    fn default() -> Self {
        let gw = "gw.example.net";
        AgentConfig {
            name: "mgcp-agent".into(),
            notified_entity: None,
            standby: false,
            redirect_to: None,
            gateways: vec![GatewayEntry {
                domain: gw.into(),
                addresses: vec![],
            }],
            lines: (1..=4)
                .map(|n| LineEntry {
                    number: format!("100{n}"),
                    endpoint: format!("aaln/{n}@{gw}"),
                    call_waiting: true,
                })
                .collect(),
            trunk_groups: vec![TrunkGroup {
                name: "pstn".into(),
                endpoints: format!("ds/ds1-1/{{n}}@{gw}"),
                count: 24,
                start: 1,
            }],
            routes: vec![Route {
                prefix: "9".into(),
                group: "pstn".into(),
                digits: Some(7),
            }],
            digit_map: None,
            codecs: vec!["PCMU".into()],
            ptime_ms: 20,
            timers: Timers::default(),
            audit_window: 32,
        }
    }
}
