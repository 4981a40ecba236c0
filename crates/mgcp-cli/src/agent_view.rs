//! What operators see of a running call agent: its metrics, the live
//! view's tables (shared with `mgcp admin show`) and the admin actions.

use std::time::Instant;

use mgcp_agent::{Agent, CallState, GatewayState, Phase};
use mgcp_ops::{Kind, Metrics};
use serde_json::{Value, json};

use crate::daemon_ops::{Table, state_json};

const MAX_ROWS: usize = 1000;

fn phase_name(p: Phase) -> String {
    match p {
        Phase::Unknown => "unknown".into(),
        Phase::OutOfService => "out-of-service".into(),
        Phase::Idle => "idle".into(),
        Phase::Dialling => "dialling".into(),
        Phase::Tone(t) => format!("tone {t}"),
        Phase::Call => "call".into(),
    }
}

fn gateway_state(s: GatewayState) -> &'static str {
    match s {
        GatewayState::Unknown => "unknown",
        GatewayState::InService => "in-service",
        GatewayState::Unreachable => "unreachable",
    }
}

fn call_state(s: CallState) -> &'static str {
    match s {
        CallState::Creating => "creating",
        CallState::Alerting => "alerting",
        CallState::Active => "active",
        CallState::Releasing => "releasing",
        CallState::Recovering => "recovering",
    }
}

/// The agent's metrics.
pub(crate) fn metrics(agent: &Agent) -> Metrics {
    let mut m = Metrics::new();
    mgcp_ops::metrics::add_transaction_counters(&mut m, agent.engine().counters());
    for state in ["unknown", "in-service", "unreachable"] {
        let n = agent
            .gateways()
            .iter()
            .filter(|g| gateway_state(g.state) == state)
            .count();
        m.sample(
            "mgcp_gateways",
            "Gateways, by state",
            Kind::Gauge,
            &[("state", state)],
            n as u64,
        );
    }
    for state in [
        "unknown",
        "out-of-service",
        "idle",
        "dialling",
        "tone",
        "call",
    ] {
        let n = agent
            .lines()
            .iter()
            .filter(|l| phase_name(l.phase).split(' ').next() == Some(state))
            .count();
        m.sample(
            "mgcp_endpoints",
            "Endpoints (lines and trunk channels), by state",
            Kind::Gauge,
            &[("state", state)],
            n as u64,
        );
    }
    for state in ["creating", "alerting", "active", "releasing", "recovering"] {
        let n = agent
            .calls()
            .filter(|c| call_state(c.state) == state)
            .count();
        m.sample(
            "mgcp_calls",
            "Calls in progress, by state",
            Kind::Gauge,
            &[("state", state)],
            n as u64,
        );
    }
    let connections: usize = agent
        .calls()
        .map(|c| c.connections().iter().flatten().count())
        .sum();
    m.gauge(
        "mgcp_connections",
        "Connections the agent's calls hold",
        connections as u64,
    );
    let c = agent.counters();
    let plain = [
        (
            "mgcp_calls_attempted",
            "Calls set up (a callee was chosen)",
            c.calls_attempted,
        ),
        ("mgcp_calls_answered", "Calls answered", c.calls_answered),
        (
            "mgcp_calls_completed",
            "Calls that ended after being answered",
            c.calls_completed,
        ),
        ("mgcp_calls_busy", "Calls to a busy callee", c.busy),
        (
            "mgcp_calls_unknown_number",
            "Calls to numbers nobody has",
            c.unknown_numbers,
        ),
        (
            "mgcp_calls_no_answer",
            "Calls cleared because nobody answered",
            c.no_answer,
        ),
        (
            "mgcp_calls_abandoned",
            "Callers who hung up while dialling or ringing",
            c.abandoned,
        ),
        (
            "mgcp_calls_adopted",
            "Calls adopted after auditing",
            c.adopted,
        ),
        (
            "mgcp_orphan_connections_deleted",
            "Connections deleted because no call accounted for them",
            c.orphans_deleted,
        ),
        (
            "mgcp_rsips_received",
            "RestartInProgress commands received",
            c.rsips,
        ),
        (
            "mgcp_notifies_received",
            "Notify commands received",
            c.notifies,
        ),
        (
            "mgcp_refused_commands",
            "Commands from gateways refused",
            c.refused,
        ),
        (
            "mgcp_gateways_lost",
            "Times a gateway was found unreachable",
            c.gateways_lost,
        ),
    ];
    for (name, help, v) in plain {
        m.counter(name, help, v);
    }
    m
}

pub(crate) fn gateways_table(agent: &Agent) -> Table {
    let rows: Vec<Vec<String>> = agent
        .gateways()
        .iter()
        .map(|g| {
            vec![
                g.domain.clone(),
                g.addresses
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                gateway_state(g.state).to_string(),
                agent
                    .lines()
                    .iter()
                    .filter(|l| {
                        agent
                            .gateways()
                            .get(l.gateway)
                            .is_some_and(|x| x.domain == g.domain)
                    })
                    .count()
                    .to_string(),
            ]
        })
        .collect();
    let total = rows.len();
    Table {
        title: "Gateways",
        columns: &["Gateway", "Addresses", "State", "Endpoints"],
        rows: rows.into_iter().take(MAX_ROWS).collect(),
        total,
    }
}

pub(crate) fn calls_table(agent: &Agent) -> Table {
    let mut rows: Vec<Vec<String>> = agent
        .calls()
        .map(|c| {
            let [a, b] = c.connections();
            vec![
                c.call_id(),
                agent.lines()[c.caller].name.clone(),
                agent.lines()[c.callee].name.clone(),
                c.dialled.clone(),
                call_state(c.state).to_string(),
                [a, b]
                    .iter()
                    .flatten()
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", "),
            ]
        })
        .collect();
    rows.sort();
    let total = rows.len();
    rows.truncate(MAX_ROWS);
    Table {
        title: "Calls",
        columns: &[
            "CallId",
            "Caller",
            "Callee",
            "Dialled",
            "State",
            "Connections",
        ],
        rows,
        total,
    }
}

pub(crate) fn endpoints_table(agent: &Agent) -> Table {
    let mut lines: Vec<_> = agent.lines().iter().collect();
    // Busy lines first.
    lines.sort_by_key(|l| matches!(l.phase, Phase::Idle | Phase::Unknown));
    let rows = lines
        .iter()
        .take(MAX_ROWS)
        .map(|l| {
            vec![
                l.name.clone(),
                format!("{:?}", l.kind).to_lowercase(),
                l.number.clone().unwrap_or_default(),
                phase_name(l.phase),
                if l.off_hook { "off" } else { "on" }.to_string(),
                l.call.map(|c| format!("{c:X}")).unwrap_or_default(),
            ]
        })
        .collect();
    Table {
        title: "Endpoints",
        columns: &["Endpoint", "Kind", "Number", "State", "Hook", "Call"],
        rows,
        total: agent.lines().len(),
    }
}

/// The live view's state.
pub(crate) fn state(agent: &Agent) -> Value {
    let c = agent.counters();
    let in_service = agent
        .gateways()
        .iter()
        .filter(|g| g.state == GatewayState::InService)
        .count();
    state_json(
        "mgcp agent".to_string(),
        "agent",
        &[
            ("Gateways", agent.gateways().len() as u64),
            ("In service", in_service as u64),
            ("Endpoints", agent.lines().len() as u64),
            ("Calls", agent.calls().count() as u64),
            ("Calls attempted", c.calls_attempted),
            ("Calls answered", c.calls_answered),
            (
                "Retransmissions",
                agent.engine().counters().retransmissions_sent,
            ),
        ],
        &[
            calls_table(agent),
            gateways_table(agent),
            endpoints_table(agent),
        ],
    )
}

/// `show` and `drop` for the control interface; `None` for other
/// commands.
pub(crate) fn admin(
    agent: &mut Agent,
    now: Instant,
    cmd: &str,
    request: &Value,
) -> Option<Result<Value, String>> {
    let text = |key: &str| request[key].as_str().unwrap_or("").to_string();
    Some(match cmd {
        "show" => match text("what").as_str() {
            "gateways" => Ok(gateways_table(agent).to_json()),
            "calls" => Ok(calls_table(agent).to_json()),
            "endpoints" => Ok(endpoints_table(agent).to_json()),
            other => Err(format!(
                "cannot show {other:?}: gateways, calls or endpoints"
            )),
        },
        "drop" => {
            let call = text("call");
            match u64::from_str_radix(&call, 16) {
                Ok(id) if agent.release_call(now, id) => Ok(json!({"released": [{"call": call}]})),
                Ok(_) => Err("no such call".to_string()),
                Err(_) => Err("the CallId must be hexadecimal".to_string()),
            }
        }
        "reset" | "release" => Err("the call agent releases calls: use `drop CALLID`".to_string()),
        _ => return None,
    })
}
