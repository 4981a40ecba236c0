//! A scripted call agent driving one gateway without sockets: commands go
//! in as text, responses and the gateway's own commands come out as text.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mgcp_gateway::{Gateway, GatewayConfig, NullMedia};
use mgcp_txn::Node;

pub(crate) const CA: &str = "10.0.0.1:2727";

pub(crate) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(crate) struct Harness {
    pub(crate) gw: Gateway<NullMedia>,
    pub(crate) now: Instant,
    pub(crate) next_tid: u32,
    /// Datagrams the gateway sent that were not yet read: (to, text).
    pub(crate) sent: Vec<(SocketAddr, String)>,
}

impl Harness {
    /// A gateway with the default endpoints whose start-up RSIP was
    /// answered 200, so it is in service.
    pub(crate) fn new() -> Self {
        let mut h = Self::starting(GatewayConfig {
            call_agents: vec![addr(CA)],
            ..GatewayConfig::default()
        });
        h.advance(Duration::from_secs(3));
        let rsip = h.take_command("RSIP");
        h.answer(&rsip, "200");
        assert!(h.gw.in_service());
        h.sent.clear();
        h
    }

    /// A gateway just started with `config` (RSIP not yet sent).
    pub(crate) fn starting(config: GatewayConfig) -> Self {
        let now = Instant::now();
        let gw = Gateway::new(
            config,
            NullMedia::new([127, 0, 0, 1].into(), 16384, 32767),
            7,
            now,
        )
        .unwrap();
        Harness {
            gw,
            now,
            next_tid: 1000,
            sent: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(t) = self.gw.poll_transmit() {
            self.sent
                .push((t.destination, String::from_utf8(t.contents).unwrap()));
        }
    }

    /// Moves time on, running the gateway's timers.
    pub(crate) fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        for _ in 0..100_000 {
            match self.gw.poll_timeout() {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    self.gw.handle_timeout(self.now);
                    self.drain();
                }
                _ => break,
            }
        }
        self.now = end;
        self.gw.handle_timeout(self.now);
        self.drain();
    }

    /// Sends a command from the call agent; `{tid}` in the text is
    /// replaced by a fresh transaction id. Returns the response.
    pub(crate) fn cmd(&mut self, text: &str) -> String {
        self.cmd_from(CA, text)
    }

    pub(crate) fn cmd_from(&mut self, from: &str, text: &str) -> String {
        self.next_tid += 1;
        let tid = self.next_tid.to_string();
        let text = text.replace("{tid}", &tid).replace('\n', "\r\n");
        self.gw
            .handle_datagram(self.now, addr(from), text.as_bytes());
        self.drain();
        let pos = self
            .sent
            .iter()
            .position(|(_, t)| {
                t.split_whitespace().nth(1) == Some(&tid) && t.as_bytes()[0].is_ascii_digit()
            })
            .unwrap_or_else(|| panic!("no response to {text}; sent: {:?}", self.sent));
        self.sent.remove(pos).1
    }

    /// The first command the gateway sent with this verb (removed).
    pub(crate) fn take_command(&mut self, verb: &str) -> String {
        self.drain();
        let pos = self
            .sent
            .iter()
            .position(|(_, t)| t.starts_with(verb))
            .unwrap_or_else(|| panic!("no {verb} sent; sent: {:?}", self.sent));
        self.sent.remove(pos).1
    }

    /// Commands the gateway sent with this verb (removed).
    pub(crate) fn take_all(&mut self, verb: &str) -> Vec<String> {
        self.drain();
        let (hit, keep): (Vec<_>, Vec<_>) =
            self.sent.drain(..).partition(|(_, t)| t.starts_with(verb));
        self.sent = keep;
        hit.into_iter().map(|(_, t)| t).collect()
    }

    /// Answers a command the gateway sent.
    pub(crate) fn answer(&mut self, command: &str, code_and_params: &str) {
        let tid = command.split_whitespace().nth(1).unwrap();
        let mut parts = code_and_params.splitn(2, '\n');
        let code = parts.next().unwrap();
        let rest = parts.next().unwrap_or("");
        let text = format!("{code} {tid} OK\r\n{}", rest.replace('\n', "\r\n"));
        self.gw.handle_datagram(self.now, addr(CA), text.as_bytes());
        self.drain();
    }

    pub(crate) fn line(&mut self, endpoint: &str, event: mgcp_gateway::LineEvent) {
        self.gw.line_event(self.now, endpoint, event).unwrap();
        self.drain();
    }

    /// Takes the line off hook and answers the Notify of the persistent
    /// off-hook event, as a call agent would before installing a request.
    pub(crate) fn off_hook(&mut self, endpoint: &str) {
        self.line(endpoint, mgcp_gateway::LineEvent::OffHook);
        let n = self.take_command("NTFY");
        self.answer(&n, "200");
    }

    pub(crate) fn dial(&mut self, endpoint: &str, digits: &str) {
        for c in digits.chars() {
            self.line(endpoint, mgcp_gateway::LineEvent::Digit(c));
            self.advance(Duration::from_millis(150));
        }
    }
}

/// The return code of a response.
pub(crate) fn code(response: &str) -> u16 {
    response[..3].parse().unwrap()
}

/// The value of a parameter line in a message.
pub(crate) fn param<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        l.strip_prefix(&format!("{name}: "))
            .or_else(|| (l == format!("{name}:")).then_some(""))
    })
}
