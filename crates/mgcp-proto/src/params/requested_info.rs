//! RequestedInfo (`F:`, RFC 3435 §3.2.2.17): which parameters an audit
//! should return, e.g. `F: R,D,S,X,N,I,T,O,ES` or `F: C, M, LC, RC`.

use core::fmt;

use super::{ParamName, is_param_name};
use crate::text;

/// A validated list of parameter codes.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct RequestedInfo<'a> {
    raw: &'a str,
}

impl<'a> RequestedInfo<'a> {
    /// Validates the list (an empty list is legal: nothing is requested).
    /// Returns the offset of a bad item.
    pub fn parse(raw: &'a str) -> Result<RequestedInfo<'a>, usize> {
        let trimmed = text::trim_wsp(raw);
        if !trimmed.is_empty() {
            for part in trimmed.split(',') {
                if !is_param_name(text::trim_wsp(part)) {
                    return Err(text::offset_in(raw, part));
                }
            }
        }
        Ok(RequestedInfo { raw: trimmed })
    }

    /// The requested parameter names in order.
    pub fn iter(&self) -> impl Iterator<Item = ParamName<'a>> + use<'a> {
        let raw = self.raw;
        raw.split(',')
            .filter(move |_| !raw.is_empty())
            .map(|p| ParamName::from_code(text::trim_wsp(p)))
    }

    /// True when `name` is requested.
    pub fn contains(&self, name: ParamName<'_>) -> bool {
        self.iter()
            .any(|n| n.code().eq_ignore_ascii_case(name.code()))
    }
}

impl PartialEq for RequestedInfo<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for RequestedInfo<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(n.code())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let f = RequestedInfo::parse("X, A, I").unwrap();
        assert!(f.contains(ParamName::Capabilities));
        assert!(!f.contains(ParamName::CallId));
        let f = RequestedInfo::parse("C,M,LC,RC,X-foo").unwrap();
        assert_eq!(f.iter().count(), 5);
        assert!(f.contains(ParamName::RemoteConnectionDescriptor));
        assert_eq!(f.to_string(), "C, M, LC, RC, X-foo");
        assert_eq!(RequestedInfo::parse("C,,M"), Err(2));
    }
}
