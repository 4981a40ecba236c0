//! The retransmission timer of RFC 3435 §3.5.3: a smoothed average
//! acknowledgement delay (AAD) and deviation (ADEV) per peer address, an
//! initial timer of AAD + N·ADEV, and after each retransmission a doubled,
//! randomised delay capped at RTO-MAX.

use std::time::Duration;

use crate::config::Config;

/// Round-trip estimate for one peer address.
#[derive(Debug, Clone, Copy, Default)]
pub struct Estimator {
    /// Smoothed delay; `None` until the first sample.
    aad: Option<Duration>,
    /// Smoothed absolute deviation.
    adev: Duration,
}

impl Estimator {
    /// Takes one sample: the time from a command's first transmission to
    /// its first response. Callers apply Karn's rule (no samples from
    /// retransmitted commands: the response could answer any copy).
    pub fn sample(&mut self, delay: Duration) {
        match self.aad {
            None => {
                self.aad = Some(delay);
                self.adev = delay / 2;
            }
            Some(aad) => {
                let diff = aad.abs_diff(delay);
                // TCP's gains (RFC 6298): 1/4 for the deviation, 1/8 for the
                // average; the RFC asks for "the algorithm of TCP/IP".
                self.adev = self.adev * 3 / 4 + diff / 4;
                self.aad = Some(aad * 7 / 8 + delay / 8);
            }
        }
    }

    /// The smoothed delay, if measured.
    pub fn average(&self) -> Option<Duration> {
        self.aad
    }

    /// The smoothed deviation.
    pub fn deviation(&self) -> Duration {
        self.adev
    }

    /// The timer for the first transmission of a new command, and the
    /// delay estimate T-DELAY it starts from.
    pub fn initial(&self, config: &Config) -> (Duration, Duration) {
        match self.aad {
            None => (config.rto_initial, config.rto_initial),
            Some(aad) => {
                let rto = aad + self.adev * config.deviation_factor;
                (rto.clamp(config.rto_min, config.rto_max), aad)
            }
        }
    }

    /// After a retransmission: T-DELAY doubles; the timer is a random
    /// value in [T-DELAY/2, T-DELAY] plus N·ADEV, at most RTO-MAX.
    /// `unit` is a uniform random number in [0, 1).
    pub fn backoff(&self, t_delay: Duration, config: &Config, unit: f64) -> (Duration, Duration) {
        let doubled = (t_delay * 2).min(config.rto_max * 2);
        let random = doubled.mul_f64(0.5 + unit / 2.0);
        let rto =
            (random + self.adev * config.deviation_factor).clamp(config.rto_min, config.rto_max);
        (rto, doubled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn initial_timer_without_samples_is_200ms() {
        let c = Config::default();
        assert_eq!(Estimator::default().initial(&c), (ms(200), ms(200)));
    }

    #[test]
    fn smoothing_follows_tcp_gains() {
        let mut e = Estimator::default();
        e.sample(ms(400));
        assert_eq!(e.average(), Some(ms(400)));
        assert_eq!(e.deviation(), ms(200));
        e.sample(ms(800));
        // ADEV = 3/4·200 + 1/4·400 = 250; AAD = 7/8·400 + 1/8·800 = 450.
        assert_eq!(e.deviation(), ms(250));
        assert_eq!(e.average(), Some(ms(450)));
        let c = Config::default();
        // 450 + 4·250 = 1450 ms.
        assert_eq!(e.initial(&c).0, ms(1450));
    }

    #[test]
    fn timers_are_clamped() {
        let c = Config::default();
        let mut fast = Estimator::default();
        fast.sample(Duration::from_micros(50));
        assert_eq!(fast.initial(&c).0, c.rto_min);
        let mut slow = Estimator::default();
        slow.sample(Duration::from_secs(10));
        assert_eq!(slow.initial(&c).0, c.rto_max);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_caps() {
        let c = Config::default();
        let e = Estimator::default();
        let (low, d) = e.backoff(ms(200), &c, 0.0);
        let (high, _) = e.backoff(ms(200), &c, 0.999_999);
        assert_eq!(d, ms(400));
        assert_eq!(low, ms(200));
        assert!(high > ms(399) && high <= ms(400));
        let (capped, _) = e.backoff(Duration::from_secs(3), &c, 0.9);
        assert_eq!(capped, c.rto_max);
    }
}
