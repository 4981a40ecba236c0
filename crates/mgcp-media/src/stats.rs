//! Reception statistics of one RTP source (RFC 3550 §6.4.1 and Appendix
//! A.1, A.3, A.8): sequence-number tracking with wrap-around and restart
//! detection, cumulative and fractional loss, interarrival jitter; and
//! the round-trip time from a report block's LSR/DLSR (RFC 3550 §6.4.1).
//!
//! Pure arithmetic: the caller gives the arrival time already converted
//! to timestamp units, so this module needs no clock.

const MAX_DROPOUT: u16 = 3000;
const MAX_MISORDER: u16 = 100;
const MIN_SEQUENTIAL: u32 = 2;
const SEQ_MOD: u32 = 1 << 16;

/// What one source sent us, per RFC 3550 Appendix A.1.
#[derive(Debug, Clone, Default)]
pub struct Reception {
    /// The source's SSRC.
    pub ssrc: u32,
    max_seq: u16,
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    probation: u32,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    transit: i64,
    jitter: u32,
    started: bool,
}

impl Reception {
    /// Notes a packet: its SSRC, sequence number, RTP timestamp, and the
    /// arrival time in the same units as the timestamp. A new SSRC starts
    /// the statistics afresh. Returns false for a packet RFC 3550 A.1
    /// considers invalid (a jump while on probation or a big jump once).
    pub fn on_packet(&mut self, ssrc: u32, seq: u16, timestamp: u32, arrival: u32) -> bool {
        if !self.started || ssrc != self.ssrc {
            *self = Reception {
                ssrc,
                probation: MIN_SEQUENTIAL,
                ..Default::default()
            };
            self.init_seq(seq);
            self.max_seq = seq.wrapping_sub(1);
            self.started = true;
        }
        if !self.update_seq(seq) {
            return false;
        }
        self.update_jitter(timestamp, arrival);
        true
    }

    fn init_seq(&mut self, seq: u16) {
        self.base_seq = u32::from(seq);
        self.max_seq = seq;
        self.bad_seq = SEQ_MOD + 1;
        self.cycles = 0;
        self.received = 0;
        self.received_prior = 0;
        self.expected_prior = 0;
    }

    fn update_seq(&mut self, seq: u16) -> bool {
        let udelta = seq.wrapping_sub(self.max_seq);
        if self.probation > 0 {
            if seq == self.max_seq.wrapping_add(1) {
                self.probation -= 1;
                self.max_seq = seq;
                if self.probation == 0 {
                    self.init_seq(seq);
                    self.received += 1;
                    return true;
                }
            } else {
                self.probation = MIN_SEQUENTIAL - 1;
                self.max_seq = seq;
            }
            // On probation: relayed and played, but not yet counted (the
            // statistics start with the second in-sequence packet).
            return true;
        } else if udelta < MAX_DROPOUT {
            if seq < self.max_seq {
                self.cycles += SEQ_MOD;
            }
            self.max_seq = seq;
        } else if udelta <= (SEQ_MOD as u16).wrapping_sub(MAX_MISORDER) {
            // A very large jump: a restarted source, or a stray packet.
            if u32::from(seq) == self.bad_seq {
                self.init_seq(seq);
            } else {
                self.bad_seq = (u32::from(seq) + 1) & (SEQ_MOD - 1);
                return false;
            }
        }
        // else: a duplicate or reordered packet.
        self.received += 1;
        true
    }

    fn update_jitter(&mut self, timestamp: u32, arrival: u32) {
        let transit = i64::from(arrival.wrapping_sub(timestamp) as i32);
        if self.received > 1 || self.transit != 0 {
            let d = (transit - self.transit).abs();
            // J += (|D| - J) / 16, kept scaled by 16 (RFC 3550 A.8).
            let j = i64::from(self.jitter);
            self.jitter = (j + d - ((j + 8) >> 4)).max(0) as u32;
        }
        self.transit = transit;
    }

    /// Packets received.
    pub fn received(&self) -> u32 {
        self.received
    }

    /// The extended highest sequence number received.
    pub fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected (extended max - base + 1).
    pub fn expected(&self) -> u32 {
        if !self.started || self.probation > 0 {
            return 0;
        }
        self.extended_max()
            .wrapping_sub(self.base_seq)
            .wrapping_add(1)
    }

    /// Cumulative packets lost (negative with duplicates), RFC 3550 A.3.
    pub fn lost(&self) -> i64 {
        if !self.started || self.probation > 0 {
            return 0;
        }
        i64::from(self.expected()) - i64::from(self.received)
    }

    /// Interarrival jitter in timestamp units.
    pub fn jitter(&self) -> u32 {
        self.jitter >> 4
    }

    /// The fraction lost since the last call (8-bit fixed point), for a
    /// report block; advances the interval.
    pub fn fraction_lost(&mut self) -> u8 {
        let expected = self.expected();
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.received_prior = self.received;
        let lost = i64::from(expected_interval) - i64::from(received_interval);
        if expected_interval == 0 || lost <= 0 {
            0
        } else {
            ((lost << 8) / i64::from(expected_interval)).min(255) as u8
        }
    }
}

/// Round-trip time from a report block (RFC 3550 §6.4.1): `now` is the
/// middle 32 bits of our NTP clock when the report arrived, `lsr` and
/// `dlsr` come from the block (units of 1/65536 s). `None` when the
/// source has not seen one of our sender reports.
pub fn round_trip(now: u32, lsr: u32, dlsr: u32) -> Option<std::time::Duration> {
    if lsr == 0 {
        return None;
    }
    let rtt = now.wrapping_sub(lsr).wrapping_sub(dlsr);
    if rtt > 0x8000_0000 {
        return None;
    }
    Some(std::time::Duration::from_micros(
        (u64::from(rtt) * 1_000_000) >> 16,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20 ms packets of 160 samples at 8 kHz.
    fn feed(r: &mut Reception, seqs: &[u16], arrival_jitter: &[i32]) {
        for (k, &seq) in seqs.iter().enumerate() {
            let ts = u32::from(seq).wrapping_mul(160);
            let arrival = ts
                .wrapping_add(1000)
                .wrapping_add_signed(arrival_jitter.get(k).copied().unwrap_or(0));
            r.on_packet(7, seq, ts, arrival);
        }
    }

    #[test]
    fn counts_losses_in_a_known_pattern() {
        let mut r = Reception::default();
        // 100 packets, every tenth lost.
        let seqs: Vec<u16> = (0..100u16).filter(|s| s % 10 != 5).collect();
        feed(&mut r, &seqs, &[]);
        // RFC 3550 A.1 counts from the second packet of a new source.
        assert_eq!(r.received(), 89);
        assert_eq!(r.expected(), 99);
        assert_eq!(r.lost(), 10);
        assert_eq!(r.fraction_lost(), (10 * 256 / 99) as u8);
        assert_eq!(r.fraction_lost(), 0, "no new packets in the interval");
        assert_eq!(r.jitter(), 0, "perfectly regular arrivals");
    }

    #[test]
    fn losses_across_the_sequence_wrap() {
        let mut r = Reception::default();
        let seqs: Vec<u16> = (65500u32..65600)
            .map(|s| (s % 65536) as u16)
            .filter(|s| *s != 0 && *s != 3)
            .collect();
        feed(&mut r, &seqs, &[]);
        assert_eq!(r.lost(), 2);
        assert_eq!(r.extended_max(), 65536 + 63);
    }

    #[test]
    fn jitter_converges_to_the_mean_deviation() {
        // Transit alternates between +0 and +80 samples (10 ms): each
        // difference is 80, so J converges to 80.
        let mut r = Reception::default();
        let seqs: Vec<u16> = (0..2000).collect();
        let jit: Vec<i32> = (0..2000).map(|k| if k % 2 == 0 { 0 } else { 80 }).collect();
        feed(&mut r, &seqs, &jit);
        assert!((78..=80).contains(&r.jitter()), "{}", r.jitter());
    }

    #[test]
    fn duplicates_make_loss_negative_and_a_new_ssrc_restarts() {
        let mut r = Reception::default();
        feed(&mut r, &[1, 2, 3, 3, 4], &[]);
        assert_eq!(r.lost(), -1);
        r.on_packet(8, 500, 0, 0);
        assert_eq!((r.ssrc, r.received(), r.lost()), (8, 0, 0));
    }

    #[test]
    fn round_trip_from_lsr_and_dlsr() {
        // Sent at 10.0 s, held 0.5 s by the peer, back at 10.75 s.
        let s = |secs: f64| (secs * 65536.0) as u32;
        let rtt = round_trip(s(10.75), s(10.0), s(0.5)).unwrap();
        assert!((249..=251).contains(&rtt.as_millis()), "{rtt:?}");
        assert_eq!(round_trip(s(1.0), 0, 0), None);
    }
}
