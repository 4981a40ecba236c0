//! ConnectionParameters (`P:`, RFC 3435 §3.2.2.7): connection statistics
//! sent with DeleteConnection responses and audits.
//!
//! `P: PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48`, plus
//! extensions such as PacketCable's `PC/RPS=...` or vendor `X-...`.

use core::fmt;

use crate::text;

/// The statistics RFC 3435 defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Statistic {
    /// `PS`: packets sent.
    PacketsSent,
    /// `OS`: octets sent.
    OctetsSent,
    /// `PR`: packets received.
    PacketsReceived,
    /// `OR`: octets received.
    OctetsReceived,
    /// `PL`: packets lost (RFC 3550 cumulative loss; may be negative).
    PacketsLost,
    /// `JI`: average inter-packet arrival jitter, in milliseconds.
    Jitter,
    /// `LA`: average latency, in milliseconds.
    Latency,
}

impl Statistic {
    /// Every statistic in wire order.
    pub const ALL: [Statistic; 7] = [
        Statistic::PacketsSent,
        Statistic::OctetsSent,
        Statistic::PacketsReceived,
        Statistic::OctetsReceived,
        Statistic::PacketsLost,
        Statistic::Jitter,
        Statistic::Latency,
    ];

    /// The two-letter code.
    pub fn code(&self) -> &'static str {
        match self {
            Statistic::PacketsSent => "PS",
            Statistic::OctetsSent => "OS",
            Statistic::PacketsReceived => "PR",
            Statistic::OctetsReceived => "OR",
            Statistic::PacketsLost => "PL",
            Statistic::Jitter => "JI",
            Statistic::Latency => "LA",
        }
    }

    fn from_code(code: &str) -> Option<Statistic> {
        Statistic::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(code))
    }
}

/// One item of a ConnectionParameters list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionParameter<'a> {
    /// A statistic defined by RFC 3435.
    Known(Statistic, i64),
    /// An extension such as `PC/RPS=12` or `X-Osmo-xyz=1`, as written.
    Extension {
        /// The name before `=`.
        name: &'a str,
        /// The value after `=`.
        value: &'a str,
    },
}

impl fmt::Display for ConnectionParameter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionParameter::Known(s, v) => write!(f, "{}={v}", s.code()),
            ConnectionParameter::Extension { name, value } => write!(f, "{name}={value}"),
        }
    }
}

/// A validated ConnectionParameters list.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct ConnectionParameters<'a> {
    raw: &'a str,
}

impl<'a> ConnectionParameters<'a> {
    /// Validates the list; returns the byte offset of a bad item.
    pub fn parse(raw: &'a str) -> Result<ConnectionParameters<'a>, usize> {
        let trimmed = text::trim_wsp(raw);
        if !trimmed.is_empty() {
            for part in trimmed.split(',') {
                parse_item(part).ok_or(text::offset_in(raw, part))?;
            }
        }
        Ok(ConnectionParameters { raw: trimmed })
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = ConnectionParameter<'a>> + use<'a> {
        let raw = self.raw;
        raw.split(',')
            .filter(move |_| !raw.is_empty())
            .filter_map(parse_item)
    }

    /// The value of a statistic, if present.
    pub fn get(&self, stat: Statistic) -> Option<i64> {
        self.iter().find_map(|p| match p {
            ConnectionParameter::Known(s, v) if s == stat => Some(v),
            _ => None,
        })
    }

    /// The value of an extension parameter (case-insensitive name).
    pub fn extension(&self, name: &str) -> Option<&'a str> {
        self.iter().find_map(|p| match p {
            ConnectionParameter::Extension { name: n, value } if n.eq_ignore_ascii_case(name) => {
                Some(value)
            }
            _ => None,
        })
    }
}

fn parse_item(part: &str) -> Option<ConnectionParameter<'_>> {
    let (name, value) = part.split_once('=')?;
    let (name, value) = (text::trim_wsp(name), text::trim_wsp(value));
    if let Some(stat) = Statistic::from_code(name) {
        let (neg, digits) = match value.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, value),
        };
        let v = i64::try_from(text::parse_u64(digits)?).ok()?;
        return Some(ConnectionParameter::Known(stat, if neg { -v } else { v }));
    }
    let name_ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'/' | b'_'));
    let value_ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b',' || b == b' ');
    (name_ok && value_ok).then_some(ConnectionParameter::Extension { name, value })
}

impl PartialEq for ConnectionParameters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for ConnectionParameters<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_example() {
        let p =
            ConnectionParameters::parse("PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27,LA=48")
                .unwrap();
        assert_eq!(p.get(Statistic::PacketsSent), Some(1245));
        assert_eq!(p.get(Statistic::Latency), Some(48));
        assert_eq!(p.iter().count(), 7);
        assert_eq!(
            p.to_string(),
            "PS=1245, OS=62345, PR=780, OR=45123, PL=10, JI=27, LA=48"
        );
    }

    #[test]
    fn extensions_and_negative_loss() {
        let p = ConnectionParameters::parse("PS=1, PL=-2, PC/RPS=5, X-Osmo-CP=EC TI=0").unwrap();
        assert_eq!(p.get(Statistic::PacketsLost), Some(-2));
        assert_eq!(p.extension("pc/rps"), Some("5"));
        assert_eq!(p.extension("X-Osmo-CP"), Some("EC TI=0"));
    }

    #[test]
    fn rejects_bad_items() {
        assert_eq!(ConnectionParameters::parse("PS=1, OS"), Err(5));
        assert_eq!(ConnectionParameters::parse("PS=x"), Err(0));
        assert_eq!(ConnectionParameters::parse("PS=1,,OS=2"), Err(5));
    }
}
