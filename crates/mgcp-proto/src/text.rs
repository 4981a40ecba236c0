//! Small byte-level helpers shared by the parsers. None of them allocate.

/// Space or horizontal tab (RFC 3435's WSP).
#[inline]
pub(crate) fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Trims leading and trailing WSP.
#[inline]
pub(crate) fn trim_wsp(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// Parses 1 to `max_digits` ASCII decimal digits into a u32.
#[inline]
pub(crate) fn parse_decimal(text: &[u8], max_digits: usize) -> Option<u32> {
    if text.is_empty() || text.len() > max_digits {
        return None;
    }
    let mut value: u32 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(value)
}

/// Parses decimal digits into a u64 (statistics counters can exceed u32).
pub(crate) fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// True when `s` is 1 to `max` hexadecimal digits.
#[inline]
pub(crate) fn is_hex_id(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// True for the characters RFC 3435 allows in a token such as a package or
/// event name: letters, digits and hyphen (plus `_` which equipment uses).
#[inline]
pub(crate) fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Splits `s` at top-level occurrences of `sep`: separators inside
/// parentheses or double-quoted strings do not count. Quotes inside quoted
/// strings are escaped by doubling (RFC 3435 quotedString). The caller must
/// have checked the balance with [`check_nesting`].
pub(crate) fn split_top_level(s: &str, sep: u8) -> TopLevelSplit<'_> {
    TopLevelSplit { rest: Some(s), sep }
}

/// Iterator returned by [`split_top_level`].
pub(crate) struct TopLevelSplit<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for TopLevelSplit<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        match find_top_level(s, self.sep) {
            Some(i) => {
                self.rest = Some(&s[i + 1..]);
                Some(&s[..i])
            }
            None => {
                self.rest = None;
                Some(s)
            }
        }
    }
}

/// Index of the first top-level `sep` in `s`.
pub(crate) fn find_top_level(s: &str, sep: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        if quoted {
            if b == b'"' {
                quoted = false;
            }
            continue;
        }
        if b == sep && depth == 0 {
            return Some(i);
        }
        match b {
            b'"' => quoted = true,
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Why nesting is broken, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NestingError {
    /// A `)` with no `(` before it, at this offset.
    UnexpectedClose(usize),
    /// A `(` never closed, at this offset.
    Unclosed(usize),
    /// A `"` never closed, at this offset.
    UnterminatedQuote(usize),
    /// Deeper than the limit, at this offset.
    TooDeep(usize),
}

/// The deepest parenthesis nesting accepted; embedded requests need three.
pub(crate) const MAX_NESTING: usize = 16;

/// Checks that parentheses balance outside quoted strings and that quoted
/// strings end.
pub(crate) fn check_nesting(s: &str) -> Result<(), NestingError> {
    let mut depth = 0usize;
    let mut open_at = 0usize;
    let mut quote_at = None;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if quote_at.is_some() {
            if b == b'"' {
                quote_at = None;
            }
            continue;
        }
        match b {
            b'"' => quote_at = Some(i),
            b'(' => {
                if depth == 0 {
                    open_at = i;
                }
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(NestingError::TooDeep(i));
                }
            }
            b')' => {
                if depth == 0 {
                    return Err(NestingError::UnexpectedClose(i));
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    if let Some(at) = quote_at {
        return Err(NestingError::UnterminatedQuote(at));
    }
    if depth > 0 {
        return Err(NestingError::Unclosed(open_at));
    }
    Ok(())
}

/// If `s` (already trimmed) is `head(inner)` with the parenthesis closing at
/// the very end, returns `(head, inner)`. The caller has checked nesting.
pub(crate) fn split_call(s: &str) -> Option<(&str, &str)> {
    let open = find_top_level(s, b'(')?;
    let inner_and_close = &s[open + 1..];
    let close = matching_close(inner_and_close)?;
    if close + 1 != inner_and_close.len() {
        return None;
    }
    Some((&s[..open], &inner_and_close[..close]))
}

/// In `s`, which starts just after a `(`, the index of the matching `)`.
pub(crate) fn matching_close(s: &str) -> Option<usize> {
    let mut depth = 1usize;
    let mut quoted = false;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if quoted {
            if b == b'"' {
                quoted = false;
            }
            continue;
        }
        match b {
            b'"' => quoted = true,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Byte offset of `part` inside `whole`; both must come from the same text.
#[inline]
pub(crate) fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal() {
        assert_eq!(parse_decimal(b"0", 9), Some(0));
        assert_eq!(parse_decimal(b"4294967295", 10), Some(u32::MAX));
        assert_eq!(parse_decimal(b"4294967296", 10), None);
        assert_eq!(parse_decimal(b"", 9), None);
        assert_eq!(parse_decimal(b"1 ", 9), None);
    }

    #[test]
    fn top_level_split_respects_parens_and_quotes() {
        let parts: Vec<_> = split_top_level(r#"a(b,c), d("x,"")y"), e"#, b',').collect();
        assert_eq!(parts, vec!["a(b,c)", r#" d("x,"")y")"#, " e"]);
    }

    #[test]
    fn nesting() {
        assert_eq!(check_nesting("a(b(c))"), Ok(()));
        assert_eq!(check_nesting("a)"), Err(NestingError::UnexpectedClose(1)));
        assert_eq!(check_nesting("a(b"), Err(NestingError::Unclosed(1)));
        assert_eq!(
            check_nesting("\"a"),
            Err(NestingError::UnterminatedQuote(0))
        );
        assert_eq!(check_nesting("\"(\""), Ok(()));
        let deep = "(".repeat(17) + &")".repeat(17);
        assert!(matches!(
            check_nesting(&deep),
            Err(NestingError::TooDeep(_))
        ));
    }

    #[test]
    fn call_syntax() {
        assert_eq!(split_call("E(R(x),S(y))"), Some(("E", "R(x),S(y)")));
        assert_eq!(split_call("ab"), None);
        assert_eq!(split_call("a(b)c"), None);
        assert_eq!(split_call("a(b)(c)"), None);
    }
}
