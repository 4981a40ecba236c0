//! ReasonCode (`E:`, RFC 3435 §3.2.2.15, §2.5).

use core::fmt;

use crate::text;

/// A reason code: three digits, an optional `/package` and commentary,
/// e.g. `E: 900 Endpoint malfunctioning` or `E: 801 /XYZ lost carrier`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReasonCode<'a> {
    /// The numeric code (000 for "endpoint state is normal", 9xx defined
    /// by RFC 3435, 8xx by packages).
    pub code: u16,
    /// The package that defines an 8xx code.
    pub package: Option<&'a str>,
    /// The commentary.
    pub text: Option<&'a str>,
}

impl<'a> ReasonCode<'a> {
    /// Reason codes RFC 3435 §2.5 defines, with their meaning.
    pub const DEFINED: [(u16, &'static str); 7] = [
        (0, "Endpoint state is normal"),
        (900, "Endpoint malfunctioning"),
        (901, "Endpoint taken out-of-service"),
        (
            902,
            "Loss of lower layer connectivity (e.g., downstream sync)",
        ),
        (903, "QoS resource reservation was lost"),
        (904, "Manual intervention"),
        (905, "Facility failure (e.g., DS-0 failure)"),
    ];

    /// Parses a reason code value.
    pub fn parse(raw: &'a str) -> Option<ReasonCode<'a>> {
        let raw = text::trim_wsp(raw);
        let digits = raw.get(..3)?;
        let code = u16::try_from(text::parse_decimal(digits.as_bytes(), 3)?).ok()?;
        let mut rest = &raw[3..];
        if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
            return None;
        }
        rest = text::trim_wsp(rest);
        let mut package = None;
        if let Some(p) = rest.strip_prefix('/') {
            let end = p.find([' ', '\t']).unwrap_or(p.len());
            if !crate::event::is_token(&p[..end]) {
                return None;
            }
            package = Some(&p[..end]);
            rest = text::trim_wsp(&p[end..]);
        }
        if !rest
            .bytes()
            .all(|b| (0x20..=0x7e).contains(&b) || b == b'\t')
        {
            return None;
        }
        let text = (!rest.is_empty()).then_some(rest);
        Some(ReasonCode {
            code,
            package,
            text,
        })
    }

    /// The RFC meaning of a defined code.
    pub fn meaning(&self) -> Option<&'static str> {
        Self::DEFINED
            .iter()
            .find(|(c, _)| *c == self.code)
            .map(|(_, m)| *m)
    }
}

impl fmt::Display for ReasonCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.code)?;
        if let Some(p) = self.package {
            write!(f, " /{p}")?;
        }
        if let Some(t) = self.text {
            write!(f, " {t}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let r = ReasonCode::parse("900 Endpoint malfunctioning").unwrap();
        assert_eq!(r.code, 900);
        assert_eq!(r.text, Some("Endpoint malfunctioning"));
        assert_eq!(r.meaning(), Some("Endpoint malfunctioning"));
        let r = ReasonCode::parse("801 /XYZ lost carrier").unwrap();
        assert_eq!(r.package, Some("XYZ"));
        assert_eq!(r.to_string(), "801 /XYZ lost carrier");
        assert_eq!(ReasonCode::parse("000").unwrap().code, 0);
        assert!(ReasonCode::parse("90").is_none());
        assert!(ReasonCode::parse("9000").is_none());
        assert!(ReasonCode::parse("abc").is_none());
    }
}
