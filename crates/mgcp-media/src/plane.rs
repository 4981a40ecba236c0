//! [`RtpMedia`]: the [`MediaPlane`] the gateway engine drives. It runs on
//! the gateway's thread and does only cheap things there: takes a port
//! pair from the pool and binds its two sockets (so CRCX learns at once
//! whether media is possible), loads announcement files, and hands
//! everything else to the worker that owns the connection. Statistics are
//! read from what the worker publishes, without waiting for it.
//!
//! Also the simulated line's audio: [`RtpMedia::play_line`] plays samples
//! into a line (what the phone says), [`RtpMedia::record_line`] records
//! what the line hears.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use foldhash::{HashMap, HashMapExt};
use mgcp_gateway::media::{
    LocalMedia, MediaError, MediaEvent, MediaId, MediaPlane, MediaSpec, MediaStats, SignalTarget,
};
use serde::Deserialize;

use crate::conn::{ConnSpec, SharedStats};
use crate::engine::{Engine, EngineConfig, Target};
use crate::player::{Play, Silent};
use crate::sys;
use crate::worker::{self, Command, EventSink, WorkerHandle};

/// Media plane settings (the `[media]` table of the daemon's file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaConfig {
    /// Address the RTP sockets bind to and the SDP advertises (the
    /// daemon takes the gateway's `media_address`).
    #[serde(skip)]
    pub address: IpAddr,
    /// RTP port range (even ports for RTP, the next odd one for RTCP);
    /// `None` takes ephemeral pairs from the system (tests).
    #[serde(skip)]
    pub ports: Option<(u16, u16)>,
    /// Worker threads; 0 means one per available core.
    pub workers: usize,
    /// Follow the source of received RTP (symmetric RTP, for peers behind
    /// NAT) instead of sending only where the call agent said.
    pub symmetric_rtp: bool,
    /// Report R/rto when a receiving connection hears nothing for this
    /// long, ms (0: never).
    pub rtp_timeout_ms: u64,
    /// Mean RTCP report interval, ms (RFC 3550's minimum is 5 s).
    pub rtcp_interval_ms: u64,
    /// Most decoded audio queued per connection before the oldest is
    /// dropped, ms.
    pub playout_ms: u32,
    /// Datagrams per recvmmsg/sendmmsg call.
    pub batch: usize,
    /// Socket buffer size, bytes (0 keeps the system's default).
    pub socket_buffer: usize,
    /// Seed for SSRCs and sequence numbers (random when absent).
    pub seed: Option<u64>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            address: IpAddr::from([127, 0, 0, 1]),
            ports: Some((16384, 32767)),
            workers: 0,
            symmetric_rtp: false,
            rtp_timeout_ms: 10_000,
            rtcp_interval_ms: 5_000,
            playout_ms: 200,
            batch: 32,
            socket_buffer: 256 * 1024,
            seed: None,
        }
    }
}

/// Free port pairs, handed out oldest-freed first so that a port is not
/// reused while its old socket may still be closing (or stray packets
/// of the last call still arrive).
#[derive(Debug)]
struct PortPool {
    free: VecDeque<u16>,
}

impl PortPool {
    fn new(range: Option<(u16, u16)>) -> PortPool {
        let free = match range {
            Some((first, last)) => {
                let first = first + first % 2;
                (first..last).step_by(2).collect()
            }
            None => VecDeque::new(),
        };
        PortPool { free }
    }

    /// A bound RTP/RTCP socket pair.
    fn take(&mut self, ip: IpAddr, ephemeral: bool) -> Option<(u16, UdpSocket, UdpSocket)> {
        if ephemeral {
            return (0..64).find_map(|_| ephemeral_pair(ip));
        }
        for _ in 0..self.free.len() {
            let port = self.free.pop_front()?;
            if let Some(pair) = bind_pair(ip, port) {
                return Some((port, pair.0, pair.1));
            }
            self.free.push_back(port);
        }
        None
    }

    fn give(&mut self, port: u16, ephemeral: bool) {
        if !ephemeral {
            self.free.push_back(port);
        }
    }
}

fn bind_pair(ip: IpAddr, port: u16) -> Option<(UdpSocket, UdpSocket)> {
    let rtp = UdpSocket::bind(SocketAddr::new(ip, port)).ok()?;
    let rtcp = UdpSocket::bind(SocketAddr::new(ip, port.checked_add(1)?)).ok()?;
    Some((rtp, rtcp))
}

fn ephemeral_pair(ip: IpAddr) -> Option<(u16, UdpSocket, UdpSocket)> {
    let rtp = UdpSocket::bind(SocketAddr::new(ip, 0)).ok()?;
    let port = rtp.local_addr().ok()?.port();
    if !port.is_multiple_of(2) {
        return None;
    }
    let rtcp = UdpSocket::bind(SocketAddr::new(ip, port.checked_add(1)?)).ok()?;
    Some((port, rtp, rtcp))
}

#[derive(Debug)]
struct Open {
    worker: usize,
    port: u16,
    endpoint: usize,
    stats: Arc<SharedStats>,
}

/// The RTP media plane.
pub struct RtpMedia {
    config: MediaConfig,
    workers: Vec<WorkerHandle>,
    /// Queue the gateway's commands until [`MediaPlane::flush`] instead
    /// of waking a worker per command.
    batched: bool,
    open: HashMap<MediaId, Open>,
    ports: PortPool,
    sink: EventSink,
}

impl std::fmt::Debug for RtpMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RtpMedia")
            .field("workers", &self.workers.len())
            .field("open", &self.open.len())
            .finish()
    }
}

impl RtpMedia {
    /// Starts the workers; events go to `sink`.
    pub fn new(config: MediaConfig, sink: EventSink) -> io::Result<RtpMedia> {
        let _ = sys::raise_fd_limit();
        let count = match config.workers {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let seed = config.seed.unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                ^ u64::from(std::process::id())
        });
        let engine_config = EngineConfig {
            symmetric_rtp: config.symmetric_rtp,
            rtp_timeout: (config.rtp_timeout_ms > 0)
                .then(|| Duration::from_millis(config.rtp_timeout_ms)),
            rtcp_interval: Duration::from_millis(config.rtcp_interval_ms.max(100)),
            playout_max: (config.playout_ms.max(20) * 8) as usize,
            cname: format!("mgcp-media@{}", config.address),
        };
        let now = Instant::now();
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let workers = (0..count)
            .map(|i| {
                let engine = Engine::new(
                    engine_config.clone(),
                    seed.wrapping_add(i as u64)
                        .wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    now,
                    unix,
                );
                worker::spawn(i, engine, config.batch, Arc::clone(&sink))
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(RtpMedia {
            ports: PortPool::new(config.ports),
            config,
            workers,
            batched: false,
            open: HashMap::new(),
            sink,
        })
    }

    /// A media plane whose events are collected in a channel (tests,
    /// tools).
    pub fn with_channel(
        config: MediaConfig,
    ) -> io::Result<(RtpMedia, std::sync::mpsc::Receiver<MediaEvent>)> {
        let (tx, rx) = std::sync::mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let sink: EventSink = Arc::new(move |e| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(e);
            }
        });
        Ok((RtpMedia::new(config, sink)?, rx))
    }

    /// With `true`, the [`MediaPlane`] calls (`open`, `modify`, `close`,
    /// `signal`) queue their commands and [`MediaPlane::flush`] wakes each
    /// worker that has some, once: what a driver that drains after every
    /// input wants (the gateway flushes when its transmit queue runs dry).
    /// Off by default, so that a caller that never flushes (tests driving
    /// the plane directly) sees every command applied promptly. Calls
    /// that wait for a worker (`sync`, recordings) wake it in any case.
    pub fn set_batched(&mut self, batched: bool) {
        self.batched = batched;
        if !batched {
            self.flush();
        }
    }

    /// Hands a command of the [`MediaPlane`] calls to worker `w`.
    fn command(&mut self, w: usize, command: Command) {
        if self.batched {
            self.workers[w].queue(command);
        } else {
            self.workers[w].send(command);
        }
    }

    /// Worker threads running.
    pub fn worker_count(&self) -> usize {
        self.workers.len()
    }

    /// Connections open.
    pub fn open_count(&self) -> usize {
        self.open.len()
    }

    fn line_worker(&self, endpoint: usize) -> usize {
        endpoint % self.workers.len()
    }

    fn worker_for(&self, spec: &MediaSpec) -> usize {
        // A local connection's two ends share a worker, so audio passes
        // between them without crossing threads.
        spec.peers
            .iter()
            .filter_map(|p| self.open.get(p))
            .find(|o| o.endpoint != spec.endpoint)
            .map_or_else(|| self.line_worker(spec.endpoint), |o| o.worker)
    }

    /// Plays `samples` (8 kHz) into the line of `endpoint` — what the
    /// phone says — or stops with `None`.
    pub fn play_line(&mut self, endpoint: usize, samples: Option<Arc<[i16]>>) {
        let w = self.line_worker(endpoint);
        self.workers[w].send(Command::LineInput { endpoint, samples });
    }

    /// Starts recording what the line of `endpoint` hears (`start`), or
    /// stops and returns the recording (8 kHz samples).
    pub fn record_line(&mut self, endpoint: usize, start: bool) -> Vec<i16> {
        let w = self.line_worker(endpoint);
        let (reply, rx) = std::sync::mpsc::channel();
        self.workers[w].send(Command::LineRecord {
            endpoint,
            start,
            reply,
        });
        rx.recv_timeout(Duration::from_secs(2)).unwrap_or_default()
    }

    /// Records the next `samples` of what the line of `endpoint` hears
    /// and returns them; waits as long as that takes in real time (plus a
    /// second), returning what there is if the worker does not answer.
    pub fn record_line_for(&mut self, endpoint: usize, samples: usize) -> Vec<i16> {
        let w = self.line_worker(endpoint);
        let (reply, rx) = std::sync::mpsc::channel();
        self.workers[w].send(Command::LineRecordFor {
            endpoint,
            samples,
            reply,
        });
        let real_time = Duration::from_millis(samples as u64 / 8);
        rx.recv_timeout(real_time + Duration::from_secs(1))
            .unwrap_or_default()
    }

    /// Waits (at most two seconds) until every worker has applied every
    /// command given so far: after it, a test knows connections are open
    /// and linked before it sends media.
    pub fn sync(&self) {
        let waits: Vec<_> = self
            .workers
            .iter()
            .map(|w| {
                let (tx, rx) = std::sync::mpsc::channel();
                w.send(Command::Sync(tx));
                rx
            })
            .collect();
        for rx in waits {
            let _ = rx.recv_timeout(Duration::from_secs(2));
        }
    }

    fn report_failure(&self, target: &SignalTarget, signal: &str) {
        let endpoint = match target {
            SignalTarget::Line { endpoint } => Some(*endpoint),
            SignalTarget::Connection(id) => self.open.get(id).map(|o| o.endpoint),
        };
        if let Some(endpoint) = endpoint {
            (self.sink)(MediaEvent::SignalDone {
                endpoint,
                signal: signal.to_string(),
                ok: false,
            });
        }
    }
}

impl MediaPlane for RtpMedia {
    fn open(&mut self, id: MediaId, spec: &MediaSpec) -> Result<LocalMedia, MediaError> {
        let ephemeral = self.config.ports.is_none();
        let (port, rtp, rtcp) = self
            .ports
            .take(self.config.address, ephemeral)
            .ok_or(MediaError::NoPorts)?;
        for s in [&rtp, &rtcp] {
            if s.set_nonblocking(true).is_err() {
                self.ports.give(port, ephemeral);
                return Err(MediaError::NoPorts);
            }
            if self.config.socket_buffer > 0 {
                sys::set_buffer_sizes(s.as_raw_fd(), self.config.socket_buffer);
            }
        }
        let worker = self.worker_for(spec);
        let stats = Arc::new(SharedStats::default());
        self.command(
            worker,
            Command::Open {
                id,
                spec: ConnSpec::from_media_spec(spec),
                rtp,
                rtcp,
                shared: Arc::clone(&stats),
            },
        );
        self.open.insert(
            id,
            Open {
                worker,
                port,
                endpoint: spec.endpoint,
                stats,
            },
        );
        Ok(LocalMedia {
            address: self.config.address,
            port,
        })
    }

    fn modify(&mut self, id: MediaId, spec: &MediaSpec) -> Result<(), MediaError> {
        let worker = self.open.get(&id).ok_or(MediaError::Unsupported)?.worker;
        self.command(
            worker,
            Command::Modify {
                id,
                spec: ConnSpec::from_media_spec(spec),
            },
        );
        Ok(())
    }

    fn close(&mut self, id: MediaId) -> MediaStats {
        let Some(o) = self.open.remove(&id) else {
            return MediaStats::default();
        };
        self.command(o.worker, Command::Close { id });
        self.ports.give(o.port, self.config.ports.is_none());
        o.stats.snapshot()
    }

    fn stats(&self, id: MediaId) -> MediaStats {
        self.open
            .get(&id)
            .map(|o| o.stats.snapshot())
            .unwrap_or_default()
    }

    fn signal(&mut self, target: &SignalTarget, signal: &str, parameters: &str, on: bool) {
        let play = if on {
            match Play::load(signal, parameters) {
                Ok(p) => Some(p),
                Err(Silent::Nothing) => None,
                Err(Silent::Failed(_)) => return self.report_failure(target, signal),
            }
        } else {
            None
        };
        let (worker, target) = match target {
            SignalTarget::Line { endpoint } => {
                (self.line_worker(*endpoint), Target::Line(*endpoint))
            }
            SignalTarget::Connection(id) => match self.open.get(id) {
                Some(o) => (o.worker, Target::Connection(*id)),
                None => return,
            },
        };
        self.command(
            worker,
            Command::Signal {
                target,
                key: signal.to_string(),
                play,
                on,
            },
        );
    }

    fn flush(&mut self) {
        for w in &self.workers {
            w.wake();
        }
    }
}
