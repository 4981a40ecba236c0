//! Timers and limits of the transaction layer, with RFC 3435 defaults.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// Settings of an [`crate::Engine`]. `Config::default()` follows RFC 3435
/// §3.5 and §4.3 (see `docs/rfc/rfc3435-transactions-and-restart.md`).
#[derive(Debug, Clone)]
pub struct Config {
    /// T-HIST: how long a response is remembered after it was first sent,
    /// so that a retransmitted command is answered from history (30 s).
    pub t_hist: Duration,
    /// T-MAX: how long a command is retransmitted before it fails (20 s).
    pub t_max: Duration,
    /// Retransmission timer before any round trip was measured (200 ms).
    pub rto_initial: Duration,
    /// Floor of the computed retransmission timer. Not in the RFC: on
    /// loopback the measured delay is microseconds, and a timer that short
    /// would retransmit whenever the peer is busy for a moment.
    pub rto_min: Duration,
    /// RTO-MAX: ceiling of one retransmission interval (4 s).
    pub rto_max: Duration,
    /// N in RTO = AAD + N·ADEV (the RFC leaves it open; TCP uses 4).
    pub deviation_factor: u32,
    /// LONGTRAN-TIMER: retransmission period after a provisional response
    /// (5 s).
    pub longtran: Duration,
    /// Max1: retransmissions to one address before suspecting it and moving
    /// on to the next address of the peer (5).
    pub max1: u32,
    /// Max2: retransmissions after which the last address is given up (7).
    pub max2: u32,
    /// Largest datagram sent to a peer whose limit is unknown (4000, the
    /// minimum every MGCP entity accepts, RFC 3435 §3.5.4).
    pub max_datagram: usize,
    /// Most remembered incoming transactions (executing or answered).
    /// Beyond it the oldest answered one is forgotten early (counted); if
    /// all are still executing, the new command is answered 409. At
    /// 200 000 transactions/s, T-HIST alone would need 6 million entries.
    pub history_limit: usize,
    /// Most outstanding outgoing commands; beyond it `send_command` fails.
    pub pending_limit: usize,
    /// How long a command may execute before the engine answers it with
    /// 406 "transaction time-out" on the application's behalf.
    pub execution_timeout: Duration,
    /// Send a provisional 100 on the application's behalf when a command
    /// has not been answered after this long (`None`: only on duplicates).
    pub auto_provisional: Option<Duration>,
    /// Confirm received final responses with `K:` on later commands to the
    /// same peer, so that it can forget them (RFC 3435 §3.2.2.19). Off by
    /// default: the RFC makes it optional, and osmo-mgw 1.10 rejects any
    /// command carrying `K:` with 539. Received `K:` is always honoured.
    pub send_response_acks: bool,
    /// Let messages queued one after the other for the same address share a
    /// datagram (piggybacking, RFC 3435 §3.5.5). Off by default: peers such
    /// as osmo-mgw 1.10 and Python test tools process only the first message
    /// of a datagram. Received piggybacked datagrams are always handled.
    pub piggyback: bool,
    /// Addresses that belong to one logical peer and share one transaction
    /// id space (e.g. a call agent and its backup, RFC 3435 §4.1). Maps an
    /// address to the peer's canonical address.
    pub same_peer: HashMap<SocketAddr, SocketAddr>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            t_hist: Duration::from_secs(30),
            t_max: Duration::from_secs(20),
            rto_initial: Duration::from_millis(200),
            rto_min: Duration::from_millis(100),
            rto_max: Duration::from_secs(4),
            deviation_factor: 4,
            longtran: Duration::from_secs(5),
            max1: 5,
            max2: 7,
            max_datagram: 4000,
            history_limit: 1_000_000,
            pending_limit: 50_000,
            execution_timeout: Duration::from_secs(60),
            auto_provisional: None,
            send_response_acks: false,
            piggyback: false,
            same_peer: HashMap::new(),
        }
    }
}

impl Config {
    /// Declares that `alias` is another address of the peer known as
    /// `canonical`: their commands share one transaction id space.
    pub fn same_peer(mut self, alias: SocketAddr, canonical: SocketAddr) -> Self {
        self.same_peer.insert(alias, canonical);
        self
    }
}
