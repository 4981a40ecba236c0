//! BearerInformation (`B:`, RFC 3435 §3.2.2.1): `B: e:mu` or `B: e:A`.

use core::fmt;

use crate::text;

/// The bearer encoding: µ-law or A-law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BearerEncoding {
    /// `e:mu`.
    MuLaw,
    /// `e:A`.
    ALaw,
}

/// A validated BearerInformation value.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct BearerInformation<'a> {
    raw: &'a str,
}

impl<'a> BearerInformation<'a> {
    /// Validates `attr[:value]` items separated by commas.
    pub fn parse(raw: &'a str) -> Option<BearerInformation<'a>> {
        let raw = text::trim_wsp(raw);
        let ok = !raw.is_empty() && raw.split(',').all(|p| parse_item(p).is_some());
        ok.then_some(BearerInformation { raw })
    }

    /// The `e:` encoding, if given.
    pub fn encoding(&self) -> Option<BearerEncoding> {
        self.items().find_map(|(n, v)| {
            if !n.eq_ignore_ascii_case("e") {
                return None;
            }
            match v {
                Some(v) if v.eq_ignore_ascii_case("mu") => Some(BearerEncoding::MuLaw),
                Some(v) if v.eq_ignore_ascii_case("a") => Some(BearerEncoding::ALaw),
                _ => None,
            }
        })
    }

    /// The items as `(name, value)` pairs.
    pub fn items(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + use<'a> {
        self.raw.split(',').filter_map(parse_item)
    }
}

fn parse_item(part: &str) -> Option<(&str, Option<&str>)> {
    let part = text::trim_wsp(part);
    let (name, value) = match part.split_once(':') {
        Some((n, v)) => (text::trim_wsp(n), Some(text::trim_wsp(v))),
        None => (part, None),
    };
    if !crate::event::is_token(name) {
        return None;
    }
    if name.eq_ignore_ascii_case("e") {
        let v = value?;
        return (v.eq_ignore_ascii_case("mu") || v.eq_ignore_ascii_case("a"))
            .then_some((name, value));
    }
    match value {
        Some(v) if v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()) => None,
        _ => Some((name, value)),
    }
}

impl PartialEq for BearerInformation<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.items().eq(other.items())
    }
}

impl fmt::Display for BearerInformation<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (n, v)) in self.items().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match v {
                Some(v) => write!(f, "{n}:{v}")?,
                None => f.write_str(n)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(
            BearerInformation::parse("e:mu").unwrap().encoding(),
            Some(BearerEncoding::MuLaw)
        );
        assert_eq!(
            BearerInformation::parse("e:A").unwrap().encoding(),
            Some(BearerEncoding::ALaw)
        );
        assert!(BearerInformation::parse("e:x").is_none());
        assert!(BearerInformation::parse("").is_none());
        assert_eq!(
            BearerInformation::parse("e:A, x-foo:1")
                .unwrap()
                .items()
                .count(),
            2
        );
    }
}
