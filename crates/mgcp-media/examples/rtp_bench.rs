//! RTP relay benchmark: a generator that sets calls up on a media gateway
//! over MGCP (two connections per relay endpoint, as osmo-mgw's rtpbridge
//! endpoints have them), sends RTP into one side of every call at a fixed
//! rate and counts what comes out of the other side, reading the
//! gateway's CPU time from /proc; and a bare relay (receive, send,
//! nothing else) with the same socket layout and the same batched system
//! calls, for the machine's limit. `bench/media.sh` runs them.
//!
//! ```text
//! rtp_bench bare --calls N --base PORT --to ADDR  (sends to ADDR's port + 2·(call mod 32))
//! rtp_bench gen  --calls N --rate PPS --seconds S --pid PID --label L
//!                (--mgcp ADDR --endpoint 'rtpbridge/$@mgw' | --bare-base PORT --rx-port TO)
//! ```
//!
//! The generator's summary line: forwarded packets per second, loss over
//! the whole run, the target's CPU share and forwarded packets per
//! CPU-second (CPU from utime + stime at 100 ticks per second).

#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::error::Error;
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use mgcp_media::rtp;
use mgcp_media::sys::{RecvBatch, SendBatch};
use mio::{Events, Interest, Poll, Token};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const PAYLOAD: usize = 160;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = Opts::parse(args.get(1..).unwrap_or(&[]));
    let r = match args.first().map(String::as_str) {
        Some("bare") => bare(&opts),
        Some("gen") => generate(&opts),
        _ => Err("usage: rtp_bench bare|gen --key value ... (see the file's doc)".into()),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rtp_bench: {e}");
            ExitCode::from(2)
        }
    }
}

struct Opts(HashMap<String, String>);

impl Opts {
    fn parse(args: &[String]) -> Opts {
        let mut m = HashMap::new();
        for pair in args.chunks(2) {
            if let [k, v] = pair {
                m.insert(k.trim_start_matches('-').to_string(), v.clone());
            }
        }
        Opts(m)
    }

    fn get<T: std::str::FromStr>(&self, name: &str, default: Option<T>) -> Result<T> {
        match self.0.get(name) {
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: bad value {v}").into()),
            None => default.ok_or_else(|| format!("--{name} is needed").into()),
        }
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

// ---- the bare relay ----------------------------------------------------------

/// Receives on port `base + 2i`, sends from `base + 2i + 1` to port
/// `to + 2 (i % sockets)` of `--to`'s address (the generator's receiving
/// sockets, spread as a gateway spreads them): what a relay cannot do
/// with less work.
fn bare(o: &Opts) -> Result<()> {
    let calls: usize = o.get("calls", None)?;
    let base: u16 = o.get("base", None)?;
    let to: SocketAddr = o.get("to", None)?;
    let spread: usize = o.get("sockets", Some(calls.clamp(1, 32)))?;
    let _ = mgcp_media::sys::raise_fd_limit();
    let mut poll = Poll::new()?;
    let mut pairs = Vec::with_capacity(calls);
    for i in 0..calls {
        let port = base + 2 * i as u16;
        let a = UdpSocket::bind(("127.0.0.1", port))?;
        let b = UdpSocket::bind(("127.0.0.1", port + 1))?;
        a.set_nonblocking(true)?;
        for s in [&a, &b] {
            mgcp_media::sys::set_buffer_sizes(s.as_raw_fd(), 256 * 1024);
        }
        let mut a = mio::net::UdpSocket::from_std(a);
        poll.registry()
            .register(&mut a, Token(i), Interest::READABLE)?;
        let dest = SocketAddr::new(to.ip(), to.port() + 2 * (i % spread) as u16);
        pairs.push((a, b, dest));
    }
    eprintln!("bare relay: {calls} calls from port {base}");
    let mut recv = RecvBatch::new(32, 2048);
    let mut send = SendBatch::new(32);
    let mut events = Events::with_capacity(1024);
    loop {
        poll.poll(&mut events, None)?;
        for ev in events.iter() {
            let (a, b, to) = &pairs[ev.token().0];
            loop {
                let n = recv.recv(a.as_raw_fd())?;
                let r = &recv;
                let _ = send.send_each(b.as_raw_fd(), n, |k| (r.bytes(k, r.len(k)), *to));
                if n < recv.capacity() {
                    break;
                }
            }
        }
    }
}

// ---- the generator -------------------------------------------------------------

/// An RTP socket at an even port, with its RTCP port taken too (the
/// gateway's RTCP reports land there instead of raising ICMP errors).
fn even_pair() -> Result<(UdpSocket, UdpSocket)> {
    for _ in 0..256 {
        let a = UdpSocket::bind("127.0.0.1:0")?;
        let port = a.local_addr()?.port();
        if port % 2 == 1 {
            continue;
        }
        if let Ok(b) = UdpSocket::bind(("127.0.0.1", port + 1)) {
            return Ok((a, b));
        }
    }
    Err("no even port pair".into())
}

struct Call {
    to: SocketAddr,
    packet: [u8; 12 + PAYLOAD],
    seq: u16,
    ts: u32,
}

fn generate(o: &Opts) -> Result<()> {
    let calls: usize = o.get("calls", None)?;
    let rate: f64 = o.get("rate", None)?;
    let seconds: f64 = o.get("seconds", Some(5.0))?;
    let warmup: f64 = o.get("warmup", Some(1.0))?;
    let pid: u32 = o.get("pid", None)?;
    let label = o.text("label").unwrap_or("target").to_string();
    let sockets = o.get("sockets", Some(calls.clamp(1, 32)))?;
    let _ = mgcp_media::sys::raise_fd_limit();
    let tx: Vec<(UdpSocket, UdpSocket)> =
        (0..sockets).map(|_| even_pair()).collect::<Result<_>>()?;
    let mut rx: Vec<(UdpSocket, UdpSocket)> =
        (0..sockets).map(|_| even_pair()).collect::<Result<_>>()?;
    // The bare relay sends to known addresses: `rx-port + 2k`.
    if let Ok(port) = o.get::<u16>("rx-port", None) {
        for (k, pair) in rx.iter_mut().enumerate() {
            let p = port + 2 * k as u16;
            *pair = (
                UdpSocket::bind(("127.0.0.1", p))?,
                UdpSocket::bind(("127.0.0.1", p + 1))?,
            );
        }
    }
    for (s, _) in tx.iter().chain(&rx) {
        mgcp_media::sys::set_buffer_sizes(s.as_raw_fd(), 4 << 20);
    }
    let targets = match o.get::<u16>("bare-base", None) {
        Ok(base) => (0..calls)
            .map(|i| SocketAddr::from(([127, 0, 0, 1], base + 2 * i as u16)))
            .collect(),
        Err(_) => setup_calls(o, calls, &tx, &rx)?,
    };
    let mut flows: Vec<Call> = targets
        .into_iter()
        .enumerate()
        .map(|(i, to)| {
            let mut packet = [0xFFu8; 12 + PAYLOAD];
            rtp::write_header(&mut packet, false, 0, 0, 0, i as u32 + 1);
            Call {
                to,
                packet,
                seq: 0,
                ts: 0,
            }
        })
        .collect();
    let received = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let receiver = {
        let sockets: Vec<UdpSocket> = rx
            .iter()
            .map(|(s, _)| s.try_clone())
            .collect::<std::io::Result<_>>()?;
        let (received, stop) = (Arc::clone(&received), Arc::clone(&stop));
        std::thread::spawn(move || receive(sockets, &received, &stop))
    };
    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(warmup);
    let end = measure_from + Duration::from_secs_f64(seconds);
    let mut send = SendBatch::new(64);
    let mut sent: u64 = 0;
    let mut rotation = Rotation::new(flows.len(), tx.len());
    let mut window_start: Option<(u64, u64, Instant)> = None;
    loop {
        let now = Instant::now();
        if window_start.is_none() && now >= measure_from {
            window_start = Some((received.load(Ordering::Relaxed), cpu_ticks(pid)?, now));
        }
        if now >= end {
            break;
        }
        let due = (now.duration_since(start).as_secs_f64() * rate) as u64;
        if due <= sent {
            std::thread::sleep(Duration::from_micros(200));
            continue;
        }
        let n = ((due - sent) as usize).min(4096);
        sent += send_some(&mut send, &tx, &mut flows, &mut rotation, n) as u64;
    }
    let (r0, c0, t0) = window_start.ok_or("no measurement window")?;
    let (r1, c1, t1) = (
        received.load(Ordering::Relaxed),
        cpu_ticks(pid)?,
        Instant::now(),
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let total = received.load(Ordering::Relaxed);
    let _ = receiver.join();
    let window = t1.duration_since(t0).as_secs_f64();
    let forwarded = (r1 - r0) as f64;
    let cpu = (c1 - c0) as f64 / 100.0;
    let loss = 100.0 * (sent.saturating_sub(total)) as f64 / sent.max(1) as f64;
    println!(
        "{label:<16} calls={calls} offered={:<7.0} forwarded={:<7.0} loss={loss:.2}% cpu={:.0}% per_cpu_s={:.0}",
        rate,
        forwarded / window,
        100.0 * cpu / window,
        if cpu > 0.0 { forwarded / cpu } else { 0.0 },
    );
    Ok(())
}

/// Calls grouped by the socket that sends for them (call `i` uses socket
/// `i % k`), with where each group's round robin stands.
struct Rotation {
    groups: Vec<Vec<usize>>,
    cursors: Vec<usize>,
    next: usize,
    batch: Vec<usize>,
}

impl Rotation {
    fn new(calls: usize, k: usize) -> Rotation {
        let mut groups = vec![Vec::new(); k];
        for i in 0..calls {
            groups[i % k].push(i);
        }
        groups.retain(|g: &Vec<usize>| !g.is_empty());
        Rotation {
            cursors: vec![0; groups.len()],
            groups,
            next: 0,
            batch: Vec::with_capacity(64),
        }
    }
}

/// Sends `n` packets, up to 64 per system call from one socket, the
/// sockets and their calls taken round robin.
fn send_some(
    send: &mut SendBatch,
    tx: &[(UdpSocket, UdpSocket)],
    flows: &mut [Call],
    rot: &mut Rotation,
    n: usize,
) -> usize {
    let mut done = 0;
    while done < n {
        let g = rot.next;
        rot.next = (rot.next + 1) % rot.groups.len();
        let group = &rot.groups[g];
        let want = (n - done).min(64).min(group.len());
        rot.batch.clear();
        for _ in 0..want {
            rot.batch.push(group[rot.cursors[g]]);
            rot.cursors[g] = (rot.cursors[g] + 1) % group.len();
        }
        for &c in &rot.batch {
            let f = &mut flows[c];
            f.seq = f.seq.wrapping_add(1);
            f.ts = f.ts.wrapping_add(PAYLOAD as u32);
            rtp::set_sequence(&mut f.packet, f.seq);
            rtp::set_timestamp(&mut f.packet, f.ts);
        }
        let sock = rot.batch[0] % tx.len();
        let (flows, batch): (&[Call], &[usize]) = (flows, &rot.batch);
        let _ = send.send_each(tx[sock].0.as_raw_fd(), batch.len(), |j| {
            let f = &flows[batch[j]];
            (&f.packet[..], f.to)
        });
        done += want;
    }
    done
}

fn receive(sockets: Vec<UdpSocket>, received: &AtomicU64, stop: &AtomicBool) {
    let Ok(mut poll) = Poll::new() else { return };
    let mut mio_sockets: Vec<mio::net::UdpSocket> = Vec::new();
    for (i, s) in sockets.into_iter().enumerate() {
        if s.set_nonblocking(true).is_err() {
            return;
        }
        let mut m = mio::net::UdpSocket::from_std(s);
        if poll
            .registry()
            .register(&mut m, Token(i), Interest::READABLE)
            .is_err()
        {
            return;
        }
        mio_sockets.push(m);
    }
    let mut batch = RecvBatch::new(64, 2048);
    let mut events = Events::with_capacity(256);
    while !stop.load(Ordering::Relaxed) {
        if poll
            .poll(&mut events, Some(Duration::from_millis(50)))
            .is_err()
        {
            continue;
        }
        for ev in events.iter() {
            let fd = mio_sockets[ev.token().0].as_raw_fd();
            loop {
                let n = batch.recv(fd).unwrap_or(0);
                // osmo-mgw's one-byte NAT-opening datagrams are not RTP.
                let rtp = (0..n).filter(|k| batch.len(*k) >= 12).count();
                received.fetch_add(rtp as u64, Ordering::Relaxed);
                if n < batch.capacity() {
                    break;
                }
            }
        }
    }
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let after = stat.rsplit_once(')').ok_or("bad /proc stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: u64 = fields.get(11).ok_or("bad /proc stat")?.parse()?;
    let stime: u64 = fields.get(12).ok_or("bad /proc stat")?.parse()?;
    Ok(utime + stime)
}

// ---- MGCP call set-up ------------------------------------------------------------

fn sdp(port: u16) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 0\r\na=ptime:20\r\n"
    )
}

/// Two connections per call on one relay endpoint: the first's remote is
/// the sending socket, the second's the receiving one. Returns where to
/// send each call's RTP.
fn setup_calls(
    o: &Opts,
    calls: usize,
    tx: &[(UdpSocket, UdpSocket)],
    rx: &[(UdpSocket, UdpSocket)],
) -> Result<Vec<SocketAddr>> {
    let mgcp: SocketAddr = o.get("mgcp", None)?;
    let pattern = o.text("endpoint").unwrap_or("rtpbridge/*@mgw");
    let client = UdpSocket::bind("127.0.0.1:0")?;
    client.set_read_timeout(Some(Duration::from_millis(500)))?;
    let mut tid = 1000u32;
    let mut out = Vec::with_capacity(calls);
    for i in 0..calls {
        let k = i % tx.len();
        let a_port = tx[k].0.local_addr()?.port();
        let b_port = rx[k].0.local_addr()?.port();
        let call = format!("{:x}", 0xB000_0000u32 + i as u32);
        let first = transact(
            &client,
            mgcp,
            &mut tid,
            &format!(
                "CRCX {{tid}} {pattern} MGCP 1.0\r\nC: {call}\r\nL: p:20, a:PCMU\r\nM: sendrecv\r\n\r\n{}",
                sdp(a_port)
            ),
        )?;
        let endpoint = field(&first, "Z:").unwrap_or_else(|| pattern.to_string());
        let port_a = media_port(&first).ok_or("no m= line in the CRCX answer")?;
        let second = transact(
            &client,
            mgcp,
            &mut tid,
            &format!(
                "CRCX {{tid}} {endpoint} MGCP 1.0\r\nC: {call}\r\nL: p:20, a:PCMU\r\nM: sendrecv\r\n\r\n{}",
                sdp(b_port)
            ),
        )?;
        media_port(&second).ok_or("no m= line in the second CRCX answer")?;
        out.push(SocketAddr::from(([127, 0, 0, 1], port_a)));
    }
    eprintln!("{calls} calls set up");
    Ok(out)
}

/// Sends a command (with `{tid}` replaced), retransmits, returns a 2xx
/// answer's text.
fn transact(client: &UdpSocket, to: SocketAddr, tid: &mut u32, text: &str) -> Result<String> {
    *tid += 1;
    let msg = text.replace("{tid}", &tid.to_string());
    let mut buf = [0u8; 4096];
    for _ in 0..5 {
        client.send_to(msg.as_bytes(), to)?;
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            let Ok((n, _)) = client.recv_from(&mut buf) else {
                break;
            };
            let answer = String::from_utf8_lossy(&buf[..n]).to_string();
            let mut words = answer.split_whitespace();
            let code = words.next().unwrap_or("");
            if words.next() != Some(&tid.to_string()) {
                continue;
            }
            if code.starts_with('1') {
                continue;
            }
            if code.starts_with('2') {
                return Ok(answer);
            }
            return Err(format!("{}: {}", msg.lines().next().unwrap_or(""), answer.trim()).into());
        }
    }
    Err(format!("no answer to {}", msg.lines().next().unwrap_or("")).into())
}

fn field(answer: &str, name: &str) -> Option<String> {
    answer
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .map(|v| v.trim().to_string())
}

fn media_port(answer: &str) -> Option<u16> {
    answer
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|p| p.parse().ok())
}
