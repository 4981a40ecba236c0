//! Transaction identifiers (RFC 3435 §3.2.1.2).

use core::fmt;

/// A transaction identifier: a decimal number from 1 to 999 999 999.
///
/// The value 0 is accepted only where a parse option allows it (osmo-mgw
/// answers unparsable commands with `000000`); it is never generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransactionId(u32);

impl TransactionId {
    /// The largest identifier RFC 3435 allows.
    pub const MAX: u32 = 999_999_999;

    /// An identifier from 1 to [`TransactionId::MAX`].
    pub const fn new(value: u32) -> Option<TransactionId> {
        if value >= 1 && value <= Self::MAX {
            Some(TransactionId(value))
        } else {
            None
        }
    }

    /// The identifier 0, seen only in responses from some peers.
    pub const ZERO: TransactionId = TransactionId(0);

    /// The numeric value.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The identifier after this one, wrapping from MAX back to 1.
    pub const fn next(self) -> TransactionId {
        if self.0 >= Self::MAX {
            TransactionId(1)
        } else {
            TransactionId(self.0 + 1)
        }
    }

    /// Parses 1 to 9 decimal digits. Returns the value even when it is 0;
    /// the caller decides whether 0 is acceptable.
    pub(crate) fn parse_digits(text: &[u8]) -> Option<TransactionId> {
        crate::text::parse_decimal(text, 9).map(TransactionId)
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range() {
        assert!(TransactionId::new(0).is_none());
        assert_eq!(TransactionId::new(1).unwrap().value(), 1);
        assert!(TransactionId::new(999_999_999).is_some());
        assert!(TransactionId::new(1_000_000_000).is_none());
        assert_eq!(TransactionId::new(999_999_999).unwrap().next().value(), 1);
    }

    #[test]
    fn parses_digits() {
        assert_eq!(TransactionId::parse_digits(b"000123").unwrap().value(), 123);
        assert!(TransactionId::parse_digits(b"1234567890").is_none());
        assert!(TransactionId::parse_digits(b"12a").is_none());
        assert!(TransactionId::parse_digits(b"").is_none());
    }
}
