//! `mgcp agent`: the call agent daemon, and its admin commands. The engine
//! is `mgcp-agent`; this file loads the configuration, opens the store,
//! binds the sockets, runs the UDP driver and serves the control interface.
//!
//! Control protocol (same shape as the gateway's): one JSON object per
//! line over TCP, one JSON answer per line. Requests: `{"cmd":"calls"}`,
//! `{"cmd":"lines"}`, `{"cmd":"gateways"}`, `{"cmd":"cdrs","limit":20}`,
//! `{"cmd":"counters"}`, `{"cmd":"release","call":"1A2B"}`,
//! `{"cmd":"trunk-call","trunk":"ds/ds1-1/1@gw","number":"1001"}`,
//! `{"cmd":"trunk-release","trunk":"ds/ds1-1/1@gw"}`. Answers carry
//! `"ok":true` or `"ok":false,"error":"..."`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::agent_view;
use crate::daemon_ops::{Ops, OpsArgs};
use anyhow::Context;
use clap::{Args, Subcommand};
use mgcp_agent::{Agent, AgentConfig, AgentEvent, MemoryStore, Store};
use mgcp_net::Control;
use mgcp_txn::{Node, Transmit};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

/// Arguments of `mgcp agent`.
#[derive(Debug, Args)]
pub(crate) struct AgentArgs {
    /// TOML configuration file (built-in defaults without one).
    #[arg(long)]
    config: Option<PathBuf>,
    /// MGCP address to listen on (overrides the file).
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Control address (overrides the file; for `mgcp agent calls` …).
    #[arg(long)]
    control: Option<SocketAddr>,
    /// Database file for calls and CDRs (overrides the file); without
    /// one, they are kept in memory only.
    #[arg(long)]
    store: Option<PathBuf>,
    /// Run as a standby (backup) agent.
    #[arg(long)]
    standby: bool,
    /// Answer every RSIP with 521 and this notified entity (hand-over).
    #[arg(long)]
    redirect_to: Option<String>,
    /// Log every agent event (the same as `MGCP_LOG=debug`).
    #[arg(long)]
    verbose: bool,
    #[command(flatten)]
    ops: OpsArgs,
    /// Query a running agent instead of starting one.
    #[command(subcommand)]
    admin: Option<Admin>,
}

#[derive(Debug, Subcommand)]
enum Admin {
    /// List the calls in progress.
    Calls,
    /// List lines and trunk channels with their state.
    Lines,
    /// List gateways.
    Gateways,
    /// The last call detail records.
    Cdrs {
        /// How many.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// The agent's counters.
    Counters,
    /// Clear a call.
    Release {
        /// The call id (hexadecimal, as `calls` shows it).
        call: String,
    },
}

/// The daemon's configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct DaemonConfig {
    /// MGCP listening address.
    pub(crate) bind: SocketAddr,
    /// Control interface address (loopback by default).
    pub(crate) control: SocketAddr,
    /// Database file for calls and CDRs.
    pub(crate) store: Option<PathBuf>,
    /// The agent itself.
    pub(crate) agent: AgentConfig,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 2727)),
            control: SocketAddr::from(([127, 0, 0, 1], 2731)),
            store: None,
            agent: AgentConfig::default(),
        }
    }
}

fn load_config(args: &AgentArgs) -> anyhow::Result<DaemonConfig> {
    let mut cfg: DaemonConfig = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => DaemonConfig::default(),
    };
    if let Some(b) = args.bind {
        cfg.bind = b;
    }
    if let Some(c) = args.control {
        cfg.control = c;
    }
    if args.store.is_some() {
        cfg.store.clone_from(&args.store);
    }
    if args.standby {
        cfg.agent.standby = true;
    }
    if args.redirect_to.is_some() {
        cfg.agent.redirect_to.clone_from(&args.redirect_to);
    }
    Ok(cfg)
}

impl AgentArgs {
    pub(crate) fn verbose(&self) -> bool {
        self.verbose
    }
}

/// The agent plus its event log, as the node the driver runs.
pub(crate) struct AgentNode {
    pub(crate) agent: Agent,
}

impl AgentNode {
    fn drain_events(&mut self) {
        while let Some(e) = self.agent.poll_event() {
            match &e {
                AgentEvent::GatewayInService { domain } => {
                    tracing::info!(gateway = %domain, "agent: gateway {domain} in service")
                }
                AgentEvent::GatewayUnreachable { domain } => {
                    tracing::warn!(gateway = %domain, "agent: gateway {domain} unreachable")
                }
                AgentEvent::Ended(cdr) => {
                    let callee = cdr.callee.as_deref().unwrap_or("-");
                    let message = format!(
                        "agent: call {} {} -> {callee} ({}) ended: {}",
                        cdr.call_id, cdr.caller, cdr.dialled, cdr.outcome
                    );
                    if cdr.outcome == "normal" {
                        tracing::debug!(call = %cdr.call_id, endpoint = %cdr.caller, callee, outcome = %cdr.outcome, "{message}")
                    } else {
                        tracing::info!(call = %cdr.call_id, endpoint = %cdr.caller, callee, outcome = %cdr.outcome, "{message}")
                    }
                }
                other => tracing::debug!(event = ?other, "agent event"),
            }
        }
    }
}

impl Node for AgentNode {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        self.agent.handle_datagram(now, from, datagram);
        self.drain_events();
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.agent.handle_timeout(now);
        self.drain_events();
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.agent.poll_transmit()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.agent.poll_timeout()
    }
}

/// Runs the daemon until interrupted, or one admin command.
pub(crate) fn run(args: &AgentArgs) -> anyhow::Result<ExitCode> {
    if let Some(admin) = &args.admin {
        return run_admin(args, admin);
    }
    let cfg = load_config(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(cfg, args))?;
    Ok(ExitCode::SUCCESS)
}

fn open_store(path: Option<&std::path::Path>) -> anyhow::Result<Box<dyn Store + Send>> {
    Ok(match path {
        Some(p) => Box::new(
            mgcp_agent::store::RedbStore::open(p)
                .with_context(|| format!("opening the store {}", p.display()))?,
        ),
        None => Box::new(MemoryStore::new()),
    })
}

fn seed() -> u64 {
    u64::from(std::process::id())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
}

async fn serve(cfg: DaemonConfig, args: &AgentArgs) -> anyhow::Result<()> {
    let socket = mgcp_net::bind(cfg.bind).await?;
    let control = tokio::net::TcpListener::bind(cfg.control)
        .await
        .with_context(|| format!("cannot bind the control interface on {}", cfg.control))?;
    let store = open_store(cfg.store.as_deref())?;
    let recovered = store.calls().len();
    let agent = Agent::new(cfg.agent, store, seed(), Instant::now())
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    let (lines, gateways) = (agent.lines().len(), agent.gateways().len());
    let mut node = AgentNode { agent };
    let (tx, mut rx) = mpsc::channel::<Control<AgentNode>>(64);
    let mut ops = Ops::new(&args.ops, socket.local_addr()?);
    let http = ops
        .start_web(
            &args.ops,
            &tx,
            |n, _| agent_view::metrics(&n.agent),
            |n, _| agent_view::state(&n.agent),
        )
        .await?;
    crate::log!(
        "agent: MGCP on {}, control on {}, {lines} endpoints on {gateways} gateways, {recovered} calls to recover{}",
        socket.local_addr()?,
        control.local_addr()?,
        http.map(|a| format!(", HTTP on {a}")).unwrap_or_default()
    );
    tokio::spawn(accept_control(control, tx));
    let wants_tap = ops.wants_datagrams();
    let mut tap = |d, p, b: &[u8]| ops.see(d, p, b);
    let run = mgcp_net::Run {
        control: Some(&mut rx),
        tap: wants_tap.then_some(&mut tap as mgcp_net::Tap<'_>),
        ..mgcp_net::Run::default()
    };
    tokio::select! {
        r = mgcp_net::run(&mut node, &socket, run) => { r?; }
        _ = tokio::signal::ctrl_c() => crate::log!("agent: interrupted"),
    }
    if let Some(e) = node.agent.store().error() {
        crate::log!("agent: store error: {e}");
    }
    Ok(())
}

async fn accept_control(listener: tokio::net::TcpListener, tx: mpsc::Sender<Control<AgentNode>>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(control_connection(stream, tx.clone()));
    }
}

async fn control_connection(stream: tokio::net::TcpStream, tx: mpsc::Sender<Control<AgentNode>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(request) => {
                let (reply_tx, reply_rx) = oneshot::channel();
                let work: Control<AgentNode> = Box::new(move |node, now| {
                    let _ = reply_tx.send(handle_control(node, now, &request));
                });
                if tx.send(work).await.is_err() {
                    break;
                }
                reply_rx
                    .await
                    .unwrap_or_else(|_| json!({"ok": false, "error": "agent stopped"}))
            }
            Err(e) => json!({"ok": false, "error": format!("not JSON: {e}")}),
        };
        if write
            .write_all(format!("{answer}\n").as_bytes())
            .await
            .is_err()
        {
            break;
        }
    }
}

/// The calls in progress as JSON.
pub(crate) fn calls_json(agent: &Agent) -> Value {
    let mut calls: Vec<Value> = agent
        .calls()
        .map(|c| {
            let [a, b] = c.connections();
            json!({
                "call": c.call_id(),
                "caller": agent.lines()[c.caller].name,
                "callee": agent.lines()[c.callee].name,
                "dialled": c.dialled,
                "state": format!("{:?}", c.state),
                "connections": [a, b],
            })
        })
        .collect();
    calls.sort_by(|a, b| a["call"].as_str().cmp(&b["call"].as_str()));
    json!({ "calls": calls })
}

/// One control request, executed on the agent's task.
pub(crate) fn handle_control(node: &mut AgentNode, now: Instant, request: &Value) -> Value {
    let agent = &mut node.agent;
    let text = |k: &str| request[k].as_str().unwrap_or("").to_string();
    let result: Result<Value, String> = match request["cmd"].as_str() {
        Some("calls") => Ok(calls_json(agent)),
        Some("lines") => Ok(json!({
            "lines": agent.lines().iter().map(|l| json!({
                "endpoint": l.name,
                "number": l.number,
                "kind": format!("{:?}", l.kind),
                "phase": format!("{:?}", l.phase),
                "off_hook": l.off_hook,
            })).collect::<Vec<_>>()
        })),
        Some("gateways") => Ok(json!({
            "gateways": agent.gateways().iter().map(|g| json!({
                "domain": g.domain,
                "addresses": g.addresses.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "state": format!("{:?}", g.state),
            })).collect::<Vec<_>>()
        })),
        Some("cdrs") => {
            let limit = request["limit"].as_u64().unwrap_or(20) as usize;
            serde_json::to_value(agent.store().cdrs(limit))
                .map(|v| json!({ "cdrs": v }))
                .map_err(|e| e.to_string())
        }
        Some("counters") => Ok(json!({
            "counters": format!("{:?}", agent.counters()),
            "recovering": agent.recovering(),
        })),
        Some("release") => u64::from_str_radix(&text("call"), 16)
            .map_err(|_| "call needs a hexadecimal call id".to_string())
            .and_then(|id| {
                if agent.release_call(now, id) {
                    Ok(json!({}))
                } else {
                    Err("no such call".into())
                }
            }),
        Some("trunk-call") => agent
            .trunk_call(now, &text("trunk"), &text("number"))
            .map(|id| json!({ "call": format!("{id:X}") })),
        Some("trunk-release") => agent.trunk_release(now, &text("trunk")).map(|()| json!({})),
        Some(cmd) => match agent_view::admin(agent, now, cmd, request) {
            Some(result) => result,
            None => Err(format!("unknown command {cmd:?}")),
        },
        None => Err("no \"cmd\"".to_string()),
    };
    node.drain_events();
    match result {
        Ok(mut v) => {
            v["ok"] = json!(true);
            v
        }
        Err(e) => json!({"ok": false, "error": e}),
    }
}

fn run_admin(args: &AgentArgs, admin: &Admin) -> anyhow::Result<ExitCode> {
    let control = args
        .control
        .unwrap_or_else(|| DaemonConfig::default().control);
    let mut client = crate::phone::Client::connect(control)?;
    let request = match admin {
        Admin::Calls => json!({"cmd": "calls"}),
        Admin::Lines => json!({"cmd": "lines"}),
        Admin::Gateways => json!({"cmd": "gateways"}),
        Admin::Cdrs { limit } => json!({"cmd": "cdrs", "limit": limit}),
        Admin::Counters => json!({"cmd": "counters"}),
        Admin::Release { call } => json!({"cmd": "release", "call": call}),
    };
    let mut answer = client.call(request)?;
    if let Some(map) = answer.as_object_mut() {
        map.remove("ok");
    }
    match admin {
        Admin::Calls => {
            let calls = answer["calls"].as_array().cloned().unwrap_or_default();
            if calls.is_empty() {
                println!("no calls");
            }
            for c in calls {
                println!(
                    "{}  {} -> {}  dialled {}  {}",
                    c["call"].as_str().unwrap_or(""),
                    c["caller"].as_str().unwrap_or(""),
                    c["callee"].as_str().unwrap_or(""),
                    c["dialled"].as_str().unwrap_or(""),
                    c["state"].as_str().unwrap_or("")
                );
            }
        }
        Admin::Cdrs { .. } => {
            for c in answer["cdrs"].as_array().cloned().unwrap_or_default() {
                println!(
                    "{}  {} -> {}  dialled {}  {}  set-up {} ms  talk {} ms",
                    c["call_id"].as_str().unwrap_or("-"),
                    c["caller"].as_str().unwrap_or(""),
                    c["callee"].as_str().unwrap_or("-"),
                    c["dialled"].as_str().unwrap_or(""),
                    c["outcome"].as_str().unwrap_or(""),
                    c["setup_ms"].as_u64().map_or("-".into(), |v| v.to_string()),
                    c["talk_ms"].as_u64().unwrap_or(0)
                );
            }
        }
        _ => println!("{}", serde_json::to_string_pretty(&answer)?),
    }
    Ok(ExitCode::SUCCESS)
}
