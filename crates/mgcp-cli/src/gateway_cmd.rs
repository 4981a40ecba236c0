//! `mgcp gateway`: the media gateway daemon. The engine is `mgcp-gateway`;
//! this file loads the configuration, binds the sockets, runs the UDP
//! driver and serves the local control interface that `mgcp phone` (and
//! later the admin commands) use.
//!
//! Media is real by default (`mgcp-media`'s RTP plane, with its events fed
//! back into the gateway through the driver's control channel);
//! `--no-media` runs the control plane alone (`NullMedia`).
//!
//! Control protocol: one JSON object per line over TCP, one JSON answer
//! per line. Requests: `{"cmd":"line","endpoint":"aaln/1","event":"offhook"}`
//! (`onhook`, `flash`, `digit` with `"digit":"5"`), `{"cmd":"status",
//! "endpoint":"aaln/1"}`, `{"cmd":"endpoints"}`; line audio:
//! `{"cmd":"play","endpoint":"aaln/1","pcm":"<hex>"}` plays 8 kHz 16-bit
//! little-endian samples (hex-encoded) into the line, `"pcm":null` stops;
//! `{"cmd":"record","endpoint":"aaln/2","start":true}` starts recording
//! what the line hears and `"start":false` stops and answers with
//! `"pcm":"<hex>"`. Answers carry `"ok":true` or
//! `"ok":false,"error":"..."`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use crate::daemon_ops::{Ops, OpsArgs};
use crate::gateway_view;
use anyhow::Context;
use clap::Args;
use mgcp_gateway::media::{LocalMedia, MediaError, MediaId, MediaSpec, MediaStats, SignalTarget};
use mgcp_gateway::{
    Gateway, GatewayConfig, GatewayEvent, LineEvent, MediaEvent, MediaPlane, NullMedia,
};
use mgcp_media::{EventSink, MediaConfig, RtpMedia};
use mgcp_net::Control;
use mgcp_txn::{Node, Transmit};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::{mpsc, oneshot};

/// Arguments of `mgcp gateway`.
#[derive(Debug, Args)]
pub(crate) struct GatewayArgs {
    /// TOML configuration file (built-in defaults without one).
    #[arg(long)]
    config: Option<PathBuf>,
    /// MGCP address to listen on (overrides the file).
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Control address for `mgcp phone` (overrides the file).
    #[arg(long)]
    control: Option<SocketAddr>,
    /// Call agent address (repeat for fail-over order; overrides the file).
    #[arg(long = "call-agent")]
    call_agents: Vec<SocketAddr>,
    /// Do not send the start-up RSIP (useful against peers that do not
    /// expect one, such as `mgcp bench`).
    #[arg(long)]
    no_rsip: bool,
    /// Log every gateway event (signals, notifications, restarts) with its
    /// endpoint; the same as `MGCP_LOG=debug`.
    #[arg(long)]
    verbose: bool,
    /// Carry no media: allocate ports and advertise SDP only (the control
    /// plane alone, as before the media plane existed).
    #[arg(long)]
    no_media: bool,
    #[command(flatten)]
    ops: OpsArgs,
}

impl GatewayArgs {
    pub(crate) fn verbose(&self) -> bool {
        self.verbose
    }
}

/// The daemon's configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct DaemonConfig {
    /// MGCP listening address.
    pub(crate) bind: SocketAddr,
    /// Control interface address (loopback by default).
    pub(crate) control: SocketAddr,
    /// RTP port range.
    pub(crate) rtp_ports: (u16, u16),
    /// The gateway itself.
    pub(crate) gateway: GatewayConfig,
    /// The media plane (workers, symmetric RTP, RTP time-out, RTCP).
    pub(crate) media: MediaConfig,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 2427)),
            control: SocketAddr::from(([127, 0, 0, 1], 2430)),
            rtp_ports: (16384, 32767),
            gateway: GatewayConfig::default(),
            media: MediaConfig::default(),
        }
    }
}

pub(crate) fn load_config(args: &GatewayArgs) -> anyhow::Result<DaemonConfig> {
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
    if !args.call_agents.is_empty() {
        cfg.gateway.call_agents = args.call_agents.clone();
    }
    if args.no_rsip {
        cfg.gateway.restart.rsip_on_start = false;
    }
    Ok(cfg)
}

/// The daemon's media plane: real RTP, or none (`--no-media`).
pub(crate) enum DaemonMedia {
    /// Ports and SDP only.
    Null(NullMedia),
    /// The RTP plane.
    Rtp(RtpMedia),
}

impl DaemonMedia {
    fn rtp(&mut self) -> Result<&mut RtpMedia, String> {
        match self {
            DaemonMedia::Rtp(m) => Ok(m),
            DaemonMedia::Null(_) => Err("the gateway runs with --no-media".into()),
        }
    }
}

impl MediaPlane for DaemonMedia {
    fn open(&mut self, id: MediaId, spec: &MediaSpec) -> Result<LocalMedia, MediaError> {
        match self {
            DaemonMedia::Null(m) => m.open(id, spec),
            DaemonMedia::Rtp(m) => m.open(id, spec),
        }
    }
    fn modify(&mut self, id: MediaId, spec: &MediaSpec) -> Result<(), MediaError> {
        match self {
            DaemonMedia::Null(m) => m.modify(id, spec),
            DaemonMedia::Rtp(m) => m.modify(id, spec),
        }
    }
    fn close(&mut self, id: MediaId) -> MediaStats {
        match self {
            DaemonMedia::Null(m) => m.close(id),
            DaemonMedia::Rtp(m) => m.close(id),
        }
    }
    fn stats(&self, id: MediaId) -> MediaStats {
        match self {
            DaemonMedia::Null(m) => m.stats(id),
            DaemonMedia::Rtp(m) => m.stats(id),
        }
    }
    fn signal(&mut self, target: &SignalTarget, signal: &str, parameters: &str, on: bool) {
        match self {
            DaemonMedia::Null(m) => m.signal(target, signal, parameters, on),
            DaemonMedia::Rtp(m) => m.signal(target, signal, parameters, on),
        }
    }
    fn flush(&mut self) {
        match self {
            DaemonMedia::Null(m) => m.flush(),
            DaemonMedia::Rtp(m) => m.flush(),
        }
    }
}

/// The gateway plus its event log, as the node the driver runs.
pub(crate) struct GatewayNode {
    pub(crate) gw: Gateway<DaemonMedia>,
}

impl GatewayNode {
    fn drain_events(&mut self) {
        while let Some(e) = self.gw.poll_event() {
            match &e {
                GatewayEvent::InService => tracing::info!("gateway: in service"),
                GatewayEvent::Disconnected => {
                    tracing::warn!(
                        "gateway: call agent unreachable, disconnected procedure running"
                    )
                }
                GatewayEvent::Signal {
                    endpoint,
                    signal,
                    on,
                } => tracing::debug!(endpoint = %endpoint, signal = %signal, on, "signal"),
                GatewayEvent::Notified { endpoint, events } => {
                    tracing::debug!(endpoint = %endpoint, events = %events, "notify sent")
                }
                GatewayEvent::Swap { endpoint } => tracing::debug!(endpoint = %endpoint, "swap"),
                #[allow(unreachable_patterns)]
                other => tracing::debug!(event = ?other, "gateway event"),
            }
        }
    }
}

impl Node for GatewayNode {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        self.gw.handle_datagram(now, from, datagram);
        self.drain_events();
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.gw.handle_timeout(now);
        self.drain_events();
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.gw.poll_transmit()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.gw.poll_timeout()
    }
}

/// Runs the daemon until interrupted.
pub(crate) fn run(args: &GatewayArgs) -> anyhow::Result<ExitCode> {
    let cfg = load_config(args)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(cfg, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(mut cfg: DaemonConfig, args: &GatewayArgs) -> anyhow::Result<()> {
    let socket = mgcp_net::bind(cfg.bind).await?;
    let control = tokio::net::TcpListener::bind(cfg.control)
        .await
        .with_context(|| format!("cannot bind the control interface on {}", cfg.control))?;
    let (media_tx, media_rx) = mpsc::unbounded_channel::<MediaEvent>();
    let media = if args.no_media {
        DaemonMedia::Null(NullMedia::new(
            cfg.gateway.media_address,
            cfg.rtp_ports.0,
            cfg.rtp_ports.1,
        ))
    } else {
        cfg.media.address = cfg.gateway.media_address;
        cfg.media.ports = Some(cfg.rtp_ports);
        // Workers call this from their threads; the gateway hears about
        // it through the driver's control channel (below).
        let sink: EventSink = std::sync::Arc::new(move |e| {
            let _ = media_tx.send(e);
        });
        let mut rtp = RtpMedia::new(cfg.media.clone(), sink).context("starting the media plane")?;
        // The gateway runs under the UDP driver, which drains after every
        // input: commands for the workers can wait for `flush`.
        rtp.set_batched(true);
        DaemonMedia::Rtp(rtp)
    };
    let seed = u64::from(std::process::id())
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
    let mut gw = Gateway::new(cfg.gateway, media, seed, Instant::now())
        .map_err(|e| anyhow::anyhow!("configuration: {e}"))?;
    gw.set_resolver(Box::new(|host, port| {
        use std::net::ToSocketAddrs;
        (host, port)
            .to_socket_addrs()
            .map(Iterator::collect)
            .unwrap_or_default()
    }));
    let endpoints = gw.endpoints().len();
    let mut node = GatewayNode { gw };
    let (tx, mut rx) = mpsc::channel::<Control<GatewayNode>>(64);
    let mut ops = Ops::new(&args.ops, socket.local_addr()?);
    let http = ops
        .start_web(
            &args.ops,
            &tx,
            |n, _| gateway_view::metrics(&n.gw),
            |n, _| gateway_view::state(&n.gw),
        )
        .await?;
    crate::log!(
        "gateway: MGCP on {}, control on {}, {endpoints} endpoints{}",
        socket.local_addr()?,
        control.local_addr()?,
        http.map(|a| format!(", HTTP on {a}")).unwrap_or_default()
    );
    tokio::spawn(forward_media_events(media_rx, tx.clone()));
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
        _ = tokio::signal::ctrl_c() => crate::log!("gateway: interrupted"),
    }
    Ok(())
}

/// Feeds the media plane's events (digits, media start, RTP time-out,
/// announcements done) into the gateway on the driver's task.
async fn forward_media_events(
    mut events: mpsc::UnboundedReceiver<MediaEvent>,
    tx: mpsc::Sender<Control<GatewayNode>>,
) {
    while let Some(e) = events.recv().await {
        let work: Control<GatewayNode> = Box::new(move |node, now| {
            node.gw.media_event(now, e);
            node.drain_events();
        });
        if tx.send(work).await.is_err() {
            break;
        }
    }
}

async fn accept_control(listener: tokio::net::TcpListener, tx: mpsc::Sender<Control<GatewayNode>>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(control_connection(stream, tx.clone()));
    }
}

async fn control_connection(stream: tokio::net::TcpStream, tx: mpsc::Sender<Control<GatewayNode>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let answer = match serde_json::from_str::<Value>(&line) {
            Ok(request) => {
                let (reply_tx, reply_rx) = oneshot::channel();
                let work: Control<GatewayNode> = Box::new(move |node, now| {
                    let _ = reply_tx.send(handle_control(node, now, &request));
                });
                if tx.send(work).await.is_err() {
                    break;
                }
                reply_rx
                    .await
                    .unwrap_or_else(|_| json!({"ok": false, "error": "gateway stopped"}))
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

/// One control request, executed on the gateway's task.
pub(crate) fn handle_control(node: &mut GatewayNode, now: Instant, request: &Value) -> Value {
    let endpoint = request["endpoint"].as_str().unwrap_or("");
    let gw = &mut node.gw;
    let result = match request["cmd"].as_str() {
        Some("line") => {
            let event = match request["event"].as_str() {
                Some("offhook") => Ok(LineEvent::OffHook),
                Some("onhook") => Ok(LineEvent::OnHook),
                Some("flash") => Ok(LineEvent::Flash),
                Some("digit") => request["digit"]
                    .as_str()
                    .and_then(|d| d.chars().next())
                    .map(LineEvent::Digit)
                    .ok_or_else(|| "digit needs \"digit\"".to_string()),
                other => Err(format!("unknown line event {other:?}")),
            };
            event.and_then(|e| gw.line_event(now, endpoint, e).map_err(|e| e.to_string())).map(|()| json!({}))
        }
        Some("status") => gw
            .line_status(endpoint)
            .map(|s| {
                json!({
                    "hook": if s.hook == mgcp_gateway::Hook::Off { "off" } else { "on" },
                    "signals": s.signals,
                    "connections": s.connections.iter().map(|(id, mode, port)| json!({"id": id, "mode": mode, "port": port})).collect::<Vec<_>>(),
                    "service": format!("{:?}", s.service),
                })
            })
            .ok_or_else(|| "no such endpoint".to_string()),
        Some("play") => line_play(gw, endpoint, &request["pcm"]),
        Some("record") => line_record(gw, endpoint, request["start"].as_bool().unwrap_or(false)),
        Some("endpoints") => Ok(json!({
            "endpoints": gw.endpoints().iter().map(|e| json!({"name": &*e.name, "kind": format!("{:?}", e.kind), "connections": e.connections.len()})).collect::<Vec<_>>()
        })),
        Some(cmd) => match gateway_view::admin(gw, now, cmd, request) {
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

fn line_index(gw: &Gateway<DaemonMedia>, endpoint: &str) -> Result<usize, String> {
    let i = gw
        .endpoint_index(endpoint)
        .ok_or_else(|| "no such endpoint".to_string())?;
    if !gw.endpoints()[i].kind.has_line() {
        return Err("this endpoint has no line side".into());
    }
    Ok(i)
}

/// `play`: samples into the line (what the phone says).
fn line_play(gw: &mut Gateway<DaemonMedia>, endpoint: &str, pcm: &Value) -> Result<Value, String> {
    let i = line_index(gw, endpoint)?;
    let samples = match pcm {
        Value::Null => None,
        Value::String(hex) => Some(pcm_from_hex(hex)?),
        _ => return Err("\"pcm\" must be a hex string or null".into()),
    };
    let seconds = samples.as_ref().map_or(0.0, |s| s.len() as f64 / 8000.0);
    gw.media_mut().rtp()?.play_line(i, samples.map(Into::into));
    Ok(json!({ "seconds": seconds }))
}

/// `record`: start, or stop and hand over what the line heard.
fn line_record(
    gw: &mut Gateway<DaemonMedia>,
    endpoint: &str,
    start: bool,
) -> Result<Value, String> {
    let i = line_index(gw, endpoint)?;
    let samples = gw.media_mut().rtp()?.record_line(i, start);
    if start {
        return Ok(json!({}));
    }
    Ok(json!({ "samples": samples.len(), "pcm": pcm_to_hex(&samples) }))
}

/// 16-bit little-endian samples as hex (the control protocol's audio).
pub(crate) fn pcm_to_hex(samples: &[i16]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(samples.len() * 4);
    for x in samples {
        for b in x.to_le_bytes() {
            let _ = write!(s, "{b:02x}");
        }
    }
    s
}

/// The inverse of [`pcm_to_hex`].
pub(crate) fn pcm_from_hex(hex: &str) -> Result<Vec<i16>, String> {
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return Err("pcm: hex of 16-bit samples expected".into());
    }
    let digit = |c: u8| {
        (c as char)
            .to_digit(16)
            .ok_or_else(|| "pcm: not hex".to_string())
    };
    bytes
        .chunks_exact(4)
        .map(|c| {
            let lo = digit(c[0])? * 16 + digit(c[1])?;
            let hi = digit(c[2])? * 16 + digit(c[3])?;
            Ok(i16::from_le_bytes([lo as u8, hi as u8]))
        })
        .collect()
}
