//! # mgcp-net: the UDP driver
//!
//! Runs a sans-IO [`Node`] (a transaction engine wrapped by a gateway, a
//! call agent or a tool) on a tokio UDP socket: received datagrams go to
//! `handle_datagram`, timers to `handle_timeout`, and after every input the
//! node's transmits are drained to the socket. Nothing else lives here: no
//! protocol logic, no parsing.
//!
//! The loop reads every datagram already queued in the socket before
//! sending (one wake-up serves a burst), a batch per `recvmmsg` call, and
//! sends the node's answers a batch per `sendmmsg` call (`mgcp-udp`, the
//! workspace's audited `unsafe` crate); the tap still sees every datagram
//! one by one. It stops when the node's `done`
//! predicate holds, when a deadline passes, or when the shutdown signal
//! fires. Outside input (a control command, a simulated phone) reaches the
//! node through [`Control`] closures sent on a channel.

#![deny(missing_docs)]

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use std::os::fd::AsRawFd;

use mgcp_txn::{Node, Transmit};
use mgcp_udp::{RecvBatch, SendBatch};
use tokio::io::Interest;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Work for the node from outside the network: runs on the driver's task
/// with the node and the current time.
pub type Control<N> = Box<dyn FnOnce(&mut N, Instant) + Send>;

/// Largest datagram accepted (the largest UDP payload over IPv4).
pub const MAX_DATAGRAM: usize = 65_507;

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The node's `done` predicate held.
    Done,
    /// The deadline passed.
    Deadline,
    /// The control channel closed (every sender dropped).
    ControlClosed,
}

/// Which way a datagram went, for a [`Tap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Received from the peer.
    Received,
    /// Sent to the peer.
    Sent,
}

/// Sees every datagram the loop receives or sends (trace output, the live
/// view's message list), with the peer's address.
pub type Tap<'a> = &'a mut (dyn FnMut(Direction, SocketAddr, &[u8]) + Send);

/// Settings of one run.
pub struct Run<'a, N> {
    /// Stop when this holds (checked after every input).
    pub done: &'a dyn Fn(&N) -> bool,
    /// Stop at this time.
    pub deadline: Option<Instant>,
    /// Outside input; the loop stops when it closes.
    pub control: Option<&'a mut mpsc::Receiver<Control<N>>>,
    /// Sees every datagram (off when `None`).
    pub tap: Option<Tap<'a>>,
}

impl<N> Default for Run<'_, N> {
    fn default() -> Self {
        Run {
            done: &|_| false,
            deadline: None,
            control: None,
            tap: None,
        }
    }
}

/// Datagrams moved per `recvmmsg`/`sendmmsg` call.
pub const BATCH: usize = 32;

/// Most batches read per wake-up before the node's answers go out (so a
/// flood cannot delay sending forever).
const READS_PER_WAKE: usize = 8;

/// The loop's I/O state: preallocated batches both ways and the queue of
/// datagrams the node produced.
struct Io {
    recv: RecvBatch,
    send: SendBatch,
    pending: Vec<Transmit>,
}

impl Io {
    fn new() -> Io {
        Io {
            recv: RecvBatch::new(BATCH, MAX_DATAGRAM),
            send: SendBatch::new(BATCH),
            pending: Vec::with_capacity(BATCH),
        }
    }

    /// Sends every datagram the node has queued, a batch per system call;
    /// waits while the socket's send buffer is full.
    async fn flush<N: Node>(
        &mut self,
        node: &mut N,
        socket: &UdpSocket,
        tap: &mut Option<Tap<'_>>,
    ) -> io::Result<()> {
        let fd = socket.as_raw_fd();
        loop {
            self.pending.clear();
            while let Some(t) = node.poll_transmit() {
                if let Some(tap) = tap.as_mut() {
                    tap(Direction::Sent, t.destination, &t.contents);
                }
                self.pending.push(t);
                if self.pending.len() >= 16 * BATCH {
                    break;
                }
            }
            if self.pending.is_empty() {
                return Ok(());
            }
            let mut at = 0;
            while at < self.pending.len() {
                let (pending, send) = (&self.pending, &mut self.send);
                let sent = socket.try_io(Interest::WRITABLE, || {
                    let reached = send.send_until_blocked(fd, at, pending.len(), |k| {
                        (pending[k].contents.as_slice(), pending[k].destination)
                    })?;
                    // No progress: report WouldBlock so that tokio clears
                    // the readiness and `writable()` really waits.
                    if reached == at {
                        Err(io::ErrorKind::WouldBlock.into())
                    } else {
                        Ok(reached)
                    }
                });
                match sent {
                    Ok(reached) => at = reached,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => socket.writable().await?,
                    // A peer's ICMP unreachable surfaces on the next send on
                    // Linux; it is the transaction layer's job to notice
                    // silence.
                    Err(e) if is_transient(&e) => at += 1,
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// Reads what the socket holds, a batch per system call, and hands
    /// each datagram to the node (one clock reading per batch).
    fn receive<N: Node>(
        &mut self,
        node: &mut N,
        socket: &UdpSocket,
        tap: &mut Option<Tap<'_>>,
    ) -> io::Result<()> {
        let fd = socket.as_raw_fd();
        let capacity = self.recv.capacity();
        for _ in 0..READS_PER_WAKE {
            let mut got = 0;
            let read = socket.try_io(Interest::READABLE, || {
                got = self.recv.recv(fd)?;
                // A short batch means the queue was empty when the kernel
                // looked: report WouldBlock so that tokio clears the
                // readiness without a second, empty `recvmmsg`. Nothing is
                // lost: the socket is registered edge-triggered, so a
                // datagram arriving after this call raises a new event.
                if got < capacity {
                    Err(io::ErrorKind::WouldBlock.into())
                } else {
                    Ok(())
                }
            });
            let now = Instant::now();
            for k in 0..got {
                let (from, bytes) = self.recv.get(k);
                if let Some(tap) = tap.as_mut() {
                    tap(Direction::Received, from, bytes);
                }
                node.handle_datagram(now, from, bytes);
            }
            match read {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if is_transient(&e) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Sends every datagram the node has queued.
pub async fn flush<N: Node>(node: &mut N, socket: &UdpSocket) -> io::Result<()> {
    Io::new().flush(node, socket, &mut None).await
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::WouldBlock
    )
}

/// Runs `node` on `socket` until `run` says to stop.
pub async fn run<N: Node>(
    node: &mut N,
    socket: &UdpSocket,
    mut run: Run<'_, N>,
) -> io::Result<Stopped> {
    let mut io = Io::new();
    // One timer for the whole run, moved when the node's next deadline
    // changes (a fresh timer per wake-up costs a timer-wheel insertion).
    let sleep = tokio::time::sleep_until(tokio::time::Instant::now());
    tokio::pin!(sleep);
    let mut armed: Option<Instant> = None;
    loop {
        io.flush(node, socket, &mut run.tap).await?;
        if (run.done)(node) {
            return Ok(Stopped::Done);
        }
        let now = Instant::now();
        if run.deadline.is_some_and(|d| now >= d) {
            return Ok(Stopped::Deadline);
        }
        let wake = [node.poll_timeout(), run.deadline]
            .into_iter()
            .flatten()
            .min();
        if wake != armed {
            if let Some(at) = wake {
                sleep.as_mut().reset(at.into());
            }
            armed = wake;
        }
        let control = async {
            match run.control.as_mut() {
                Some(rx) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            ready = socket.readable() => {
                ready?;
                io.receive(node, socket, &mut run.tap)?;
            }
            () = &mut sleep, if armed.is_some() => {
                armed = None;
                node.handle_timeout(Instant::now());
            }
            work = control => match work {
                Some(work) => work(node, Instant::now()),
                None => return Ok(Stopped::ControlClosed),
            },
        }
    }
}

/// Runs `f` on the node's task and returns its answer (`None` when the
/// loop has stopped). This is how a web page or an admin command reads a
/// running node without sharing it.
pub async fn ask<N: 'static, T: Send + 'static>(
    control: &mpsc::Sender<Control<N>>,
    f: impl FnOnce(&mut N, Instant) -> T + Send + 'static,
) -> Option<T> {
    let (reply, answer) = tokio::sync::oneshot::channel();
    let work: Control<N> = Box::new(move |node, now| {
        let _ = reply.send(f(node, now));
    });
    control.send(work).await.ok()?;
    answer.await.ok()
}

/// Binds a UDP socket, reporting the address in the error.
pub async fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    UdpSocket::bind(addr)
        .await
        .map_err(|e| io::Error::new(e.kind(), format!("cannot bind UDP {addr}: {e}")))
}
