//! In-band DTMF detection (ITU-T Q.24 tone pairs) on decoded audio: the
//! Goertzel power of the eight DTMF frequencies over 205-sample blocks
//! (25.6 ms at 8 kHz, the classic block that separates adjacent rows),
//! with the checks that make it robust to noise, level and speech:
//!
//! - each of the two tones above a minimum level (-36 dBm0), whatever the
//!   overall level: every other test is a ratio, so loud and quiet digits
//!   detect alike;
//! - the strongest row and column each 6 dB above the runner-up of their
//!   group;
//! - twist (column against row level) within ±8 dB;
//! - the two tones carry at least 60 % of the block's energy (noise,
//!   speech and single tones fail this);
//! - the same digit in two consecutive blocks before it is reported, and
//!   two blocks without it before it can be reported again (one report per
//!   key press).
//!
//! Not here: MF (R1) tones, fax/modem tone detection.

use crate::goertzel::tone_energy;
use crate::tone::amplitude;

const BLOCK: usize = 205;
const ROWS: [f64; 4] = [697.0, 770.0, 852.0, 941.0];
const COLUMNS: [f64; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
const KEYS: [[char; 4]; 4] = [
    ['1', '2', '3', 'A'],
    ['4', '5', '6', 'B'],
    ['7', '8', '9', 'C'],
    ['*', '0', '#', 'D'],
];

/// Streaming DTMF detector.
#[derive(Debug, Clone)]
pub struct DtmfDetector {
    block: [i16; BLOCK],
    filled: usize,
    previous: Option<char>,
    reported: Option<char>,
    misses: u8,
    min_tone_energy: f64,
}

impl Default for DtmfDetector {
    fn default() -> Self {
        // Energy of a -36 dBm0 sine over one block.
        let a = amplitude(-36.0);
        DtmfDetector {
            block: [0; BLOCK],
            filled: 0,
            previous: None,
            reported: None,
            misses: 0,
            min_tone_energy: a * a / 2.0 * BLOCK as f64,
        }
    }
}

impl DtmfDetector {
    /// Feeds samples; returns a digit when a new key press is recognised
    /// (the last one, if `samples` spans several).
    pub fn push(&mut self, samples: &[i16]) -> Option<char> {
        let mut found = None;
        let mut rest = samples;
        while !rest.is_empty() {
            let n = (BLOCK - self.filled).min(rest.len());
            self.block[self.filled..self.filled + n].copy_from_slice(&rest[..n]);
            self.filled += n;
            rest = &rest[n..];
            if self.filled == BLOCK {
                self.filled = 0;
                let digit = self.analyse();
                if let Some(d) = self.debounce(digit) {
                    found = Some(d);
                }
            }
        }
        found
    }

    fn debounce(&mut self, digit: Option<char>) -> Option<char> {
        let confirmed = digit.is_some() && digit == self.previous;
        self.previous = digit;
        if digit.is_some() && digit == self.reported {
            self.misses = 0;
            return None;
        }
        if self.reported.is_some() {
            self.misses += 1;
            if self.misses >= 2 {
                self.reported = None;
            }
        }
        if confirmed && self.reported.is_none() {
            self.reported = digit;
            self.misses = 0;
            return digit;
        }
        None
    }

    /// The digit in the current block, if any.
    fn analyse(&self) -> Option<char> {
        let b = &self.block[..];
        let total: f64 = b.iter().map(|s| f64::from(*s).powi(2)).sum();
        let rows = ROWS.map(|f| tone_energy(b, f));
        let cols = COLUMNS.map(|f| tone_energy(b, f));
        let (r, r_best, r_next) = best(&rows);
        let (c, c_best, c_next) = best(&cols);
        let strong = r_best >= self.min_tone_energy && c_best >= self.min_tone_energy;
        let distinct = r_best >= 4.0 * r_next && c_best >= 4.0 * c_next;
        let twist = c_best / r_best;
        let twist_ok = (0.158..=6.31).contains(&twist);
        let pure = r_best + c_best >= 0.6 * total;
        (strong && distinct && twist_ok && pure).then(|| KEYS[r][c])
    }
}

/// Index of the largest, the largest, and the runner-up.
fn best(values: &[f64; 4]) -> (usize, f64, f64) {
    let mut i = 0;
    for k in 1..4 {
        if values[k] > values[i] {
            i = k;
        }
    }
    let next = (0..4)
        .filter(|k| *k != i)
        .map(|k| values[k])
        .fold(0.0, f64::max);
    (i, values[i], next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::{RATE, ToneGenerator};
    use mgcp_proto::packages::lookup;

    /// `digits` as 100 ms tones with 100 ms gaps at `dbm0`, plus white
    /// noise at `noise_dbm0` (RMS), in 20 ms pushes.
    fn detect(digits: &str, dbm0: f64, noise_dbm0: Option<f64>, seed: u64) -> String {
        let mut audio = Vec::new();
        for d in digits.chars() {
            let tone = lookup("D", &d.to_string()).and_then(|x| x.tone).unwrap();
            let mut g = ToneGenerator::with_level(tone, dbm0);
            let mut v = vec![0i16; 1600];
            g.add_to(&mut v);
            audio.extend(v);
        }
        audio.extend([0i16; 800]);
        if let Some(n) = noise_dbm0 {
            let mut rng = fastrand::Rng::with_seed(seed);
            // Uniform noise of half-width w has RMS w/√3.
            let w = amplitude(n) / 2f64.sqrt() * 3f64.sqrt();
            for s in &mut audio {
                let x = (rng.f64() * 2.0 - 1.0) * w;
                *s = s.saturating_add(x as i16);
            }
        }
        let mut det = DtmfDetector::default();
        let mut out = String::new();
        for chunk in audio.chunks(160) {
            out.extend(det.push(chunk));
        }
        out
    }

    #[test]
    fn every_key_at_nominal_level() {
        assert_eq!(
            detect("0123456789*#ABCD", -10.0, None, 0),
            "0123456789*#ABCD"
        );
    }

    #[test]
    fn repeated_keys_are_separate_presses() {
        assert_eq!(detect("5555", -10.0, None, 0), "5555");
    }

    #[test]
    fn levels_from_minus_30_to_0_dbm0() {
        for level in [-30.0, -24.0, -16.0, -6.0, 0.0] {
            assert_eq!(detect("159#", level, None, 0), "159#", "at {level} dBm0");
        }
    }

    #[test]
    fn noise_at_15_db_snr_and_a_quiet_digit_in_noise() {
        for seed in 0..5 {
            // Each tone at -10 dBm0, the two together about -7 dBm0.
            assert_eq!(
                detect("2580", -10.0, Some(-22.0), seed),
                "2580",
                "seed {seed}"
            );
            assert_eq!(detect("47", -24.0, Some(-36.0), seed), "47", "seed {seed}");
        }
    }

    #[test]
    fn noise_alone_single_tones_and_dial_tone_are_not_digits() {
        assert_eq!(detect("", -10.0, Some(-10.0), 3), "");
        let mut det = DtmfDetector::default();
        for (p, n) in [("L", "dl"), ("L", "bz"), ("G", "rt")] {
            let t = lookup(p, n).and_then(|d| d.tone).unwrap();
            let mut g = ToneGenerator::new(t);
            let mut v = vec![0i16; RATE as usize];
            g.add_to(&mut v);
            for chunk in v.chunks(160) {
                assert_eq!(det.push(chunk), None, "{p}/{n}");
            }
        }
        // One DTMF frequency alone.
        let v: Vec<i16> = (0..8000)
            .map(|n| (8000.0 * (std::f64::consts::TAU * 852.0 * n as f64 / 8000.0).sin()) as i16)
            .collect();
        assert_eq!(det.push(&v), None);
    }
}
