//! # mgcp-net: the UDP driver
//!
//! Runs a sans-IO [`Node`] (a transaction engine wrapped by a gateway, a
//! call agent or a tool) on a tokio UDP socket: received datagrams go to
//! `handle_datagram`, timers to `handle_timeout`, and after every input the
//! node's transmits are drained to the socket. Nothing else lives here: no
//! protocol logic, no parsing.
//!
//! The loop reads every datagram already queued in the socket before
//! sending (one wake-up serves a burst), and stops when the node's `done`
//! predicate holds, when a deadline passes, or when the shutdown signal
//! fires. Outside input (a control command, a simulated phone) reaches the
//! node through [`Control`] closures sent on a channel.

#![deny(missing_docs)]

use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use mgcp_txn::Node;
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

/// Sends every datagram the node has queued.
pub async fn flush<N: Node>(node: &mut N, socket: &UdpSocket) -> io::Result<()> {
    flush_tapped(node, socket, &mut None).await
}

async fn flush_tapped<N: Node>(
    node: &mut N,
    socket: &UdpSocket,
    tap: &mut Option<Tap<'_>>,
) -> io::Result<()> {
    while let Some(t) = node.poll_transmit() {
        if let Some(tap) = tap.as_mut() {
            tap(Direction::Sent, t.destination, &t.contents);
        }
        match socket.send_to(&t.contents, t.destination).await {
            Ok(_) => {}
            // A peer's ICMP unreachable surfaces on the next send on Linux;
            // it is the transaction layer's job to notice silence.
            Err(e) if is_transient(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
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
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        flush_tapped(node, socket, &mut run.tap).await?;
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
        let sleep = async {
            match wake {
                Some(at) => tokio::time::sleep_until(at.into()).await,
                None => std::future::pending().await,
            }
        };
        let control = async {
            match run.control.as_mut() {
                Some(rx) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            received = socket.recv_from(&mut buf) => {
                match received {
                    Ok((n, from)) => {
                        if let Some(tap) = run.tap.as_mut() {
                            tap(Direction::Received, from, &buf[..n]);
                        }
                        node.handle_datagram(Instant::now(), from, &buf[..n]);
                        drain_socket(node, socket, &mut buf, &mut run.tap);
                    }
                    Err(e) if is_transient(&e) => {}
                    Err(e) => return Err(e),
                }
            }
            () = sleep => node.handle_timeout(Instant::now()),
            work = control => match work {
                Some(work) => work(node, Instant::now()),
                None => return Ok(Stopped::ControlClosed),
            },
        }
    }
}

/// Reads whatever else is already queued, without waiting.
fn drain_socket<N: Node>(
    node: &mut N,
    socket: &UdpSocket,
    buf: &mut [u8],
    tap: &mut Option<Tap<'_>>,
) {
    for _ in 0..256 {
        match socket.try_recv_from(buf) {
            Ok((n, from)) => {
                if let Some(tap) = tap.as_mut() {
                    tap(Direction::Received, from, &buf[..n]);
                }
                node.handle_datagram(Instant::now(), from, &buf[..n]);
            }
            Err(_) => break,
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
