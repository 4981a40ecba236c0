//! `mgcp demo`: a call agent and a gateway with analog lines on loopback
//! UDP sockets, one call from line 1 to line 2 through the whole flow
//! (off-hook, dial tone, digits, connections, ringing, answer, hang-up,
//! deletion), then a ladder diagram of every MGCP datagram and a summary.
//!
//! Both engines run in this process on one tokio thread, each on its own
//! socket through the same UDP driver the daemons use; the script below
//! plays the two people, reaching the nodes through the driver's control
//! channel. The gateway carries real RTP (`mgcp-media`): while the call is
//! up the two lines' audio flows between the two connections, and the
//! DeleteConnection statistics in the summary count those packets.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use mgcp_agent::{Agent, AgentConfig, CallState, MemoryStore, Phase};
use mgcp_gateway::config::{EndpointGroup, EndpointKind};
use mgcp_gateway::{Gateway, GatewayConfig, LineEvent, MediaEvent, MediaPlane};
use mgcp_media::{EventSink, MediaConfig, RtpMedia};
use mgcp_net::Control;
use mgcp_txn::{Node, Transmit};
use tokio::sync::{mpsc, oneshot};

/// Arguments of `mgcp demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Analog lines on the gateway (numbers 1001, 1002, …); the call goes
    /// from the first to the second.
    #[arg(long, default_value_t = 2)]
    lines: u32,
    /// How long the call stays up after the answer, ms.
    #[arg(long, default_value_t = 1000)]
    talk_ms: u64,
    /// Print only the summary, not the ladder.
    #[arg(long)]
    quiet: bool,
}

const DOMAIN: &str = "gw.example.net";

/// The gateway's media plane: RTP on ephemeral loopback ports (so the demo
/// runs beside a gateway daemon), one worker. Its events (media start,
/// digits, time-outs) arrive on the returned channel.
fn demo_media(address: IpAddr) -> anyhow::Result<(RtpMedia, mpsc::UnboundedReceiver<MediaEvent>)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let sink: EventSink = Arc::new(move |e| {
        let _ = tx.send(e);
    });
    let config = MediaConfig {
        address,
        ports: None,
        workers: 1,
        ..MediaConfig::default()
    };
    let media = RtpMedia::new(config, sink).context("starting the media plane")?;
    Ok((media, rx))
}

/// Hands media events to the gateway on its task. Holds only a weak
/// sender, so the gateway's run loop still stops when the script drops
/// its sender.
async fn forward_media_events<M: MediaPlane + 'static>(
    mut events: mpsc::UnboundedReceiver<MediaEvent>,
    gateway: mpsc::WeakSender<Control<Traced<Gateway<M>>>>,
) {
    while let Some(e) = events.recv().await {
        let Some(tx) = gateway.upgrade() else {
            break;
        };
        let work: Control<Traced<Gateway<M>>> = Box::new(move |g, now| g.inner.media_event(now, e));
        if tx.send(work).await.is_err() {
            break;
        }
    }
}

/// One datagram of the ladder.
struct Entry {
    at: Instant,
    from_agent: bool,
    text: String,
}

/// A node whose sent datagrams are recorded for the ladder.
struct Traced<N> {
    inner: N,
    from_agent: bool,
    log: Arc<Mutex<Vec<Entry>>>,
}

impl<N: Node> Node for Traced<N> {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        self.inner.handle_datagram(now, from, datagram);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.inner.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        let t = self.inner.poll_transmit()?;
        if let Ok(mut log) = self.log.lock() {
            log.push(Entry {
                at: Instant::now(),
                from_agent: self.from_agent,
                text: String::from_utf8_lossy(&t.contents).into_owned(),
            });
        }
        Some(t)
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.inner.poll_timeout()
    }
}

/// Runs the demo.
pub(crate) fn run(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    if args.lines < 2 {
        bail!("the demo needs at least two lines");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(demo(args))
}

/// The agent knows the gateway's domain and lines; it learns the
/// gateway's address from its RestartInProgress, as a call agent does for
/// gateways that register themselves.
fn agent_config(lines: u32) -> AgentConfig {
    AgentConfig {
        name: "demo-agent".into(),
        gateways: vec![mgcp_agent::config::GatewayEntry {
            domain: DOMAIN.into(),
            addresses: vec![],
        }],
        lines: (1..=lines)
            .map(|n| mgcp_agent::config::LineEntry {
                number: format!("{}", 1000 + n),
                endpoint: format!("aaln/{n}@{DOMAIN}"),
                call_waiting: true,
            })
            .collect(),
        trunk_groups: vec![],
        routes: vec![],
        ..AgentConfig::default()
    }
}

fn gateway_config(lines: u32, agent: SocketAddr) -> GatewayConfig {
    let mut cfg = GatewayConfig {
        domain: DOMAIN.into(),
        call_agents: vec![agent],
        endpoints: vec![EndpointGroup {
            kind: EndpointKind::Line,
            name: "aaln/{n}".into(),
            count: lines,
            start: 1,
            max_connections: None,
        }],
        ..GatewayConfig::default()
    };
    cfg.restart.max_waiting_delay_ms = 0;
    cfg
}

type AgentNode = Traced<Agent>;

async fn demo(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let loopback = IpAddr::from([127, 0, 0, 1]);
    let agent_socket = mgcp_net::bind(SocketAddr::new(loopback, 0)).await?;
    let gateway_socket = mgcp_net::bind(SocketAddr::new(loopback, 0)).await?;
    let (agent_addr, gateway_addr) = (agent_socket.local_addr()?, gateway_socket.local_addr()?);
    let log = Arc::new(Mutex::new(Vec::new()));
    let now = Instant::now();
    let agent = Agent::new(
        agent_config(args.lines),
        Box::new(MemoryStore::new()),
        1,
        now,
    )
    .map_err(|e| anyhow::anyhow!("agent: {e}"))?;
    let (media, media_events) = demo_media(loopback)?;
    let gateway = Gateway::new(gateway_config(args.lines, agent_addr), media, 2, now)
        .map_err(|e| anyhow::anyhow!("gateway: {e}"))?;
    let mut agent_node = Traced {
        inner: agent,
        from_agent: true,
        log: Arc::clone(&log),
    };
    let mut gateway_node = Traced {
        inner: gateway,
        from_agent: false,
        log: Arc::clone(&log),
    };
    let (agent_tx, mut agent_rx) = mpsc::channel::<Control<AgentNode>>(16);
    let (gateway_tx, mut gateway_rx) = mpsc::channel(16);
    let agent_run = mgcp_net::run(
        &mut agent_node,
        &agent_socket,
        mgcp_net::Run {
            control: Some(&mut agent_rx),
            ..mgcp_net::Run::default()
        },
    );
    let gateway_run = mgcp_net::run(
        &mut gateway_node,
        &gateway_socket,
        mgcp_net::Run {
            control: Some(&mut gateway_rx),
            ..mgcp_net::Run::default()
        },
    );
    let weak_gateway = gateway_tx.downgrade();
    let script = async move {
        // The forwarder ends with the script (it is dropped here).
        let result = tokio::select! {
            r = call_script(&agent_tx, &gateway_tx, args.talk_ms) => r,
            () = forward_media_events(media_events, weak_gateway) => {
                Err(anyhow::anyhow!("the media plane stopped"))
            }
        };
        drop(agent_tx);
        drop(gateway_tx);
        result
    };
    let (a, g, marks) = tokio::join!(agent_run, gateway_run, script);
    a?;
    g?;
    let marks = marks?;
    let entries = std::mem::take(&mut *log.lock().map_err(|_| anyhow::anyhow!("log"))?);
    if !args.quiet {
        print_ladder(&entries, agent_addr, gateway_addr);
    }
    print_summary(&marks, &entries, &agent_node.inner);
    Ok(ExitCode::SUCCESS)
}

/// Times of the steps of the call, and the call's record.
struct Marks {
    start: Instant,
    off_hook: Instant,
    dial_tone: Instant,
    dialled: Instant,
    ringing: Instant,
    answered: Instant,
    connected: Instant,
    hung_up: Instant,
    released: Instant,
    idle: Instant,
}

/// Runs `f` on a node's task and returns what it returns.
async fn ask<N: 'static, T: Send + 'static>(
    tx: &mpsc::Sender<Control<N>>,
    f: impl FnOnce(&mut N, Instant) -> T + Send + 'static,
) -> anyhow::Result<T> {
    let (reply_tx, reply_rx) = oneshot::channel();
    let work: Control<N> = Box::new(move |node, now| {
        let _ = reply_tx.send(f(node, now));
    });
    tx.send(work)
        .await
        .map_err(|_| anyhow::anyhow!("node stopped"))?;
    reply_rx.await.context("node stopped")
}

/// Waits until `check` holds on the node, at most `limit`.
async fn wait_for<N: 'static>(
    tx: &mpsc::Sender<Control<N>>,
    what: &str,
    limit: Duration,
    check: impl Fn(&mut N) -> bool + Send + Sync + Clone + 'static,
) -> anyhow::Result<Instant> {
    let end = Instant::now() + limit;
    loop {
        let c = check.clone();
        if ask(tx, move |n, _| c(n)).await? {
            return Ok(Instant::now());
        }
        if Instant::now() >= end {
            bail!("the demo did not see {what} within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn hears<M: MediaPlane>(gw: &Gateway<M>, ep: &str, signal: &str) -> bool {
    gw.line_status(ep)
        .is_some_and(|s| s.signals.iter().any(|x| x.eq_ignore_ascii_case(signal)))
}

async fn line<M: MediaPlane + 'static>(
    tx: &mpsc::Sender<Control<Traced<Gateway<M>>>>,
    ep: &'static str,
    event: LineEvent,
) -> anyhow::Result<Instant> {
    ask(tx, move |g, now| g.inner.line_event(now, ep, event))
        .await?
        .map_err(|e| anyhow::anyhow!("{ep}: {e}"))?;
    Ok(Instant::now())
}

async fn call_script<M: MediaPlane + 'static>(
    agent: &mpsc::Sender<Control<AgentNode>>,
    gateway: &mpsc::Sender<Control<Traced<Gateway<M>>>>,
    talk_ms: u64,
) -> anyhow::Result<Marks> {
    let start = Instant::now();
    let limit = Duration::from_secs(10);
    wait_for(agent, "the lines idle", limit, |a: &mut AgentNode| {
        a.inner.lines().iter().all(|l| l.phase == Phase::Idle)
    })
    .await?;
    let off_hook = line(gateway, "aaln/1", LineEvent::OffHook).await?;
    let dial_tone = wait_for(gateway, "dial tone", limit, |g: &mut Traced<Gateway<M>>| {
        hears(&g.inner, "aaln/1", "L/dl")
    })
    .await?;
    let mut dialled = dial_tone;
    for d in "1002".chars() {
        tokio::time::sleep(Duration::from_millis(60)).await;
        dialled = line(gateway, "aaln/1", LineEvent::Digit(d)).await?;
    }
    let ringing = wait_for(gateway, "ringing", limit, |g: &mut Traced<Gateway<M>>| {
        hears(&g.inner, "aaln/2", "L/rg")
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answered = line(gateway, "aaln/2", LineEvent::OffHook).await?;
    let connected = wait_for(gateway, "both ways", limit, |g: &mut Traced<Gateway<M>>| {
        ["aaln/1", "aaln/2"].iter().all(|ep| {
            g.inner
                .line_status(ep)
                .is_some_and(|s| s.connections.len() == 1 && s.connections[0].1 == "sendrecv")
        })
    })
    .await?;
    wait_for(agent, "the answer", limit, |a: &mut AgentNode| {
        a.inner.calls().any(|c| c.state == CallState::Active)
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(talk_ms)).await;
    let hung_up = line(gateway, "aaln/1", LineEvent::OnHook).await?;
    let released = wait_for(agent, "the call cleared", limit, |a: &mut AgentNode| {
        a.inner.calls().next().is_none()
    })
    .await?;
    wait_for(
        gateway,
        "reorder tone",
        limit,
        |g: &mut Traced<Gateway<M>>| {
            hears(&g.inner, "aaln/2", "L/ro") && g.inner.connection_count() == 0
        },
    )
    .await?;
    line(gateway, "aaln/2", LineEvent::OnHook).await?;
    let idle = wait_for(agent, "the lines idle again", limit, |a: &mut AgentNode| {
        a.inner.lines().iter().all(|l| l.phase == Phase::Idle)
    })
    .await?;
    // The last request's response.
    tokio::time::sleep(Duration::from_millis(20)).await;
    Ok(Marks {
        start,
        off_hook,
        dial_tone,
        dialled,
        ringing,
        answered,
        connected,
        hung_up,
        released,
        idle,
    })
}

// ---- output ---------------------------------------------------------------

const WIDTH: usize = 66;

/// Parameter lines worth showing under a message's first line.
const SHOWN: &[&str] = &[
    "RM", "X", "R", "S", "D", "O", "C", "I", "M", "L", "F", "P", "N", "ES", "Z",
];

fn print_ladder(entries: &[Entry], agent: SocketAddr, gateway: SocketAddr) {
    let Some(t0) = entries.first().map(|e| e.at) else {
        return;
    };
    let left = format!("call agent {agent}");
    let right = format!("gateway {DOMAIN} {gateway}");
    println!(
        "  t (ms)  {left:<w$}{right}",
        w = WIDTH + 2 - right.len().min(WIDTH)
    );
    for e in entries {
        let ms = e.at.saturating_duration_since(t0).as_secs_f64() * 1000.0;
        for (i, message) in e.text.split("\r\n.\r\n").enumerate() {
            let (first, params, sdp) = digest(message);
            let t = if i == 0 {
                format!("{ms:8.1}")
            } else {
                " ".repeat(8)
            };
            println!("{t}  {}", arrow(&first, e.from_agent));
            for p in wrap(&params, WIDTH - 4) {
                println!("{}  |  {p:<w$}|", " ".repeat(8), w = WIDTH - 3);
            }
            if sdp {
                let note = "+ session description (SDP)";
                println!("{}  |  {note:<w$}|", " ".repeat(8), w = WIDTH - 3);
            }
        }
    }
    println!();
}

/// First line, selected parameters, and whether an SDP follows.
fn digest(message: &str) -> (String, String, bool) {
    let mut lines = message.split("\r\n").map(str::trim_end);
    let first = lines.next().unwrap_or("").to_string();
    let mut params = Vec::new();
    let mut sdp = false;
    for l in lines.by_ref() {
        if l.is_empty() {
            sdp = true;
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && SHOWN.iter().any(|s| s.eq_ignore_ascii_case(k.trim()))
        {
            params.push(format!("{}: {}", k.trim(), v.trim()));
        }
    }
    let sdp = sdp && lines.any(|l| l.starts_with("v="));
    (first, params.join("  "), sdp)
}

fn arrow(label: &str, from_agent: bool) -> String {
    let label: String = label.chars().take(WIDTH - 10).collect();
    let dashes = WIDTH - 6 - label.chars().count();
    if from_agent {
        format!("|-- {label} {}>|", "-".repeat(dashes))
    } else {
        format!("|<{} {label} --|", "-".repeat(dashes))
    }
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in text.split("  ") {
        if !cur.is_empty() && cur.len() + 2 + word.len() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push_str("  ");
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out.into_iter()
        .map(|l| l.chars().take(width).collect())
        .collect()
}

fn ms(a: Instant, b: Instant) -> String {
    format!(
        "{:.2} ms",
        b.saturating_duration_since(a).as_secs_f64() * 1000.0
    )
}

/// Sums `PS=` (packets sent) and `PR=` (received) of `P:` values.
fn packets(stats: &[String]) -> (u64, u64) {
    let get = |s: &str, key: &str| -> u64 {
        s.split(',')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0)
    };
    stats
        .iter()
        .fold((0, 0), |(s, r), p| (s + get(p, "PS"), r + get(p, "PR")))
}

fn print_summary(m: &Marks, entries: &[Entry], agent: &Agent) {
    let cdrs = agent.store().cdrs(10);
    let by_agent = entries.iter().filter(|e| e.from_agent).count();
    let by_gateway = entries.len() - by_agent;
    let retransmissions = agent.engine().counters().retransmissions_sent;
    println!("Summary");
    if let Some(cdr) = cdrs.last() {
        println!(
            "  call {}: {} -> {} (dialled {}), outcome {}",
            cdr.call_id,
            cdr.caller,
            cdr.callee.as_deref().unwrap_or("-"),
            cdr.dialled,
            cdr.outcome
        );
        println!("  talk time: {} ms", cdr.talk_ms);
        for (who, p) in ["caller", "callee"].iter().zip(&cdr.stats) {
            println!("  DLCX statistics, {who}: {p}");
        }
        let (sent, received) = packets(&cdr.stats);
        println!(
            "  media packets carried: {sent} sent, {received} received (from the DLCX statistics)"
        );
    }
    println!("  off-hook to dial tone: {}", ms(m.off_hook, m.dial_tone));
    println!(
        "  call set-up, last digit to ringing: {}",
        ms(m.dialled, m.ringing)
    );
    println!(
        "  answer to both ways connected: {}",
        ms(m.answered, m.connected)
    );
    println!(
        "  hang-up to connections deleted: {}",
        ms(m.hung_up, m.released)
    );
    println!(
        "  whole demo: {} ({} MGCP datagrams: {by_agent} from the agent, {by_gateway} from the gateway; {retransmissions} retransmissions)",
        ms(m.start, m.idle),
        entries.len()
    );
}
