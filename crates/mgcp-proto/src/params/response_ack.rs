//! ResponseAck (`K:`, RFC 3435 §3.2.2.19): ranges of transaction ids whose
//! final responses the sender has received, so the peer can forget them.

use core::fmt;

use crate::text;
use crate::transaction_id::TransactionId;

/// A validated ResponseAck list such as `6234-6255, 6257, 19030-19044`.
/// An empty value is legal (a final response after a provisional one
/// carries an empty `K:` to ask for a response acknowledgement).
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct ResponseAck<'a> {
    raw: &'a str,
}

/// Why a ResponseAck value was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResponseAckError {
    /// Byte offset of the bad range.
    pub offset: usize,
}

impl<'a> ResponseAck<'a> {
    /// The empty acknowledgement.
    pub const EMPTY: ResponseAck<'static> = ResponseAck { raw: "" };

    /// Validates a list of `id` and `first-last` ranges.
    pub fn parse(raw: &'a str) -> Result<ResponseAck<'a>, ResponseAckError> {
        let trimmed = text::trim_wsp(raw);
        if !trimmed.is_empty() {
            for part in trimmed.split(',') {
                if parse_range(part).is_none() {
                    return Err(ResponseAckError {
                        offset: text::offset_in(raw, part),
                    });
                }
            }
        }
        Ok(ResponseAck { raw: trimmed })
    }

    /// True when no range is listed.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The ranges as inclusive `(first, last)` pairs.
    pub fn ranges(&self) -> impl Iterator<Item = (TransactionId, TransactionId)> + use<'a> {
        let raw = self.raw;
        raw.split(',')
            .filter(move |_| !raw.is_empty())
            .filter_map(parse_range)
    }

    /// True when `id` falls in one of the ranges.
    pub fn contains(&self, id: TransactionId) -> bool {
        self.ranges().any(|(a, b)| a <= id && id <= b)
    }
}

fn parse_range(part: &str) -> Option<(TransactionId, TransactionId)> {
    let part = text::trim_wsp(part);
    let (first, last) = match part.split_once('-') {
        Some((a, b)) => (text::trim_wsp(a), text::trim_wsp(b)),
        None => (part, part),
    };
    let first = TransactionId::new(text::parse_decimal(first.as_bytes(), 9)?)?;
    let last = TransactionId::new(text::parse_decimal(last.as_bytes(), 9)?)?;
    (first <= last).then_some((first, last))
}

impl PartialEq for ResponseAck<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.ranges().eq(other.ranges())
    }
}

impl fmt::Display for ResponseAck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (a, b)) in self.ranges().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        Ok(())
    }
}

/// Writes a ResponseAck value for a sorted, de-duplicated list of ids,
/// merging consecutive ids into ranges.
pub fn write_ranges(out: &mut impl fmt::Write, sorted_ids: &[TransactionId]) -> fmt::Result {
    let mut i = 0;
    let mut first = true;
    while i < sorted_ids.len() {
        let start = sorted_ids[i];
        let mut end = start;
        while i + 1 < sorted_ids.len() && sorted_ids[i + 1].value() == end.value() + 1 {
            i += 1;
            end = sorted_ids[i];
        }
        if !first {
            out.write_str(", ")?;
        }
        first = false;
        if start == end {
            write!(out, "{start}")?;
        } else {
            write!(out, "{start}-{end}")?;
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tid(v: u32) -> TransactionId {
        TransactionId::new(v).unwrap()
    }

    #[test]
    fn ranges() {
        let k = ResponseAck::parse("6234-6255, 6257, 19030-19044").unwrap();
        let r: Vec<_> = k.ranges().collect();
        assert_eq!(
            r,
            vec![
                (tid(6234), tid(6255)),
                (tid(6257), tid(6257)),
                (tid(19030), tid(19044))
            ]
        );
        assert!(k.contains(tid(6240)) && k.contains(tid(6257)) && !k.contains(tid(6256)));
        assert_eq!(k.to_string(), "6234-6255, 6257, 19030-19044");
        assert!(ResponseAck::parse("").unwrap().is_empty());
    }

    #[test]
    fn rejects_bad_ranges() {
        assert_eq!(ResponseAck::parse("5-3").unwrap_err().offset, 0);
        assert_eq!(ResponseAck::parse("1, x").unwrap_err().offset, 2);
        assert!(ResponseAck::parse("0").is_err());
        assert!(ResponseAck::parse("1,").is_err());
        assert!(ResponseAck::parse("1000000000").is_err());
    }

    #[test]
    fn writes_merged_ranges() {
        let ids: Vec<_> = [1, 2, 3, 5, 7, 8].into_iter().map(tid).collect();
        let mut s = String::new();
        write_ranges(&mut s, &ids).unwrap();
        assert_eq!(s, "1-3, 5, 7-8");
    }
}
