//! The last messages a daemon sent and received, for the live view.
//!
//! The driver's tap records each datagram's messages (their first lines);
//! the web server reads them. Bounded: the oldest are dropped.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::{Value, json};

/// One message seen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// Wall-clock time it was seen.
    pub time: SystemTime,
    /// True when received, false when sent.
    pub received: bool,
    /// The peer.
    pub peer: SocketAddr,
    /// The message's first line (`CRCX 1 aaln/1@gw MGCP 1.0`, `200 1 OK`).
    pub first_line: String,
}

/// A shared, bounded list of recent messages.
#[derive(Debug, Clone)]
pub struct MessageLog {
    inner: Arc<Mutex<VecDeque<Seen>>>,
    capacity: usize,
}

impl MessageLog {
    /// Keeps the last `capacity` messages.
    pub fn new(capacity: usize) -> Self {
        MessageLog {
            inner: Arc::new(Mutex::new(VecDeque::with_capacity(capacity))),
            capacity,
        }
    }

    /// Records every message of a datagram (piggybacked ones separately).
    pub fn record(&self, received: bool, peer: SocketAddr, datagram: &[u8]) {
        let time = SystemTime::now();
        let text = String::from_utf8_lossy(datagram);
        let mut log = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        for message in mgcp_proto::split_datagram(&text) {
            let first_line = message.lines().next().unwrap_or("").trim_end().to_string();
            if log.len() == self.capacity {
                log.pop_front();
            }
            log.push_back(Seen {
                time,
                received,
                peer,
                first_line,
            });
        }
    }

    /// The recorded messages, oldest first.
    pub fn snapshot(&self) -> Vec<Seen> {
        let log = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        log.iter().cloned().collect()
    }

    /// The messages as JSON for the live view, newest first.
    pub fn to_json(&self) -> Value {
        let seen = self.snapshot();
        Value::Array(
            seen.iter()
                .rev()
                .map(|s| {
                    let ms = s
                        .time
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis());
                    json!({
                        "time_ms": u64::try_from(ms).unwrap_or(u64::MAX),
                        "direction": if s.received { "in" } else { "out" },
                        "peer": s.peer.to_string(),
                        "text": s.first_line,
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_messages_and_splits_piggybacks() {
        let log = MessageLog::new(3);
        let peer: SocketAddr = "127.0.0.1:2727".parse().unwrap_or_else(|_| unreachable!());
        log.record(
            true,
            peer,
            b"CRCX 1 aaln/1@gw MGCP 1.0\r\nC: 1\r\nM: recvonly\r\n",
        );
        log.record(
            false,
            peer,
            b"200 1 OK\r\nI: 5\r\n.\r\nNTFY 2 aaln/1@gw MGCP 1.0\r\n",
        );
        log.record(true, peer, b"200 2\r\n");
        let seen = log.snapshot();
        let lines: Vec<_> = seen.iter().map(|s| s.first_line.as_str()).collect();
        assert_eq!(lines, ["200 1 OK", "NTFY 2 aaln/1@gw MGCP 1.0", "200 2"]);
        assert!(!seen[0].received && seen[2].received);
        let json = log.to_json();
        assert_eq!(json[0]["text"], "200 2");
        assert_eq!(json[0]["direction"], "in");
        assert_eq!(json[2]["direction"], "out");
    }
}
