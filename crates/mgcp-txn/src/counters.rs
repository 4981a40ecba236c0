//! What the engine counts, as plain data. Daemons turn these into metrics.

use mgcp_proto::{ReturnCode, Verb};

/// Counts per verb: the nine RFC verbs, then extension verbs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PerVerb(pub [u64; 10]);

impl PerVerb {
    fn index(verb: Verb) -> usize {
        match verb {
            Verb::Epcf => 0,
            Verb::Crcx => 1,
            Verb::Mdcx => 2,
            Verb::Dlcx => 3,
            Verb::Rqnt => 4,
            Verb::Ntfy => 5,
            Verb::Auep => 6,
            Verb::Aucx => 7,
            Verb::Rsip => 8,
            Verb::Extension(_) => 9,
        }
    }

    /// Adds one for `verb`.
    pub fn add(&mut self, verb: Verb) {
        self.0[Self::index(verb)] += 1;
    }

    /// The count for `verb` (all extension verbs share one count).
    pub fn get(&self, verb: Verb) -> u64 {
        self.0[Self::index(verb)]
    }

    /// The total over all verbs.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `(verb name, count)` for every non-zero count.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        const NAMES: [&str; 10] = [
            "EPCF", "CRCX", "MDCX", "DLCX", "RQNT", "NTFY", "AUEP", "AUCX", "RSIP", "other",
        ];
        NAMES.into_iter().zip(self.0).filter(|(_, n)| *n > 0)
    }
}

/// Counts per return code (000 to 999).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerCode(Box<[u64; 1000]>);

impl Default for PerCode {
    fn default() -> Self {
        PerCode(Box::new([0; 1000]))
    }
}

impl PerCode {
    /// Adds one for `code`.
    pub fn add(&mut self, code: ReturnCode) {
        self.0[usize::from(code.value())] += 1;
    }

    /// The count for `code`.
    pub fn get(&self, code: ReturnCode) -> u64 {
        self.0[usize::from(code.value())]
    }

    /// The total over all codes.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `(code, count)` for every non-zero count, in code order.
    pub fn iter(&self) -> impl Iterator<Item = (u16, u64)> + '_ {
        (0u16..1000)
            .zip(self.0.iter().copied())
            .filter(|(_, n)| *n > 0)
    }
}

/// Everything the transaction engine counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    /// New commands received (duplicates not included).
    pub commands_received: PerVerb,
    /// Commands sent (first transmissions).
    pub commands_sent: PerVerb,
    /// Responses received (first copy of each final, and provisionals).
    pub responses_received: PerCode,
    /// Responses sent (first copy; history resends not included).
    pub responses_sent: PerCode,
    /// Retransmissions of our commands.
    pub retransmissions_sent: u64,
    /// Retransmissions of our final responses awaiting a `000`.
    pub response_retransmissions_sent: u64,
    /// Copies of commands received again (the peer retransmitted).
    pub duplicates_received: u64,
    /// Duplicates answered with the stored final response.
    pub answered_from_history: u64,
    /// Duplicates dropped because a `K:` had confirmed the response.
    pub duplicates_discarded: u64,
    /// Provisional responses sent (100, 101).
    pub provisionals_sent: u64,
    /// Provisional responses received.
    pub provisionals_received: u64,
    /// Response acknowledgements (`000`) sent.
    pub acks_sent: u64,
    /// Response acknowledgements (`000`) received.
    pub acks_received: u64,
    /// History entries confirmed by `K:` ranges received.
    pub confirmed_by_response_ack: u64,
    /// Our commands that failed after T-MAX or Max2 retransmissions.
    pub timeouts: u64,
    /// Times a peer address was given up for the next one (after Max1).
    pub failovers: u64,
    /// Commands answered 409 because the history was full of commands
    /// still executing.
    pub overload_rejections: u64,
    /// Answered transactions forgotten before T-HIST to make room.
    pub history_evictions: u64,
    /// Commands answered 406 because the application took too long.
    pub execution_timeouts: u64,
    /// Datagrams or messages that did not parse.
    pub malformed_received: u64,
    /// Responses that matched no outstanding command.
    pub stray_responses: u64,
    /// Transaction ids reused by a peer for a different command within
    /// T-HIST (treated as a new command).
    pub reused_ids: u64,
    /// Responses replaced by 533 because they exceeded the peer's datagram
    /// size.
    pub responses_too_large: u64,
    /// Datagrams sent.
    pub datagrams_sent: u64,
    /// Datagrams received.
    pub datagrams_received: u64,
    /// Messages that shared a datagram with another (piggybacked).
    pub piggybacked_sent: u64,
}
