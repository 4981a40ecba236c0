//! The Goertzel algorithm: the power of one frequency in a block of
//! samples, for tone and DTMF detection (cheaper than an FFT when only a
//! handful of frequencies matter).

use crate::tone::RATE;

/// Squared magnitude of the DFT term at `freq` Hz over `block` (8 kHz).
/// A sine of amplitude `a` exactly at `freq` gives about `(a·n/2)²`.
pub fn power(block: &[i16], freq: f64) -> f64 {
    let coeff = 2.0 * (std::f64::consts::TAU * freq / f64::from(RATE)).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for x in block {
        let s = f64::from(*x) + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// The energy (Σx²) that a tone found by [`power`] carries in the block:
/// `2·power/n`, comparable with the block's total energy.
pub fn tone_energy(block: &[i16], freq: f64) -> f64 {
    2.0 * power(block, freq) / block.len().max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_sine_and_ignores_others() {
        let block: Vec<i16> = (0..205)
            .map(|n| (10000.0 * (std::f64::consts::TAU * 770.0 * n as f64 / 8000.0).sin()) as i16)
            .collect();
        let total: f64 = block.iter().map(|s| f64::from(*s).powi(2)).sum();
        let at = tone_energy(&block, 770.0);
        assert!((at / total - 1.0).abs() < 0.05, "{at} vs {total}");
        assert!(tone_energy(&block, 941.0) < 0.02 * total);
    }
}
