//! A node for the simulated network: a transaction engine plus a tiny
//! application that executes commands (answering after a processing delay)
//! and sends commands from a script, recording everything for assertions.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_proto::{Command, EndpointName, Param, Response, ReturnCode, TransactionId, Verb};
use mgcp_txn::{Config, Delivery, Destination, Engine, Event, IncomingId, Node, Transmit};

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// What a test node did.
#[derive(Debug, Default)]
pub(crate) struct Record {
    /// Call ids of commands executed, with how many times each.
    pub(crate) executed: HashMap<String, u32>,
    /// Call id → final response code received.
    pub(crate) completed: HashMap<String, u16>,
    /// Call ids whose command timed out.
    pub(crate) failed: Vec<String>,
    /// Provisional codes received.
    pub(crate) provisionals: Vec<u16>,
    /// Events seen.
    pub(crate) events: Vec<Event>,
}

pub(crate) struct TestNode {
    pub(crate) engine: Engine,
    /// How long the application takes to answer a command.
    pub(crate) processing: Duration,
    /// The code it answers with.
    pub(crate) answer: ReturnCode,
    pending_answers: VecDeque<(Instant, IncomingId, String)>,
    /// Commands to send: (call id, destination).
    pub(crate) outbox: VecDeque<(String, Destination)>,
    /// How many of our commands may be outstanding.
    pub(crate) window: usize,
    sent: HashMap<TransactionId, String>,
    pub(crate) record: Record,
}

impl TestNode {
    pub(crate) fn new(config: Config, seed: u64) -> Self {
        TestNode {
            engine: Engine::new(config, seed),
            processing: Duration::ZERO,
            answer: ReturnCode::OK,
            pending_answers: VecDeque::new(),
            outbox: VecDeque::new(),
            window: 8,
            sent: HashMap::new(),
            record: Record::default(),
        }
    }

    /// Queues `n` CRCX commands with call ids `prefix-0`.. to `to`.
    pub(crate) fn queue_commands(&mut self, prefix: &str, n: usize, to: Destination) {
        for i in 0..n {
            self.outbox
                .push_back((format!("{prefix}{i:X}"), to.clone()));
        }
    }

    fn send_more(&mut self, now: Instant) {
        while self.sent.len() < self.window {
            let Some((call_id, dest)) = self.outbox.pop_front() else {
                break;
            };
            let ep = EndpointName::parse("aaln/1@gw.example.net").unwrap();
            let cmd = Command::new(Verb::Crcx, TransactionId::new(1).unwrap(), ep)
                .with(Param::CallId(&call_id))
                .with(Param::ConnectionMode(
                    mgcp_proto::params::ConnectionMode::RecvOnly,
                ));
            let tid = self.engine.send_command(now, &dest, cmd).unwrap();
            self.sent.insert(tid, call_id);
        }
    }

    fn answer_due(&mut self, now: Instant) {
        while let Some((at, _, _)) = self.pending_answers.front() {
            if *at > now {
                break;
            }
            let Some((_, id, _)) = self.pending_answers.pop_front() else {
                break;
            };
            let _ = self
                .engine
                .respond(now, id, Response::new(self.answer, id.transaction_id));
        }
    }

    fn drain_events(&mut self) {
        while let Some(e) = self.engine.poll_event() {
            if let Event::TimedOut { transaction_id, .. } = &e
                && let Some(call) = self.sent.remove(transaction_id)
            {
                self.record.failed.push(call);
            }
            self.record.events.push(e);
        }
    }

    /// Sends the queued commands now (call after filling the outbox).
    pub(crate) fn start(&mut self, now: Instant) {
        self.send_more(now);
    }
}

impl Node for TestNode {
    fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        let deliveries = self.engine.receive(now, from, datagram);
        let mut answers = Vec::new();
        for d in deliveries {
            match d {
                Delivery::Command { id, command, .. } => {
                    let call = command.params.call_id().unwrap_or("").to_string();
                    *self.record.executed.entry(call.clone()).or_insert(0) += 1;
                    answers.push((now + self.processing, id, call));
                }
                Delivery::Response {
                    transaction_id,
                    response,
                    ..
                } => {
                    if let Some(call) = self.sent.remove(&transaction_id) {
                        let prev = self.record.completed.insert(call, response.code.value());
                        assert!(prev.is_none(), "a command completed twice");
                    }
                }
                Delivery::Provisional { response, .. } => {
                    self.record.provisionals.push(response.code.value());
                }
                Delivery::Malformed { .. } => {}
            }
        }
        self.pending_answers.extend(answers);
        self.answer_due(now);
        self.drain_events();
        self.send_more(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.engine.handle_timeout(now);
        self.answer_due(now);
        self.drain_events();
        self.send_more(now);
    }

    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.engine.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let answer = self.pending_answers.front().map(|(at, _, _)| *at);
        match (self.engine.poll_timeout(), answer) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}
