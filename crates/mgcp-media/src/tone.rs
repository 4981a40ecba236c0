//! Tone generation from the RFC 3660 package tables
//! (`mgcp_proto::packages::Tone`): the summed frequencies of each step at
//! the table's level, its on/off cadence, repeat counts and the loop back
//! to `repeat_from`, sample by sample at 8 kHz.
//!
//! A generator is added onto a buffer (saturating), so several sources can
//! share one: a tone over the far end's voice, two tones at once.
//! Power ringing ([`ToneKind::Ringing`]) is not audio: the generator of a
//! ringing tone stays silent (the simulated line shows ringing as a
//! signal, not as sound).
//!
//! Not here: national tone plans other than the tables', level
//! calibration beyond dBm0 (see [`DBM0_PEAK`]).

use mgcp_proto::packages::{Tone, ToneKind};

/// The sample rate of everything here (G.711).
pub const RATE: u32 = 8000;

/// Peak amplitude, in 16-bit linear units, of a 0 dBm0 sine: G.711's
/// digital milliwatt (µ-law's full scale, 8159 in 14-bit units, is
/// +3.17 dBm0: 8159 × 4 × 10^(-3.17/20) ≈ 22 656).
pub const DBM0_PEAK: f64 = 22_656.0;

/// The peak amplitude of a sine at `dbm0`.
pub fn amplitude(dbm0: f64) -> f64 {
    DBM0_PEAK * 10f64.powf(dbm0 / 20.0)
}

/// Plays one [`Tone`].
#[derive(Debug, Clone)]
pub struct ToneGenerator {
    tone: Tone,
    amplitude: f64,
    step: usize,
    repetition: u8,
    /// Samples into the current on/off pair.
    at: u32,
    phases: [f64; 4],
    done: bool,
}

impl ToneGenerator {
    /// A generator at the tone's own level.
    pub fn new(tone: Tone) -> ToneGenerator {
        let level = f64::from(tone.level_dbm0);
        ToneGenerator::with_level(tone, level)
    }

    /// A generator at `dbm0` per component.
    pub fn with_level(tone: Tone, dbm0: f64) -> ToneGenerator {
        ToneGenerator {
            done: tone.steps.is_empty(),
            tone,
            amplitude: amplitude(dbm0),
            step: 0,
            repetition: 0,
            at: 0,
            phases: [0.0; 4],
        }
    }

    /// True once a tone that does not loop has played all its steps.
    pub fn finished(&self) -> bool {
        self.done
    }

    /// Adds the next `out.len()` samples onto `out` (saturating).
    pub fn add_to(&mut self, out: &mut [i16]) {
        for o in out {
            let s = self.next_sample();
            *o = o.saturating_add(s);
        }
    }

    fn next_sample(&mut self) -> i16 {
        if self.done {
            return 0;
        }
        let step = self.tone.steps[self.step];
        let on = u32::from(step.on_ms) * RATE / 1000;
        let off = u32::from(step.off_ms) * RATE / 1000;
        let mut value = 0.0;
        if self.at < on && self.tone.kind == ToneKind::Audio {
            for (k, f) in step.frequencies_hz.iter().take(4).enumerate() {
                let phase = &mut self.phases[k];
                value += phase.sin();
                *phase += std::f64::consts::TAU * f64::from(*f) / f64::from(RATE);
                if *phase > std::f64::consts::TAU {
                    *phase -= std::f64::consts::TAU;
                }
            }
        }
        self.at += 1;
        if self.at >= on + off {
            self.advance(step.count);
        }
        (value * self.amplitude).clamp(-32768.0, 32767.0) as i16
    }

    fn advance(&mut self, count: u8) {
        self.at = 0;
        self.repetition += 1;
        if self.repetition < count.max(1) {
            return;
        }
        self.repetition = 0;
        self.step += 1;
        self.phases = [0.0; 4];
        if self.step >= self.tone.steps.len() {
            match self.tone.repeat_from {
                Some(from) => self.step = usize::from(from).min(self.tone.steps.len() - 1),
                None => self.done = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::power;
    use mgcp_proto::packages::lookup;

    fn tone(package: &str, name: &str) -> Tone {
        lookup(package, name).and_then(|d| d.tone).unwrap()
    }

    fn render(t: Tone, ms: u32) -> Vec<i16> {
        let mut g = ToneGenerator::new(t);
        let mut v = vec![0i16; (ms * RATE / 1000) as usize];
        g.add_to(&mut v);
        v
    }

    /// On/off pattern in 10 ms frames: true where there is sound.
    fn cadence(samples: &[i16]) -> Vec<bool> {
        samples
            .chunks(80)
            .map(|c| c.iter().map(|s| (*s as i64).pow(2)).sum::<i64>() > 80 * 100)
            .collect()
    }

    /// The frequencies (of `candidates`) that carry energy in a block.
    fn frequencies(block: &[i16], candidates: &[f64]) -> Vec<f64> {
        let total: f64 = block.iter().map(|s| f64::from(*s).powi(2)).sum();
        candidates
            .iter()
            .copied()
            .filter(|f| 2.0 * power(block, *f) / block.len() as f64 > 0.2 * total)
            .collect()
    }

    #[test]
    fn dial_tone_is_350_plus_440_steady_at_minus_13() {
        let v = render(tone("L", "dl"), 1000);
        assert!(cadence(&v).iter().all(|on| *on));
        let f = frequencies(&v[..800], &[300.0, 350.0, 400.0, 440.0, 480.0, 620.0]);
        assert_eq!(f, [350.0, 440.0]);
        // -13 dBm0 per component: RMS of each is peak / √2.
        let rms = (v.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        let expected = (2.0f64).sqrt() * amplitude(-13.0) / 2f64.sqrt();
        assert!((rms / expected - 1.0).abs() < 0.05, "{rms} vs {expected}");
    }

    #[test]
    fn busy_is_480_plus_620_half_a_second_on_and_off() {
        let v = render(tone("L", "bz"), 2000);
        let c = cadence(&v);
        assert!(c[..50].iter().all(|on| *on) && c[50..100].iter().all(|on| !*on));
        assert!(c[100..150].iter().all(|on| *on) && c[150..].iter().all(|on| !*on));
        assert_eq!(
            frequencies(&v[..800], &[350.0, 440.0, 480.0, 620.0]),
            [480.0, 620.0]
        );
    }

    #[test]
    fn ringback_reorder_and_call_waiting_cadences() {
        // Ringback: 2 s on, 4 s off (440 + 480).
        let v = render(tone("G", "rt"), 6000);
        let c = cadence(&v);
        assert_eq!(c.iter().filter(|on| **on).count(), 200);
        assert!(c[..200].iter().all(|on| *on));
        assert_eq!(
            frequencies(&v[..800], &[350.0, 440.0, 480.0, 620.0]),
            [440.0, 480.0]
        );
        // Reorder: 0.25 s on, 0.25 s off.
        let c = cadence(&render(tone("L", "ro"), 1000));
        assert!(c[..25].iter().all(|on| *on) && c[25..50].iter().all(|on| !*on));
        assert!(c[50..75].iter().all(|on| *on));
        // Call waiting: a 300 ms burst of 440 Hz, then silence.
        let v = render(tone("L", "wt"), 2000);
        let c = cadence(&v);
        assert!(c[..30].iter().all(|on| *on) && c[30..].iter().all(|on| !*on));
        assert_eq!(frequencies(&v[..800], &[350.0, 440.0, 480.0]), [440.0]);
    }

    #[test]
    fn one_shot_tones_finish_and_ringing_is_silent() {
        let t = tone("D", "5");
        let mut g = ToneGenerator::new(t);
        let mut v = vec![0i16; 1600];
        g.add_to(&mut v);
        assert!(g.finished(), "100 ms on + 100 ms off");
        assert_eq!(
            frequencies(&v[..800], &[697.0, 770.0, 1209.0, 1336.0]),
            [770.0, 1336.0]
        );
        assert!(v[800..].iter().all(|s| *s == 0));
        let rg = render(tone("L", "rg"), 1000);
        assert!(rg.iter().all(|s| *s == 0));
    }

    #[test]
    fn generators_add_onto_what_is_there() {
        let mut v = vec![1000i16; 80];
        ToneGenerator::new(tone("L", "dl")).add_to(&mut v);
        assert_eq!(v[0], 1000, "sine starts at phase 0");
        assert_ne!(v[5], 1000);
    }
}
