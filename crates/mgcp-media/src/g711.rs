//! G.711 (ITU-T G.711, 1988): µ-law (PCMU, RTP payload type 0) and A-law
//! (PCMA, payload type 8) companding between 16-bit linear PCM and 8-bit
//! codes, and transcoding between the two laws.
//!
//! Everything is a table built at compile time: decoding is one lookup
//! per byte, encoding one lookup per sample (indexed by the top 14 bits
//! for µ-law, the top 13 for A-law, the precision each law keeps), and
//! transcoding one lookup per byte. The tables are built by the reference
//! algorithm (the segment search of the classic `g711.c` that ITU-T G.191
//! and most implementations share), which the tests compare against for
//! every possible input.
//!
//! Not here: other codecs, packet loss concealment, comfort noise.

/// A companding law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Law {
    /// µ-law (North America, Japan): PCMU.
    Mu,
    /// A-law (elsewhere): PCMA.
    A,
}

impl Law {
    /// The law of an RTP encoding name (`PCMU`, `PCMA`), case-insensitive.
    pub fn from_encoding(name: &str) -> Option<Law> {
        if name.eq_ignore_ascii_case("PCMU") {
            Some(Law::Mu)
        } else if name.eq_ignore_ascii_case("PCMA") {
            Some(Law::A)
        } else {
            None
        }
    }

    /// The static RTP payload type (RFC 3551).
    pub const fn payload_type(self) -> u8 {
        match self {
            Law::Mu => 0,
            Law::A => 8,
        }
    }

    /// The code for silence (linear 0).
    pub const fn silence(self) -> u8 {
        match self {
            Law::Mu => 0xFF,
            Law::A => 0xD5,
        }
    }

    /// Decodes one code.
    #[inline]
    pub fn decode(self, code: u8) -> i16 {
        match self {
            Law::Mu => ULAW_DECODE[code as usize],
            Law::A => ALAW_DECODE[code as usize],
        }
    }

    /// Encodes one sample.
    #[inline]
    pub fn encode(self, sample: i16) -> u8 {
        match self {
            Law::Mu => ULAW_ENCODE[((sample as u16) >> 2) as usize],
            Law::A => ALAW_ENCODE[((sample as u16) >> 3) as usize],
        }
    }

    /// Decodes `codes` into `out` (as many as both hold).
    pub fn decode_into(self, codes: &[u8], out: &mut [i16]) {
        let table = match self {
            Law::Mu => &ULAW_DECODE,
            Law::A => &ALAW_DECODE,
        };
        for (o, c) in out.iter_mut().zip(codes) {
            *o = table[*c as usize];
        }
    }

    /// Encodes `samples` into `out` (as many as both hold).
    pub fn encode_into(self, samples: &[i16], out: &mut [u8]) {
        for (o, s) in out.iter_mut().zip(samples) {
            *o = self.encode(*s);
        }
    }
}

/// Rewrites `codes` in place from one law to the other (no-op when they
/// are the same).
pub fn transcode(from: Law, to: Law, codes: &mut [u8]) {
    let table = match (from, to) {
        (Law::Mu, Law::A) => &ULAW_TO_ALAW,
        (Law::A, Law::Mu) => &ALAW_TO_ULAW,
        _ => return,
    };
    for c in codes {
        *c = table[*c as usize];
    }
}

// ---- the reference algorithm --------------------------------------------

const SEG_UEND: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
const SEG_AEND: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];

const fn search(value: i32, table: &[i32; 8]) -> usize {
    let mut i = 0;
    while i < 8 {
        if value <= table[i] {
            return i;
        }
        i += 1;
    }
    8
}

/// µ-law encoding of a 16-bit sample, by the reference algorithm (14-bit
/// magnitude, bias 33, segment search).
pub const fn ulaw_reference_encode(sample: i16) -> u8 {
    let mut pcm = (sample as i32) >> 2;
    let mask: i32 = if pcm < 0 {
        pcm = -pcm;
        0x7F
    } else {
        0xFF
    };
    if pcm > 8159 {
        pcm = 8159;
    }
    pcm += 0x84 >> 2;
    let seg = search(pcm, &SEG_UEND);
    if seg >= 8 {
        return (0x7F ^ mask) as u8;
    }
    let uval = ((seg as i32) << 4) | ((pcm >> (seg + 1)) & 0xF);
    (uval ^ mask) as u8
}

/// µ-law decoding by the reference algorithm.
pub const fn ulaw_reference_decode(code: u8) -> i16 {
    let u = !code as i32;
    let mut t = ((u & 0x0F) << 3) + 0x84;
    t <<= (u & 0x70) >> 4;
    if u & 0x80 != 0 {
        (0x84 - t) as i16
    } else {
        (t - 0x84) as i16
    }
}

/// A-law encoding of a 16-bit sample, by the reference algorithm (13-bit
/// magnitude, segment search, even bits inverted).
pub const fn alaw_reference_encode(sample: i16) -> u8 {
    let mut pcm = (sample as i32) >> 3;
    let mask: i32 = if pcm >= 0 {
        0xD5
    } else {
        pcm = -pcm - 1;
        0x55
    };
    let seg = search(pcm, &SEG_AEND);
    if seg >= 8 {
        return (0x7F ^ mask) as u8;
    }
    let mut aval = (seg as i32) << 4;
    if seg < 2 {
        aval |= (pcm >> 1) & 0x0F;
    } else {
        aval |= (pcm >> seg) & 0x0F;
    }
    (aval ^ mask) as u8
}

/// A-law decoding by the reference algorithm.
pub const fn alaw_reference_decode(code: u8) -> i16 {
    let a = (code ^ 0x55) as i32;
    let mut t = (a & 0x0F) << 4;
    let seg = (a & 0x70) >> 4;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    if a & 0x80 != 0 { t as i16 } else { -t as i16 }
}

// ---- the tables -------------------------------------------------------------

const fn decode_table(law: Law) -> [i16; 256] {
    let mut t = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = match law {
            Law::Mu => ulaw_reference_decode(i as u8),
            Law::A => alaw_reference_decode(i as u8),
        };
        i += 1;
    }
    t
}

/// µ-law: the top 14 bits of the sample decide the code.
const fn ulaw_encode_table() -> [u8; 16384] {
    let mut t = [0u8; 16384];
    let mut i = 0;
    while i < 16384 {
        // Index i holds the sample whose bits 15..2 are i (as u16).
        let sample = ((i as u16) << 2) as i16;
        t[i] = ulaw_reference_encode(sample);
        i += 1;
    }
    t
}

/// A-law: the top 13 bits of the sample decide the code.
const fn alaw_encode_table() -> [u8; 8192] {
    let mut t = [0u8; 8192];
    let mut i = 0;
    while i < 8192 {
        let sample = ((i as u16) << 3) as i16;
        t[i] = alaw_reference_encode(sample);
        i += 1;
    }
    t
}

const fn transcode_table(from: Law, to: Law) -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let linear = match from {
            Law::Mu => ulaw_reference_decode(i as u8),
            Law::A => alaw_reference_decode(i as u8),
        };
        t[i] = match to {
            Law::Mu => ulaw_reference_encode(linear),
            Law::A => alaw_reference_encode(linear),
        };
        i += 1;
    }
    t
}

static ULAW_DECODE: [i16; 256] = decode_table(Law::Mu);
static ALAW_DECODE: [i16; 256] = decode_table(Law::A);
static ULAW_ENCODE: [u8; 16384] = ulaw_encode_table();
static ALAW_ENCODE: [u8; 8192] = alaw_encode_table();
static ULAW_TO_ALAW: [u8; 256] = transcode_table(Law::Mu, Law::A);
static ALAW_TO_ULAW: [u8; 256] = transcode_table(Law::A, Law::Mu);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_the_reference_for_every_sample() {
        for s in i16::MIN..=i16::MAX {
            assert_eq!(Law::Mu.encode(s), ulaw_reference_encode(s), "µ-law {s}");
            assert_eq!(Law::A.encode(s), alaw_reference_encode(s), "A-law {s}");
        }
        for c in 0..=255u8 {
            assert_eq!(Law::Mu.decode(c), ulaw_reference_decode(c));
            assert_eq!(Law::A.decode(c), alaw_reference_decode(c));
        }
    }

    #[test]
    fn known_values_from_g711() {
        // Silence, the extremes and the sign conventions of each law.
        assert_eq!(Law::Mu.encode(0), 0xFF);
        assert_eq!(Law::A.encode(0), 0xD5);
        assert_eq!(Law::Mu.decode(0xFF), 0);
        assert_eq!(Law::Mu.decode(0x7F), 0);
        assert_eq!(Law::Mu.decode(0x00), -32124);
        assert_eq!(Law::Mu.decode(0x80), 32124);
        assert_eq!(Law::A.decode(0xD5), 8);
        assert_eq!(Law::A.decode(0x55), -8);
        assert_eq!(Law::A.decode(0xAA), 32256);
        assert_eq!(Law::A.decode(0x2A), -32256);
        assert_eq!(Law::Mu.encode(i16::MAX), 0x80);
        assert_eq!(Law::Mu.encode(i16::MIN), 0x00);
        assert_eq!(Law::A.encode(i16::MAX), 0xAA);
        assert_eq!(Law::A.encode(i16::MIN), 0x2A);
    }

    #[test]
    fn decode_then_encode_is_identity_on_codes() {
        for c in 0..=255u8 {
            // µ-law has two codes for zero (0x7F and 0xFF).
            if c != 0x7F {
                assert_eq!(Law::Mu.encode(Law::Mu.decode(c)), c, "µ {c:#x}");
            }
            assert_eq!(Law::A.encode(Law::A.decode(c)), c, "A {c:#x}");
        }
    }

    #[test]
    fn quantisation_error_is_within_half_a_step() {
        // The error of a round trip never exceeds half of the segment's
        // step (µ-law steps grow from 4 to 1024 in 16-bit units; A-law
        // from 16 to 1024).
        for s in (i16::MIN..=i16::MAX).step_by(7) {
            for law in [Law::Mu, Law::A] {
                let back = law.decode(law.encode(s)) as i32;
                let err = (back - s as i32).abs();
                let step = if (s as i32).abs() < 64 {
                    16
                } else {
                    (s as i32).abs() / 16 + 64
                };
                assert!(err <= step, "{law:?} {s} -> {back}");
            }
        }
    }

    #[test]
    fn transcoding_both_ways_keeps_the_signal() {
        for c in 0..=255u8 {
            let mut b = [c];
            transcode(Law::Mu, Law::A, &mut b);
            let (mu, a) = (Law::Mu.decode(c) as i32, Law::A.decode(b[0]) as i32);
            assert!((mu - a).abs() <= mu.abs() / 16 + 16, "{c:#x}: {mu} vs {a}");
            let mut b = [c];
            transcode(Law::A, Law::Mu, &mut b);
            let (a, mu) = (Law::A.decode(c) as i32, Law::Mu.decode(b[0]) as i32);
            assert!((mu - a).abs() <= a.abs() / 16 + 16, "{c:#x}: {a} vs {mu}");
        }
        let mut same = [1, 2, 3];
        transcode(Law::A, Law::A, &mut same);
        assert_eq!(same, [1, 2, 3]);
    }
}
