//! What a signal plays: a tone from the package tables, an in-band DTMF
//! digit, or decoded announcement samples; and the translation of a
//! gateway signal (`L/dl`, `D/5`, `A/ann` with its URL, `L/sit(2)`) into
//! one. Loading an announcement file happens on the control side
//! ([`Play::load`]); workers only play samples.

use std::sync::Arc;

use mgcp_proto::packages::{self, Tone, ToneKind};

use crate::tone::ToneGenerator;
use crate::wav;

/// Something to play, prepared outside the packet path.
#[derive(Debug, Clone)]
pub(crate) enum Play {
    /// A tone of the package tables.
    Tone(Tone),
    /// A DTMF key: RFC 4733 events on a connection that negotiated them,
    /// the in-band tone otherwise.
    Digit(char),
    /// Decoded audio (an announcement), reported done at its end.
    Samples(Arc<[i16]>),
}

/// Why a signal produces no sound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Silent {
    /// Nothing to hear (ringing, a signal without a tone).
    Nothing,
    /// The announcement could not be loaded.
    Failed(String),
}

impl Play {
    /// What signal `key` (`package/name`) with `parameters` plays.
    pub(crate) fn load(key: &str, parameters: &str) -> Result<Play, Silent> {
        let (package, name) = key.split_once('/').ok_or(Silent::Nothing)?;
        if package.eq_ignore_ascii_case("A") && name.eq_ignore_ascii_case("ann") {
            return announcement(parameters).map(|s| Play::Samples(s.into()));
        }
        if package.eq_ignore_ascii_case("D") && name.len() == 1 {
            let c = name.chars().next().ok_or(Silent::Nothing)?;
            if crate::rfc4733::event_code(c).is_some() {
                return Ok(Play::Digit(c.to_ascii_uppercase()));
            }
        }
        if name.eq_ignore_ascii_case("sit") {
            let n: u8 = first_parameter(parameters).parse().unwrap_or(1);
            return packages::sit_tone(n)
                .copied()
                .map(Play::Tone)
                .ok_or(Silent::Nothing);
        }
        let tone = packages::lookup(package, name)
            .and_then(|d| d.tone)
            .ok_or(Silent::Nothing)?;
        if tone.kind == ToneKind::Ringing {
            return Err(Silent::Nothing);
        }
        Ok(Play::Tone(tone))
    }
}

fn first_parameter(parameters: &str) -> &str {
    parameters.split(',').next().unwrap_or("").trim()
}

/// Loads the announcement named by `A/ann`'s first parameter (RFC 3660
/// §2.12: `ann(url, parms)`).
fn announcement(parameters: &str) -> Result<Vec<i16>, Silent> {
    let url = first_parameter(parameters);
    if url.is_empty() {
        return Err(Silent::Failed("no announcement URL".into()));
    }
    let path = wav::file_url_path(url)
        .ok_or_else(|| Silent::Failed(format!("{url}: only file: URLs are played")))?;
    wav::read(&path).map_err(|e| Silent::Failed(e.to_string()))
}

/// A signal playing.
#[derive(Debug, Clone)]
pub(crate) struct Player {
    /// `package/name`, to stop it.
    pub(crate) key: String,
    /// Report operation complete when it ends by itself.
    pub(crate) report: bool,
    sound: Sound,
}

#[derive(Debug, Clone)]
enum Sound {
    Tone(ToneGenerator),
    Samples { data: Arc<[i16]>, at: usize },
}

impl Player {
    /// A player for `play` (an in-band tone for a digit).
    pub(crate) fn new(key: &str, play: &Play) -> Player {
        let (sound, report) = match play {
            Play::Tone(t) => (Sound::Tone(ToneGenerator::new(*t)), false),
            Play::Digit(c) => {
                let tone = packages::lookup("D", &c.to_string()).and_then(|d| d.tone);
                let sound = match tone {
                    Some(t) => Sound::Tone(ToneGenerator::new(t)),
                    None => Sound::Samples {
                        data: Arc::from([]),
                        at: 0,
                    },
                };
                (sound, false)
            }
            Play::Samples(s) => (
                Sound::Samples {
                    data: Arc::clone(s),
                    at: 0,
                },
                true,
            ),
        };
        Player {
            key: key.to_string(),
            report,
            sound,
        }
    }

    /// Adds the next `out.len()` samples onto `out`.
    pub(crate) fn add_to(&mut self, out: &mut [i16]) {
        match &mut self.sound {
            Sound::Tone(g) => g.add_to(out),
            Sound::Samples { data, at } => {
                let n = out.len().min(data.len() - *at);
                for (o, s) in out.iter_mut().zip(&data[*at..*at + n]) {
                    *o = o.saturating_add(*s);
                }
                *at += n;
            }
        }
    }

    /// True once it has played to its end.
    pub(crate) fn finished(&self) -> bool {
        match &self.sound {
            Sound::Tone(g) => g.finished(),
            Sound::Samples { data, at } => *at >= data.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_map_to_sounds() {
        assert!(matches!(Play::load("L/dl", ""), Ok(Play::Tone(_))));
        assert!(matches!(Play::load("G/rt", ""), Ok(Play::Tone(_))));
        assert!(matches!(Play::load("D/5", ""), Ok(Play::Digit('5'))));
        assert!(matches!(Play::load("d/a", ""), Ok(Play::Digit('A'))));
        assert!(matches!(Play::load("L/sit", "3"), Ok(Play::Tone(_))));
        assert_eq!(Play::load("L/rg", "").err(), Some(Silent::Nothing));
        assert_eq!(Play::load("L/hd", "").err(), Some(Silent::Nothing));
        assert!(matches!(Play::load("A/ann", ""), Err(Silent::Failed(_))));
        assert!(matches!(
            Play::load("A/ann", "http://example.com/x.wav"),
            Err(Silent::Failed(_))
        ));
        assert!(matches!(
            Play::load("A/ann", "file:///nonexistent/x.wav"),
            Err(Silent::Failed(_))
        ));
    }

    #[test]
    fn announcements_play_to_their_end() {
        let data: Arc<[i16]> = (0..250).map(|i| i as i16).collect::<Vec<_>>().into();
        let mut p = Player::new("A/ann", &Play::Samples(data));
        assert!(p.report);
        let mut out = [0i16; 160];
        p.add_to(&mut out);
        assert!(!p.finished());
        assert_eq!(out[159], 159);
        let mut out = [0i16; 160];
        p.add_to(&mut out);
        assert!(p.finished());
        assert_eq!((out[89], out[90]), (249, 0));
    }
}
