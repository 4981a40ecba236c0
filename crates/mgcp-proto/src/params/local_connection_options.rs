//! LocalConnectionOptions (`L:`, RFC 3435 §3.2.2.10) and Capabilities
//! (`A:`, §3.2.2.3), which share one grammar.
//!
//! `L: p:10-20, a:PCMU;PCMA, b:64, e:on, gc:1, s:on, t:10, r:g,
//! nt:IN;ATM;LOCAL` — each item is `name:value` (some extensions take no
//! value); items are separated by commas; lists inside a value by
//! semicolons. Capabilities add `v:` (supported packages) and `m:`
//! (supported modes). Values may be quoted strings (`fmtp:"0-15"`).

use core::fmt;

use crate::params::connection_mode::ConnectionMode;
use crate::text;

/// A validated LocalConnectionOptions or Capabilities value.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct LocalConnectionOptions<'a> {
    raw: &'a str,
}

/// Capabilities (`A:`) use the LocalConnectionOptions grammar plus `v:`
/// and `m:`.
pub type Capabilities<'a> = LocalConnectionOptions<'a>;

/// Why an option was rejected: its byte offset and a short reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionError {
    /// Byte offset of the bad item.
    pub offset: usize,
    /// What rule it broke.
    pub reason: &'static str,
}

impl<'a> LocalConnectionOptions<'a> {
    /// The empty value.
    pub const EMPTY: LocalConnectionOptions<'static> = LocalConnectionOptions { raw: "" };

    /// Validates every item.
    pub fn parse(raw: &'a str) -> Result<LocalConnectionOptions<'a>, OptionError> {
        let trimmed = text::trim_wsp(raw);
        if !trimmed.is_empty() {
            check_quotes(trimmed).map_err(|at| OptionError {
                offset: text::offset_in(raw, trimmed) + at,
                reason: "unterminated quoted string",
            })?;
            for part in text::split_top_level(trimmed, b',') {
                LocalOption::parse(part).map_err(|reason| OptionError {
                    offset: text::offset_in(raw, part),
                    reason,
                })?;
            }
        }
        Ok(LocalConnectionOptions { raw: trimmed })
    }

    /// The validated text.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// True when no option is given.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The options in order.
    pub fn iter(&self) -> impl Iterator<Item = LocalOption<'a>> + use<'a> {
        let raw = self.raw;
        text::split_top_level(raw, b',')
            .filter(move |_| !raw.is_empty())
            .filter_map(|p| LocalOption::parse(p).ok())
    }

    /// `p:` packetization period in milliseconds.
    pub fn packetization(&self) -> Option<Range> {
        self.iter().find_map(|o| match o {
            LocalOption::Packetization(r) => Some(r),
            _ => None,
        })
    }

    /// `a:` compression algorithms (codec names) in preference order.
    pub fn codecs(&self) -> Option<ValueList<'a>> {
        self.iter().find_map(|o| match o {
            LocalOption::Compression(l) => Some(l),
            _ => None,
        })
    }

    /// `b:` bandwidth in kbit/s.
    pub fn bandwidth(&self) -> Option<Range> {
        self.iter().find_map(|o| match o {
            LocalOption::Bandwidth(r) => Some(r),
            _ => None,
        })
    }

    /// `e:` echo cancellation.
    pub fn echo_cancellation(&self) -> Option<Switch> {
        self.iter().find_map(|o| match o {
            LocalOption::EchoCancellation(s) => Some(s),
            _ => None,
        })
    }

    /// `s:` silence suppression.
    pub fn silence_suppression(&self) -> Option<Switch> {
        self.iter().find_map(|o| match o {
            LocalOption::SilenceSuppression(s) => Some(s),
            _ => None,
        })
    }

    /// `nt:` type of network.
    pub fn network_types(&self) -> Option<ValueList<'a>> {
        self.iter().find_map(|o| match o {
            LocalOption::TypeOfNetwork(l) => Some(l),
            _ => None,
        })
    }

    /// The value of an extension option such as `fmtp` or `es-cci`
    /// (case-insensitive name); `Some(None)` when it has no value.
    pub fn extension(&self, name: &str) -> Option<Option<&'a str>> {
        self.iter().find_map(|o| match o {
            LocalOption::Extension { name: n, value } if n.eq_ignore_ascii_case(name) => {
                Some(value)
            }
            _ => None,
        })
    }
}

impl PartialEq for LocalConnectionOptions<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for LocalConnectionOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, o) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{o}")?;
        }
        Ok(())
    }
}

/// One local connection option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalOption<'a> {
    /// `p:` packetization period (ms), a value or a range.
    Packetization(Range),
    /// `a:` compression algorithms.
    Compression(ValueList<'a>),
    /// `b:` bandwidth (kbit/s), a value or a range.
    Bandwidth(Range),
    /// `e:` echo cancellation.
    EchoCancellation(Switch),
    /// `gc:` gain control: `auto` or a gain in dB.
    GainControl(GainControl),
    /// `s:` silence suppression.
    SilenceSuppression(Switch),
    /// `t:` type of service (one or two hex digits).
    TypeOfService(u8),
    /// `r:` resource reservation: `g`, `cl` or `be`.
    ResourceReservation(&'a str),
    /// `k:` encryption key (`clear:...`, `base64:...`, `uri:...`, `prompt`).
    Encryption(&'a str),
    /// `nt:` type of network (`IN`, `ATM`, `LOCAL`, others).
    TypeOfNetwork(ValueList<'a>),
    /// `v:` supported packages (Capabilities only).
    SupportedPackages(ValueList<'a>),
    /// `m:` supported modes (Capabilities only).
    SupportedModes(ValueList<'a>),
    /// Any other option: `es-cci`, `es-ccd`, `fmtp`, `dq-gi`, `sc-rtp`,
    /// vendor `x-...` options, with their value as written.
    Extension {
        /// The option name.
        name: &'a str,
        /// The value after `:`, if any (quotes kept).
        value: Option<&'a str>,
    },
}

impl<'a> LocalOption<'a> {
    fn parse(part: &'a str) -> Result<LocalOption<'a>, &'static str> {
        let item = text::trim_wsp(part);
        let (name, value) = match item.split_once(':') {
            Some((n, v)) => (text::trim_wsp(n), Some(text::trim_wsp(v))),
            None => (item, None),
        };
        if !crate::event::is_token(name) {
            return Err("option name must be letters, digits and '-'");
        }
        let Some(value) = value else {
            return match name.len() {
                1 | 2 if is_base_option(name) => Err("option needs a value after ':'"),
                _ => Ok(LocalOption::Extension { name, value: None }),
            };
        };
        let option = match short_key(name) {
            "p" => LocalOption::Packetization(Range::parse(value).ok_or("p: needs ms or ms-ms")?),
            "a" => LocalOption::Compression(ValueList::parse(value).ok_or("a: needs codec names")?),
            "b" => LocalOption::Bandwidth(Range::parse(value).ok_or("b: needs kbit/s or a range")?),
            "e" => {
                LocalOption::EchoCancellation(Switch::parse(value).ok_or("e: must be on or off")?)
            }
            "s" => {
                LocalOption::SilenceSuppression(Switch::parse(value).ok_or("s: must be on or off")?)
            }
            "gc" => {
                LocalOption::GainControl(GainControl::parse(value).ok_or("gc: must be auto or dB")?)
            }
            "t" => LocalOption::TypeOfService(parse_tos(value).ok_or("t: needs 1-2 hex digits")?),
            "r" => LocalOption::ResourceReservation(
                ValueList::parse(value)
                    .filter(|l| l.iter().all(|r| matches!(r, "g" | "cl" | "be")))
                    .map(|_| value)
                    .ok_or("r: must be g, cl or be")?,
            ),
            "k" => LocalOption::Encryption(check_encryption(value).ok_or("k: bad key method")?),
            "nt" => LocalOption::TypeOfNetwork(ValueList::parse(value).ok_or("nt: needs names")?),
            "v" => {
                LocalOption::SupportedPackages(ValueList::parse(value).ok_or("v: needs packages")?)
            }
            "m" => {
                let list = ValueList::parse(value)
                    .filter(|l| l.iter().all(|m| ConnectionMode::parse(m).is_some()))
                    .ok_or("m: needs connection modes")?;
                LocalOption::SupportedModes(list)
            }
            _ => {
                check_extension_value(value).ok_or("bad option value")?;
                LocalOption::Extension {
                    name,
                    value: Some(value),
                }
            }
        };
        Ok(option)
    }
}

/// The option name lower-cased when it is one or two characters (the base
/// options), without allocating; longer names map to "".
fn short_key(name: &str) -> &'static str {
    const KEYS: [&str; 12] = ["p", "a", "b", "e", "gc", "s", "t", "r", "k", "nt", "v", "m"];
    KEYS.iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or("")
}

fn is_base_option(name: &str) -> bool {
    ["p", "a", "b", "e", "gc", "s", "t", "r", "k", "nt", "v", "m"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

impl fmt::Display for LocalOption<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalOption::Packetization(r) => write!(f, "p:{r}"),
            LocalOption::Compression(l) => write!(f, "a:{l}"),
            LocalOption::Bandwidth(r) => write!(f, "b:{r}"),
            LocalOption::EchoCancellation(s) => write!(f, "e:{s}"),
            LocalOption::GainControl(g) => write!(f, "gc:{g}"),
            LocalOption::SilenceSuppression(s) => write!(f, "s:{s}"),
            LocalOption::TypeOfService(t) => write!(f, "t:{t:02x}"),
            LocalOption::ResourceReservation(r) => write!(f, "r:{r}"),
            LocalOption::Encryption(k) => write!(f, "k:{k}"),
            LocalOption::TypeOfNetwork(l) => write!(f, "nt:{l}"),
            LocalOption::SupportedPackages(l) => write!(f, "v:{l}"),
            LocalOption::SupportedModes(l) => write!(f, "m:{l}"),
            LocalOption::Extension { name, value: None } => f.write_str(name),
            LocalOption::Extension {
                name,
                value: Some(v),
            } => write!(f, "{name}:{v}"),
        }
    }
}

/// A number or an inclusive range such as `10-20`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range {
    /// The lower (or only) value.
    pub min: u32,
    /// The upper value, equal to `min` for a single value.
    pub max: u32,
}

impl Range {
    fn parse(value: &str) -> Option<Range> {
        let num = |s: &str| text::parse_decimal(text::trim_wsp(s).as_bytes(), 6);
        match value.split_once('-') {
            Some((a, b)) => {
                let (min, max) = (num(a)?, num(b)?);
                (min <= max).then_some(Range { min, max })
            }
            None => {
                let v = num(value)?;
                Some(Range { min: v, max: v })
            }
        }
    }

    /// True when `v` is within the range.
    pub fn contains(&self, v: u32) -> bool {
        self.min <= v && v <= self.max
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.min == self.max {
            write!(f, "{}", self.min)
        } else {
            write!(f, "{}-{}", self.min, self.max)
        }
    }
}

/// `on`, `off`, or both (`on;off` in capabilities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Switch {
    /// `on`.
    On,
    /// `off`.
    Off,
    /// `on;off`: either is supported.
    Both,
}

impl Switch {
    fn parse(value: &str) -> Option<Switch> {
        let mut on = false;
        let mut off = false;
        for v in value.split(';').map(text::trim_wsp) {
            if v.eq_ignore_ascii_case("on") {
                on = true;
            } else if v.eq_ignore_ascii_case("off") {
                off = true;
            } else {
                return None;
            }
        }
        match (on, off) {
            (true, true) => Some(Switch::Both),
            (true, false) => Some(Switch::On),
            (false, true) => Some(Switch::Off),
            (false, false) => None,
        }
    }

    /// True for `on` and `on;off`.
    pub fn is_on(&self) -> bool {
        !matches!(self, Switch::Off)
    }
}

impl fmt::Display for Switch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Switch::On => "on",
            Switch::Off => "off",
            Switch::Both => "on;off",
        })
    }
}

/// `gc:` gain control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GainControl {
    /// `auto`.
    Auto,
    /// A fixed gain in dB.
    Decibels(i16),
}

impl GainControl {
    fn parse(value: &str) -> Option<GainControl> {
        if value.eq_ignore_ascii_case("auto") {
            return Some(GainControl::Auto);
        }
        let (neg, digits) = match value.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, value),
        };
        let v = i16::try_from(text::parse_decimal(digits.as_bytes(), 4)?).ok()?;
        Some(GainControl::Decibels(if neg { -v } else { v }))
    }
}

impl fmt::Display for GainControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GainControl::Auto => f.write_str("auto"),
            GainControl::Decibels(d) => write!(f, "{d}"),
        }
    }
}

/// A semicolon-separated list of names, such as `PCMU;PCMA` or
/// `IN;ATM;LOCAL`.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct ValueList<'a> {
    raw: &'a str,
}

impl<'a> ValueList<'a> {
    fn parse(raw: &'a str) -> Option<ValueList<'a>> {
        let ok = raw.split(';').all(|v| {
            let v = text::trim_wsp(v);
            !v.is_empty()
                && v.bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b',' | b';' | b'"'))
        });
        ok.then_some(ValueList { raw })
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.raw.split(';').map(text::trim_wsp)
    }

    /// The first item.
    pub fn first(&self) -> &'a str {
        self.iter().next().unwrap_or("")
    }

    /// True when an item equals `name` case-insensitively.
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|v| v.eq_ignore_ascii_case(name))
    }
}

impl PartialEq for ValueList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for ValueList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(v)?;
        }
        Ok(())
    }
}

fn parse_tos(value: &str) -> Option<u8> {
    if value.is_empty() || value.len() > 2 {
        return None;
    }
    u8::from_str_radix(value, 16).ok()
}

fn check_encryption(value: &str) -> Option<&str> {
    let method = value.split_once(':').map_or(value, |(m, _)| m);
    let known = ["clear", "base64", "uri", "prompt"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method));
    (known && check_extension_value(value).is_some()).then_some(value)
}

fn check_extension_value(value: &str) -> Option<()> {
    if value.starts_with('"') {
        return (value.len() >= 2 && value.ends_with('"')).then_some(());
    }
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && !matches!(b, b',' | b'"'));
    ok.then_some(())
}

/// Offset of an unterminated quote, if any.
fn check_quotes(s: &str) -> Result<(), usize> {
    let mut open = None;
    for (i, b) in s.bytes().enumerate() {
        if b == b'"' {
            open = if open.is_some() { None } else { Some(i) };
        }
    }
    open.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cisco_capability_line() {
        let l = LocalConnectionOptions::parse(
            "p:10-20, a:PCMU;PCMA;G.nX64, b:64, e:on, gc:1, s:on, t:10, r:g, nt:IN;ATM;LOCAL, v:T;G;D;L;H;ATM;FXR",
        )
        .unwrap();
        assert_eq!(l.packetization(), Some(Range { min: 10, max: 20 }));
        let codecs: Vec<_> = l.codecs().unwrap().iter().collect();
        assert_eq!(codecs, vec!["PCMU", "PCMA", "G.nX64"]);
        assert_eq!(l.bandwidth(), Some(Range { min: 64, max: 64 }));
        assert_eq!(l.echo_cancellation(), Some(Switch::On));
        assert_eq!(l.silence_suppression(), Some(Switch::On));
        assert!(l.network_types().unwrap().contains("atm"));
        assert_eq!(l.iter().count(), 10);
        assert!(l.iter().any(|o| o == LocalOption::TypeOfService(0x10)));
        assert!(
            l.iter()
                .any(|o| o == LocalOption::GainControl(GainControl::Decibels(1)))
        );
    }

    #[test]
    fn osmo_and_extensions() {
        let l = LocalConnectionOptions::parse("p:20, a:AMR, nt:IN").unwrap();
        assert_eq!(l.codecs().unwrap().first(), "AMR");
        let l = LocalConnectionOptions::parse(
            "a:PCMU, fmtp:\"0-15, 16\", es-cci:1A2B, es-ccd:[10.0.0.1]:5000, x-foo",
        )
        .unwrap();
        assert_eq!(l.extension("fmtp"), Some(Some("\"0-15, 16\"")));
        assert_eq!(l.extension("ES-CCI"), Some(Some("1A2B")));
        assert_eq!(l.extension("x-foo"), Some(None));
        assert_eq!(l.iter().count(), 5);
    }

    #[test]
    fn capabilities_items() {
        let a = LocalConnectionOptions::parse(
            "a:PCMU;G729, p:10-100, e:on;off, s:off, v:L;G;D, m:sendonly;recvonly;sendrecv;confrnce",
        )
        .unwrap();
        assert_eq!(a.echo_cancellation(), Some(Switch::Both));
        assert!(
            a.iter()
                .any(|o| matches!(o, LocalOption::SupportedModes(m) if m.iter().count() == 4))
        );
    }

    #[test]
    fn rejects_bad_values() {
        for (bad, at) in [
            ("p:abc", 0),
            ("a:PCMU, p:20-10", 7),
            ("e:maybe", 0),
            ("t:123", 0),
            ("r:x", 0),
            ("gc:loud", 0),
            ("m:sendrecv;bogus", 0),
            ("a:PCMU,,b:64", 7),
            ("fmtp:\"open", 5),
            ("k:rot13:abc", 0),
            ("p", 0),
        ] {
            let e = LocalConnectionOptions::parse(bad).unwrap_err();
            assert_eq!(e.offset, at, "{bad}: {}", e.reason);
        }
    }

    #[test]
    fn display_is_canonical() {
        let l = LocalConnectionOptions::parse(" a: PCMU ;PCMA ,p:20 , t:a0, gc:-3 ").unwrap();
        assert_eq!(l.to_string(), "a:PCMU;PCMA, p:20, t:a0, gc:-3");
        assert_eq!(LocalConnectionOptions::parse(&l.to_string()).unwrap(), l);
    }
}
