//! What operators see of a running gateway: its metrics, the live view's
//! tables (shared with `mgcp admin show`) and the admin actions.

use std::collections::BTreeMap;
use std::time::Instant;

use mgcp_gateway::admin::MANUAL_INTERVENTION;
use mgcp_gateway::{Endpoint, Gateway, Hook, MediaPlane, MediaStats, Released, Service};
use mgcp_ops::{Kind, Metrics};
use serde_json::{Value, json};

use crate::daemon_ops::{Table, state_json};

/// Rows a table shows at most (the live view of a million endpoints
/// shows the busy ones first).
const MAX_ROWS: usize = 1000;

/// Endpoint states, in the order metrics and tables list them.
const STATES: [&str; 6] = [
    "connected",
    "off-hook",
    "idle",
    "restarting",
    "disconnected",
    "out-of-service",
];

/// One word for where an endpoint stands.
pub(crate) fn endpoint_state(e: &Endpoint) -> &'static str {
    match e.service {
        Service::Restarting => "restarting",
        Service::Disconnected => "disconnected",
        Service::OutOfService => "out-of-service",
        Service::InService if !e.connections.is_empty() => "connected",
        Service::InService if e.hook == Hook::Off => "off-hook",
        Service::InService => "idle",
    }
}

/// Totals of media statistics: deleted connections plus open ones.
fn media_totals<M: MediaPlane>(gw: &Gateway<M>) -> MediaStats {
    let mut t = gw.counters().closed_media;
    for e in gw.endpoints() {
        for c in &e.connections {
            let s = gw.media().stats(c.media);
            t.packets_sent += s.packets_sent;
            t.octets_sent += s.octets_sent;
            t.packets_received += s.packets_received;
            t.octets_received += s.octets_received;
            t.packets_lost += s.packets_lost;
        }
    }
    t
}

/// CallId → (endpoints, connections).
fn calls<M: MediaPlane>(gw: &Gateway<M>) -> BTreeMap<String, (Vec<String>, usize)> {
    let mut calls: BTreeMap<String, (Vec<String>, usize)> = BTreeMap::new();
    for e in gw.endpoints() {
        for c in &e.connections {
            let entry = calls.entry(c.call_id.to_ascii_uppercase()).or_default();
            if !entry.0.iter().any(|n| **n == *e.name) {
                entry.0.push(e.name.to_string());
            }
            entry.1 += 1;
        }
    }
    calls
}

/// The gateway's metrics.
pub(crate) fn metrics<M: MediaPlane>(gw: &Gateway<M>) -> Metrics {
    let mut m = Metrics::new();
    mgcp_ops::metrics::add_transaction_counters(&mut m, gw.engine().counters());
    let mut by_state = [0u64; STATES.len()];
    for e in gw.endpoints() {
        let s = endpoint_state(e);
        if let Some(i) = STATES.iter().position(|x| *x == s) {
            by_state[i] += 1;
        }
    }
    for (state, n) in STATES.iter().zip(by_state) {
        m.sample(
            "mgcp_endpoints",
            "Endpoints, by state",
            Kind::Gauge,
            &[("state", state)],
            n,
        );
    }
    let connections = gw.connection_count() as u64;
    m.gauge("mgcp_connections", "Connections open", connections);
    m.gauge(
        "mgcp_calls",
        "Calls with a connection on this gateway",
        calls(gw).len() as u64,
    );
    m.gauge(
        "mgcp_media_ports_in_use",
        "RTP ports (pairs with RTCP) in use",
        connections,
    );
    let c = gw.counters();
    let plain = [
        (
            "mgcp_connections_created",
            "Connections created",
            c.connections_created,
        ),
        (
            "mgcp_connections_deleted",
            "Connections deleted",
            c.connections_deleted,
        ),
        (
            "mgcp_notifies_sent",
            "Notify commands sent",
            c.notifies_sent,
        ),
        (
            "mgcp_rsips_sent",
            "RestartInProgress commands sent",
            c.rsips_sent,
        ),
        (
            "mgcp_unauthorized_commands",
            "Commands from call agents not allowed by the configuration",
            c.unauthorized,
        ),
        (
            "mgcp_quarantine_overflows",
            "Events dropped because the quarantine buffer was full",
            c.quarantine_overflow,
        ),
        (
            "mgcp_limit_rejections",
            "Commands refused because a limit was reached",
            c.limit_rejections,
        ),
    ];
    for (name, help, v) in plain {
        m.counter(name, help, v);
    }
    let media = media_totals(gw);
    let rtp = [
        (
            "mgcp_rtp_packets_sent",
            "RTP packets sent",
            media.packets_sent,
        ),
        (
            "mgcp_rtp_octets_sent",
            "RTP payload octets sent",
            media.octets_sent,
        ),
        (
            "mgcp_rtp_packets_received",
            "RTP packets received",
            media.packets_received,
        ),
        (
            "mgcp_rtp_octets_received",
            "RTP payload octets received",
            media.octets_received,
        ),
        (
            "mgcp_rtp_packets_lost",
            "RTP packets lost (RFC 3550 cumulative count)",
            media.packets_lost.max(0) as u64,
        ),
    ];
    for (name, help, v) in rtp {
        m.counter(name, help, v);
    }
    m
}

/// The endpoints table (busy endpoints first).
pub(crate) fn endpoints_table<M: MediaPlane>(gw: &Gateway<M>) -> Table {
    let domain = gw.config().domain.to_string();
    let mut list: Vec<&Endpoint> = gw.endpoints().iter().collect();
    list.sort_by_key(|e| STATES.iter().position(|s| *s == endpoint_state(e)));
    let rows = list
        .iter()
        .take(MAX_ROWS)
        .map(|e| {
            vec![
                format!("{}@{domain}", e.name),
                format!("{:?}", e.kind).to_lowercase(),
                endpoint_state(e).to_string(),
                e.connections.len().to_string(),
                e.request.id.clone(),
                e.signals
                    .iter()
                    .map(|s| s.signal.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                e.digits.text.clone().unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        title: "Endpoints",
        columns: &[
            "Endpoint",
            "Kind",
            "State",
            "Conns",
            "Request",
            "Signals",
            "Digit map",
        ],
        rows,
        total: gw.endpoints().len(),
    }
}

/// The connections table.
pub(crate) fn connections_table<M: MediaPlane>(gw: &Gateway<M>) -> Table {
    let mut rows = Vec::new();
    for e in gw.endpoints() {
        for c in &e.connections {
            let s = gw.media().stats(c.media);
            rows.push(vec![
                e.name.to_string(),
                c.id.clone(),
                c.call_id.clone(),
                c.mode.to_string(),
                c.codecs
                    .first()
                    .map_or_else(String::new, |k| k.name.to_string()),
                format!("{}:{}", c.local.address, c.local.port),
                c.remote.map_or_else(|| "-".to_string(), |r| r.to_string()),
                s.packets_sent.to_string(),
                s.packets_received.to_string(),
                s.packets_lost.to_string(),
            ]);
        }
    }
    let total = rows.len();
    rows.truncate(MAX_ROWS);
    Table {
        title: "Connections",
        columns: &[
            "Endpoint", "Id", "CallId", "Mode", "Codec", "Local", "Remote", "Sent", "Received",
            "Lost",
        ],
        rows,
        total,
    }
}

/// The calls table.
pub(crate) fn calls_table<M: MediaPlane>(gw: &Gateway<M>) -> Table {
    let calls = calls(gw);
    let total = calls.len();
    let rows = calls
        .into_iter()
        .take(MAX_ROWS)
        .map(|(id, (eps, n))| vec![id, eps.join(", "), n.to_string()])
        .collect();
    Table {
        title: "Calls",
        columns: &["CallId", "Endpoints", "Connections"],
        rows,
        total,
    }
}

/// The live view's state.
pub(crate) fn state<M: MediaPlane>(gw: &Gateway<M>) -> Value {
    let c = gw.engine().counters();
    let in_service = gw
        .endpoints()
        .iter()
        .filter(|e| e.service == Service::InService)
        .count();
    state_json(
        format!("mgcp gateway {}", gw.config().domain),
        "gateway",
        &[
            ("Endpoints", gw.endpoints().len() as u64),
            ("In service", in_service as u64),
            ("Connections", gw.connection_count() as u64),
            ("Calls", calls(gw).len() as u64),
            ("Commands received", c.commands_received.total()),
            ("Commands sent", c.commands_sent.total()),
            ("Retransmissions", c.retransmissions_sent),
        ],
        &[connections_table(gw), calls_table(gw), endpoints_table(gw)],
    )
}

/// `show`, `reset`, `drop` and `release` for the control interface.
/// `None` when `cmd` is not an admin command.
pub(crate) fn admin<M: MediaPlane>(
    gw: &mut Gateway<M>,
    now: Instant,
    cmd: &str,
    request: &Value,
) -> Option<Result<Value, String>> {
    let text = |key: &str| request[key].as_str().unwrap_or("").to_string();
    let released = |r: Result<Vec<Released>, mgcp_gateway::AdminError>| {
        r.map(|v| {
            json!({"released": v.iter().map(|r| json!({"endpoint": r.endpoint, "connection": r.connection, "call": r.call})).collect::<Vec<_>>()})
        })
        .map_err(|e| e.to_string())
    };
    Some(match cmd {
        "show" => match text("what").as_str() {
            "endpoints" => Ok(endpoints_table(gw).to_json()),
            "connections" => Ok(connections_table(gw).to_json()),
            "calls" => Ok(calls_table(gw).to_json()),
            other => Err(format!(
                "cannot show {other:?}: endpoints, connections or calls"
            )),
        },
        "reset" => released(gw.reset_endpoint(now, local_name(&text("endpoint")))),
        "drop" => released(gw.drop_call(now, &text("call"), MANUAL_INTERVENTION)),
        "release" => {
            let call = text("call");
            let call = (!call.is_empty()).then_some(call.as_str());
            released(gw.release_connections(
                now,
                local_name(&text("endpoint")),
                call,
                MANUAL_INTERVENTION,
            ))
        }
        _ => return None,
    })
}

/// `aaln/1@gw` → `aaln/1` (operators paste full names).
fn local_name(name: &str) -> &str {
    name.split('@').next().unwrap_or(name)
}
