//! A worker thread: an epoll loop (`mio`) over its connections' sockets
//! that moves datagrams between the sockets and its [`Engine`], batched
//! both ways (`recvmmsg`, `sendmmsg`), and takes commands from the control
//! thread over a channel with a waker. Each connection lives on exactly
//! one worker, so the packet path takes no lock; workers share nothing
//! but the statistics the control thread reads (`SharedStats`).
//!
//! Sockets are edge-triggered: a socket is read until a call returns
//! fewer datagrams than a batch holds (Linux then signals the next
//! arrival again), so no wake-up is lost and an idle socket costs no
//! extra system call.

use std::io;
use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Instant;

use mgcp_gateway::media::{MediaEvent, MediaId};
use mio::{Events, Interest, Poll, Token, Waker};

use crate::conn::{ConnSpec, SharedStats};
use crate::engine::{Engine, Target};
use crate::outbox::{Data, MAX_PACKET};
use crate::player::Play;
use crate::sys::{RecvBatch, SendBatch};

/// Where the media plane's events go (the daemon forwards them to the
/// gateway; tests collect them).
pub type EventSink = Arc<dyn Fn(MediaEvent) + Send + Sync>;

const WAKER: Token = Token(usize::MAX);

/// Work for a worker.
pub(crate) enum Command {
    Open {
        id: MediaId,
        spec: ConnSpec,
        rtp: UdpSocket,
        rtcp: UdpSocket,
        shared: Arc<SharedStats>,
    },
    Modify {
        id: MediaId,
        spec: ConnSpec,
    },
    Close {
        id: MediaId,
    },
    Signal {
        target: Target,
        key: String,
        play: Option<Play>,
        on: bool,
    },
    LineInput {
        endpoint: usize,
        samples: Option<Arc<[i16]>>,
    },
    LineRecord {
        endpoint: usize,
        start: bool,
        reply: Sender<Vec<i16>>,
    },
    /// Records what a line hears and answers with the first `samples`
    /// once there are that many.
    LineRecordFor {
        endpoint: usize,
        samples: usize,
        reply: Sender<Vec<i16>>,
    },
    /// Answers once every earlier command has been applied.
    Sync(Sender<()>),
    Stop,
}

/// The control thread's side of a worker.
pub(crate) struct WorkerHandle {
    tx: Sender<Command>,
    waker: Arc<Waker>,
    /// Commands were queued without waking the worker (only the control
    /// thread touches it; atomic so that `send` can take `&self`).
    queued: std::sync::atomic::AtomicBool,
    thread: Option<JoinHandle<()>>,
}

impl WorkerHandle {
    /// Hands `command` to the worker and wakes it (with anything queued
    /// before).
    pub(crate) fn send(&self, command: Command) {
        if self.tx.send(command).is_ok() {
            self.queued.store(false, Ordering::Relaxed);
            let _ = self.waker.wake();
        }
    }

    /// Queues `command`; the worker sees it at the next [`Self::wake`]
    /// (or `send`). Waking costs a system call and, on an idle worker, a
    /// context switch: a batch of commands shares one.
    pub(crate) fn queue(&self, command: Command) {
        if self.tx.send(command).is_ok() {
            self.queued.store(true, Ordering::Relaxed);
        }
    }

    /// Wakes the worker if commands are queued.
    pub(crate) fn wake(&self) {
        if self.queued.swap(false, Ordering::Relaxed) {
            let _ = self.waker.wake();
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Pair {
    rtp: mio::net::UdpSocket,
    rtcp: mio::net::UdpSocket,
}

struct Worker {
    poll: Poll,
    engine: Engine,
    sockets: Vec<Option<Pair>>,
    commands: Receiver<Command>,
    recv: RecvBatch,
    send: SendBatch,
    sink: EventSink,
    /// Sockets opened by the current batch of commands, read once the
    /// batch is applied (datagrams that arrived before registration raise
    /// no edge).
    fresh: Vec<usize>,
    /// Recordings waiting to reach their length.
    recordings: Vec<(usize, usize, Sender<Vec<i16>>)>,
}

/// Starts worker `index` with `engine`.
pub(crate) fn spawn(
    index: usize,
    engine: Engine,
    batch: usize,
    sink: EventSink,
) -> io::Result<WorkerHandle> {
    let poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let (tx, rx) = mpsc::channel();
    let worker = Worker {
        poll,
        engine,
        sockets: Vec::new(),
        commands: rx,
        recv: RecvBatch::new(batch, MAX_PACKET),
        send: SendBatch::new(batch),
        sink,
        fresh: Vec::new(),
        recordings: Vec::new(),
    };
    let thread = std::thread::Builder::new()
        .name(format!("media-{index}"))
        .spawn(move || worker.run())?;
    Ok(WorkerHandle {
        tx,
        waker,
        queued: std::sync::atomic::AtomicBool::new(false),
        thread: Some(thread),
    })
}

impl Worker {
    fn run(mut self) {
        let mut events = Events::with_capacity(1024);
        let mut now = Instant::now();
        loop {
            let timeout = self.engine.poll_timeout().saturating_duration_since(now);
            if let Err(e) = self.poll.poll(&mut events, Some(timeout))
                && e.kind() != io::ErrorKind::Interrupted
            {
                return;
            }
            // One clock read per wake-up serves every datagram of it.
            now = Instant::now();
            let mut commands = false;
            for ev in events.iter() {
                match ev.token() {
                    WAKER => commands = true,
                    Token(t) => self.read(now, t),
                }
            }
            if commands && !self.run_commands() {
                return;
            }
            self.engine.handle_timeout(now);
            self.flush();
            if !self.recordings.is_empty() {
                self.finish_recordings();
            }
            while let Some(e) = self.engine.poll_event() {
                (self.sink)(e);
            }
        }
    }

    /// Reads a ready socket until it is drained.
    fn read(&mut self, now: Instant, token: usize) {
        let (slot, rtcp) = (token / 2, token % 2 == 1);
        let Some(pair) = self.sockets.get(slot).and_then(Option::as_ref) else {
            return;
        };
        let fd = if rtcp {
            pair.rtcp.as_raw_fd()
        } else {
            pair.rtp.as_raw_fd()
        };
        loop {
            let n = match self.recv.recv(fd) {
                Ok(n) => n,
                // An ICMP error from an earlier send: consumed, read on.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(_) => 0,
            };
            for k in 0..n {
                let (from, buf) = self.recv.get(k);
                self.engine.on_datagram(now, slot, rtcp, from, k, buf);
            }
            self.flush();
            if n < self.recv.capacity() {
                break;
            }
        }
    }

    /// Sends the engine's outbox, one `sendmmsg` per run of datagrams
    /// from the same socket.
    fn flush(&mut self) {
        let items = &self.engine.out.items;
        let mut i = 0;
        while i < items.len() {
            let (slot, rtcp) = (items[i].slot, items[i].rtcp);
            let mut j = i + 1;
            while j < items.len() && items[j].slot == slot && items[j].rtcp == rtcp {
                j += 1;
            }
            if let Some(pair) = self.sockets.get(slot).and_then(Option::as_ref) {
                let fd = if rtcp {
                    pair.rtcp.as_raw_fd()
                } else {
                    pair.rtp.as_raw_fd()
                };
                let (recv, out) = (&self.recv, &self.engine.out);
                let _ = self.send.send_each(fd, j - i, |k| {
                    let t = &items[i + k];
                    let bytes = match t.data {
                        Data::Received { index, len } => recv.bytes(index, len),
                        Data::Own { index, len } => out.own(index, len),
                    };
                    (bytes, t.to)
                });
            }
            i = j;
        }
        self.engine.out.clear();
    }

    /// Runs queued commands; false on `Stop`.
    fn run_commands(&mut self) -> bool {
        let now = Instant::now();
        while let Ok(c) = self.commands.try_recv() {
            match c {
                Command::Open {
                    id,
                    spec,
                    rtp,
                    rtcp,
                    shared,
                } => self.open(now, id, spec, rtp, rtcp, shared),
                Command::Modify { id, spec } => self.engine.modify(now, id, spec),
                Command::Close { id } => self.close(now, id),
                Command::Signal {
                    target,
                    key,
                    play,
                    on,
                } => self.engine.signal(now, target, &key, play, on),
                Command::LineInput { endpoint, samples } => {
                    self.engine.line_input(now, endpoint, samples)
                }
                Command::LineRecord {
                    endpoint,
                    start,
                    reply,
                } => {
                    let _ = reply.send(self.engine.line_record(now, endpoint, start));
                }
                Command::LineRecordFor {
                    endpoint,
                    samples,
                    reply,
                } => {
                    self.engine.line_record(now, endpoint, true);
                    self.recordings.push((endpoint, samples, reply));
                }
                Command::Sync(reply) => {
                    let _ = reply.send(());
                }
                Command::Stop => return false,
            }
        }
        let fresh = std::mem::take(&mut self.fresh);
        for &slot in &fresh {
            self.read(now, slot * 2);
            self.read(now, slot * 2 + 1);
        }
        self.fresh = fresh;
        self.fresh.clear();
        self.flush();
        true
    }

    fn finish_recordings(&mut self) {
        let now = Instant::now();
        let mut k = 0;
        while k < self.recordings.len() {
            let (endpoint, samples, _) = self.recordings[k];
            if self.engine.recorded(endpoint) < samples {
                k += 1;
                continue;
            }
            let (_, _, reply) = self.recordings.swap_remove(k);
            let mut v = self.engine.line_record(now, endpoint, false);
            v.truncate(samples);
            let _ = reply.send(v);
        }
    }

    fn open(
        &mut self,
        now: Instant,
        id: MediaId,
        spec: ConnSpec,
        rtp: UdpSocket,
        rtcp: UdpSocket,
        shared: Arc<SharedStats>,
    ) {
        let slot = self.engine.open(now, id, spec, shared);
        let mut pair = Pair {
            rtp: mio::net::UdpSocket::from_std(rtp),
            rtcp: mio::net::UdpSocket::from_std(rtcp),
        };
        let registry = self.poll.registry();
        let ok = registry
            .register(&mut pair.rtp, Token(slot * 2), Interest::READABLE)
            .and_then(|()| {
                registry.register(&mut pair.rtcp, Token(slot * 2 + 1), Interest::READABLE)
            });
        if ok.is_err() {
            self.engine.close(now, id);
            return;
        }
        if self.sockets.len() <= slot {
            self.sockets.resize_with(slot + 1, || None);
        }
        self.sockets[slot] = Some(pair);
        self.fresh.push(slot);
    }

    fn close(&mut self, now: Instant, id: MediaId) {
        let Some(slot) = self.engine.close(now, id) else {
            return;
        };
        if let Some(mut pair) = self.sockets.get_mut(slot).and_then(Option::take) {
            let _ = self.poll.registry().deregister(&mut pair.rtp);
            let _ = self.poll.registry().deregister(&mut pair.rtcp);
        }
    }
}
