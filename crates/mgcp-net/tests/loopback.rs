//! The driver on real loopback sockets: a call-agent-like node sends
//! commands to a gateway-like node; every command is answered once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_net::{Control, Direction, Run, Stopped, ask, bind, run};
use mgcp_proto::params::ConnectionMode;
use mgcp_proto::{Command, EndpointName, Param, Response, ReturnCode, TransactionId, Verb};
use mgcp_txn::{Config, Delivery, Destination, Engine, Node, Transmit};
use tokio::sync::mpsc;

struct Responder {
    engine: Engine,
    executed: usize,
}

impl Node for Responder {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let ids: Vec<_> = self
            .engine
            .receive(now, from, datagram)
            .into_iter()
            .filter_map(|d| match d {
                Delivery::Command { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        for id in ids {
            self.executed += 1;
            self.engine
                .respond(now, id, Response::new(ReturnCode::OK, id.transaction_id))
                .unwrap();
        }
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.engine.poll_transmit()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.engine.poll_timeout()
    }
}

struct Client {
    engine: Engine,
    to: Destination,
    left: usize,
    outstanding: usize,
    answered: usize,
}

impl Client {
    fn send_more(&mut self, now: Instant) {
        while self.outstanding < 8 && self.left > 0 {
            self.left -= 1;
            self.outstanding += 1;
            let ep = EndpointName::parse("aaln/1@gw").unwrap();
            let cmd = Command::new(Verb::Crcx, TransactionId::new(1).unwrap(), ep)
                .with(Param::CallId("1A"))
                .with(Param::ConnectionMode(ConnectionMode::RecvOnly));
            self.engine.send_command(now, &self.to, cmd).unwrap();
        }
    }
}

impl Node for Client {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        for d in self.engine.receive(now, from, datagram) {
            if let Delivery::Response { response, .. } = d {
                assert_eq!(response.code, ReturnCode::OK);
                self.answered += 1;
                self.outstanding -= 1;
            }
        }
        self.send_more(now);
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
    }
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.engine.poll_transmit()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        self.engine.poll_timeout()
    }
}

#[tokio::test]
async fn commands_cross_loopback_and_are_answered_once() {
    let gw_socket = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let ca_socket = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let gw_addr = gw_socket.local_addr().unwrap();
    let mut gw = Responder {
        engine: Engine::new(Config::default(), 1),
        executed: 0,
    };
    let mut ca = Client {
        engine: Engine::new(Config::default(), 2),
        to: Destination::from(gw_addr),
        left: 500,
        outstanding: 0,
        answered: 0,
    };
    ca.send_more(Instant::now());
    let deadline = Instant::now() + Duration::from_secs(20);
    let (stop_gw, mut gw_control) = mpsc::channel::<Control<Responder>>(1);
    let (mut tapped_in, mut tapped_out) = (0u64, 0u64);
    let mut tap = |dir: Direction, peer: SocketAddr, datagram: &[u8]| {
        assert!(!datagram.is_empty());
        assert_eq!(peer.ip(), gw_addr.ip());
        match dir {
            Direction::Received => tapped_in += 1,
            Direction::Sent => tapped_out += 1,
        }
    };
    let gw_task = async {
        run(
            &mut gw,
            &gw_socket,
            Run {
                deadline: Some(deadline),
                control: Some(&mut gw_control),
                tap: Some(&mut tap),
                ..Run::default()
            },
        )
        .await
        .unwrap()
    };
    let ca_task = async {
        let stopped = run(
            &mut ca,
            &ca_socket,
            Run {
                done: &|c: &Client| c.answered == 500,
                deadline: Some(deadline),
                ..Run::default()
            },
        )
        .await
        .unwrap();
        drop(stop_gw);
        stopped
    };
    let (gw_stopped, ca_stopped) = tokio::join!(gw_task, ca_task);
    assert_eq!(ca_stopped, Stopped::Done);
    assert_eq!(gw_stopped, Stopped::ControlClosed);
    assert_eq!(ca.answered, 500);
    assert_eq!(gw.executed, 500);
    // The tap saw exactly what the gateway's engine received and sent.
    assert_eq!(tapped_in, gw.engine.counters().datagrams_received);
    assert_eq!(tapped_out, gw.engine.counters().datagrams_sent);
    assert!(tapped_in >= 500);
    // Every response also came back through the engine's accounting.
    assert_eq!(
        ca.engine.counters().responses_received.get(ReturnCode::OK),
        500
    );
}

#[tokio::test]
async fn control_closures_reach_the_node() {
    let socket = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut node = Responder {
        engine: Engine::new(Config::default(), 1),
        executed: 0,
    };
    let (tx, mut rx) = mpsc::channel::<Control<Responder>>(4);
    tx.send(Box::new(|n: &mut Responder, _| n.executed = 42))
        .await
        .unwrap();
    drop(tx);
    let stopped = run(
        &mut node,
        &socket,
        Run {
            control: Some(&mut rx),
            ..Run::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(stopped, Stopped::ControlClosed);
    assert_eq!(node.executed, 42);
}

#[tokio::test]
async fn ask_runs_on_the_node_and_answers() {
    let socket = bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut node = Responder {
        engine: Engine::new(Config::default(), 1),
        executed: 7,
    };
    let (tx, mut rx) = mpsc::channel::<Control<Responder>>(4);
    let asker = async move {
        let seen = ask(&tx, |n: &mut Responder, _| {
            n.executed += 1;
            n.executed
        })
        .await;
        drop(tx);
        seen
    };
    let runner = run(
        &mut node,
        &socket,
        Run {
            control: Some(&mut rx),
            ..Run::default()
        },
    );
    let (seen, stopped) = tokio::join!(asker, runner);
    assert_eq!(seen, Some(8));
    assert_eq!(stopped.unwrap(), Stopped::ControlClosed);
    assert_eq!(node.executed, 8);
}

#[tokio::test]
async fn ask_after_the_loop_stopped_is_none() {
    let (tx, rx) = mpsc::channel::<Control<Responder>>(1);
    drop(rx);
    assert_eq!(ask(&tx, |n: &mut Responder, _| n.executed).await, None);
}
