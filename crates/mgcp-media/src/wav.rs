//! WAV files for announcements and the simulated line: reading RIFF/WAVE
//! with 16-bit PCM (format 1), A-law (6) or µ-law (7) samples, 8 kHz, mono
//! or stereo (mixed down), and writing 16-bit PCM mono.
//!
//! Also `file:` URLs (`file:///path`, `file:/path`, `file:path`) as the
//! Announcement package names announcements (RFC 3660 §2.12).
//!
//! Not here: other sample rates (no resampling: such files are refused,
//! which the caller reports as operation failure), compressed formats
//! other than G.711, the `fact`/`LIST` chunks' contents (skipped).

use std::path::{Path, PathBuf};

use crate::g711::Law;

/// Why a file is not usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavError {
    /// Not RIFF/WAVE, or a chunk runs past the end.
    Malformed(&'static str),
    /// A format, rate or width we do not play.
    Unsupported(String),
    /// The file could not be read.
    Io(String),
}

impl std::fmt::Display for WavError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WavError::Malformed(why) => write!(f, "not a WAV file: {why}"),
            WavError::Unsupported(why) => write!(f, "unsupported WAV: {why}"),
            WavError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for WavError {}

/// Decodes a WAV file's bytes into 8 kHz mono samples.
pub fn decode(bytes: &[u8]) -> Result<Vec<i16>, WavError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::Malformed("no RIFF/WAVE header"));
    }
    let mut at = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = at + 8;
        let end = body
            .checked_add(len)
            .ok_or(WavError::Malformed("chunk size"))?;
        match id {
            b"fmt " => {
                let f = bytes
                    .get(body..body + 16)
                    .ok_or(WavError::Malformed("short fmt chunk"))?;
                let u16_at = |i: usize| u16::from_le_bytes([f[i], f[i + 1]]);
                let rate = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
                format = Some((u16_at(0), u16_at(2), rate, u16_at(14)));
            }
            b"data" => {
                let (tag, channels, rate, bits) =
                    format.ok_or(WavError::Malformed("data before fmt"))?;
                // A truncated last chunk (a recording cut short) plays what
                // is there.
                let data = &bytes[body..end.min(bytes.len())];
                return samples(data, tag, channels, rate, bits);
            }
            _ => {}
        }
        at = end + (len & 1);
    }
    Err(WavError::Malformed("no data chunk"))
}

fn samples(
    data: &[u8],
    tag: u16,
    channels: u16,
    rate: u32,
    bits: u16,
) -> Result<Vec<i16>, WavError> {
    if rate != 8000 {
        return Err(WavError::Unsupported(format!("{rate} Hz (8000 Hz needed)")));
    }
    if !(1..=2).contains(&channels) {
        return Err(WavError::Unsupported(format!("{channels} channels")));
    }
    let mono: Vec<i16> = match (tag, bits) {
        (1, 16) => data
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect(),
        (6, 8) => data.iter().map(|b| Law::A.decode(*b)).collect(),
        (7, 8) => data.iter().map(|b| Law::Mu.decode(*b)).collect(),
        _ => {
            return Err(WavError::Unsupported(format!(
                "format {tag} with {bits}-bit samples (16-bit PCM, A-law or µ-law needed)"
            )));
        }
    };
    if channels == 1 {
        return Ok(mono);
    }
    Ok(mono
        .chunks_exact(2)
        .map(|p| ((i32::from(p[0]) + i32::from(p[1])) / 2) as i16)
        .collect())
}

/// Encodes 8 kHz mono samples as a 16-bit PCM WAV file.
pub fn encode(samples: &[i16]) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Encodes samples as a G.711 WAV file (format 6 or 7, 8-bit).
pub fn encode_g711(samples: &[i16], law: Law) -> Vec<u8> {
    let n = samples.len() as u32;
    let mut out = Vec::with_capacity(58 + samples.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(50 + n).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&18u32.to_le_bytes());
    out.extend_from_slice(&(if law == Law::A { 6u16 } else { 7 }).to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // cbSize
    out.extend_from_slice(b"fact");
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend(samples.iter().map(|s| law.encode(*s)));
    out
}

/// Reads and decodes a WAV file.
pub fn read(path: &Path) -> Result<Vec<i16>, WavError> {
    let bytes =
        std::fs::read(path).map_err(|e| WavError::Io(format!("{}: {e}", path.display())))?;
    decode(&bytes)
}

/// The path of a `file:` URL (RFC 8089 forms `file:///p`, `file://localhost/p`,
/// `file:/p`; a bare path is taken as is). Other schemes give `None`.
pub fn file_url_path(url: &str) -> Option<PathBuf> {
    let url = url.trim();
    let Some(rest) = url
        .get(..5)
        .filter(|s| s.eq_ignore_ascii_case("file:"))
        .map(|_| &url[5..])
    else {
        return (!url.contains("://")).then(|| PathBuf::from(url));
    };
    let path = if let Some(r) = rest.strip_prefix("//") {
        // file://host/path: only the local host.
        let slash = r.find('/')?;
        let host = &r[..slash];
        if !(host.is_empty() || host.eq_ignore_ascii_case("localhost")) {
            return None;
        }
        &r[slash..]
    } else {
        rest
    };
    Some(PathBuf::from(percent_decode(path)))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcm_round_trip() {
        let s: Vec<i16> = (0..500).map(|i| (i * 37 - 9000) as i16).collect();
        assert_eq!(decode(&encode(&s)).unwrap(), s);
    }

    #[test]
    fn g711_files_decode_to_the_law_values() {
        let s: Vec<i16> = (0..300).map(|i| (i * 100 - 15000) as i16).collect();
        for law in [Law::A, Law::Mu] {
            let back = decode(&encode_g711(&s, law)).unwrap();
            let expect: Vec<i16> = s.iter().map(|x| law.decode(law.encode(*x))).collect();
            assert_eq!(back, expect);
        }
    }

    #[test]
    fn stereo_is_mixed_down_and_bad_files_are_refused() {
        let mut f = encode(&[100, 300, -50, 50]);
        f[22] = 2; // channels
        f[24..28].copy_from_slice(&8000u32.to_le_bytes());
        assert_eq!(decode(&f).unwrap(), [200, 0]);
        let mut f = encode(&[0; 4]);
        f[24..28].copy_from_slice(&44100u32.to_le_bytes());
        assert!(matches!(decode(&f), Err(WavError::Unsupported(_))));
        assert!(matches!(decode(b"RIFX...."), Err(WavError::Malformed(_))));
        let mut f = encode(&[0; 4]);
        f[20] = 3; // IEEE float
        assert!(matches!(decode(&f), Err(WavError::Unsupported(_))));
    }

    #[test]
    fn file_urls() {
        assert_eq!(
            file_url_path("file:///tmp/a.wav"),
            Some("/tmp/a.wav".into())
        );
        assert_eq!(
            file_url_path("file://localhost/tmp/a b.wav"),
            Some("/tmp/a b.wav".into())
        );
        assert_eq!(
            file_url_path("FILE:/tmp/x%20y.wav"),
            Some("/tmp/x y.wav".into())
        );
        assert_eq!(
            file_url_path("/tmp/plain.wav"),
            Some("/tmp/plain.wav".into())
        );
        assert_eq!(file_url_path("http://example.com/a.wav"), None);
        assert_eq!(file_url_path("file://elsewhere/a.wav"), None);
    }
}
