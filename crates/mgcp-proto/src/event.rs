//! Event and signal names (RFC 3435 §2.1.7, §3.2.2.4) and their parameters.
//!
//! A name is `[package/]event[@connection]`: `L/hd`, `hd` (the endpoint's
//! default package), `D/[0-9#*T]` (a range of DTMF events), `L/all` (every
//! event of a package), `*/all`, `R/rto@0A3F58`, `G/rt@$` (the connection
//! being created or modified) and `G/rt@*` (every connection).
//!
//! Signals and observed events may carry parameters in parentheses:
//! `L/rg(to=5000)`, `A/ann(file:///greeting.wav)`, `L/ci(10/14/17/26,
//! "555-1212", "John Doe")`. Each parameter is a value, `name=value` or
//! `name(nested parameters)`; values may be quoted strings in which `""`
//! stands for one quote.

use core::fmt;
use std::borrow::Cow;

use crate::text::{self, NestingError};

/// Longest package, event or connection name accepted.
const MAX_TOKEN: usize = 64;

/// Why an event name or parameter list was rejected, and where (a byte
/// offset into the text that was parsed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at offset {offset}")]
pub struct EventError {
    /// Byte offset of the problem in the parsed text.
    pub offset: usize,
    /// What was wrong.
    pub kind: EventErrorKind,
}

/// What was wrong with an event name or its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventErrorKind {
    /// Nothing where an event name was expected.
    #[error("empty event name")]
    Empty,
    /// The package part before `/` is not a name.
    #[error("bad package name")]
    BadPackage,
    /// The event part is not a name, `all`, or a `[...]` range.
    #[error("bad event name")]
    BadEvent,
    /// The part after `@` is not a connection id, `$` or `*`.
    #[error("bad connection after '@'")]
    BadConnection,
    /// A `[` range is not closed or holds characters that are not digits,
    /// letters, `#`, `*` or `a-b` ranges.
    #[error("bad event range")]
    BadRange,
    /// Parentheses or quotes do not balance.
    #[error("unbalanced parentheses or quotes")]
    Unbalanced,
    /// Text follows the closing parenthesis of a parameter list.
    #[error("text after ')'")]
    TrailingText,
    /// A parameter is empty or malformed.
    #[error("bad event or signal parameter")]
    BadParameter,
    /// An action inside a requested event is unknown.
    #[error("unknown action")]
    BadAction,
    /// An embedded request `E(...)` is malformed.
    #[error("bad embedded request")]
    BadEmbedded,
    /// The embedded digit map inside `E(...)` is malformed.
    #[error("bad embedded digit map")]
    BadDigitMap,
}

impl EventErrorKind {
    pub(crate) fn at(self, offset: usize) -> EventError {
        EventError { offset, kind: self }
    }
}

impl From<NestingError> for EventError {
    fn from(e: NestingError) -> Self {
        let offset = match e {
            NestingError::UnexpectedClose(o)
            | NestingError::Unclosed(o)
            | NestingError::UnterminatedQuote(o)
            | NestingError::TooDeep(o) => o,
        };
        EventErrorKind::Unbalanced.at(offset)
    }
}

/// The package part of an event name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PackageName<'a> {
    /// A package such as `L`, `D` or `X-acme`.
    Named(&'a str),
    /// `*`: every package.
    All,
}

impl fmt::Display for PackageName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackageName::Named(n) => f.write_str(n),
            PackageName::All => f.write_str("*"),
        }
    }
}

/// The event part of an event name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventId<'a> {
    /// A single event or signal, such as `hd`, `0`, `*`, `#` or an
    /// accumulated digit string such as `8295555T`.
    Name(&'a str),
    /// `all`: every event of the package.
    All,
    /// `[...]`: a range of digit events; holds the text between brackets.
    Range(&'a str),
}

impl EventId<'_> {
    /// True when this id covers the single event `name` (case-insensitive);
    /// ranges are matched character by character.
    pub fn covers(&self, name: &str) -> bool {
        match self {
            EventId::Name(n) => n.eq_ignore_ascii_case(name),
            EventId::All => true,
            EventId::Range(r) => {
                let mut chars = name.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => range_contains(r, c),
                    _ => false,
                }
            }
        }
    }
}

impl fmt::Display for EventId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventId::Name(n) => f.write_str(n),
            EventId::All => f.write_str("all"),
            EventId::Range(r) => write!(f, "[{r}]"),
        }
    }
}

/// True when the range text (between brackets) covers `c`.
fn range_contains(range: &str, c: char) -> bool {
    let b = range.as_bytes();
    let c = c.to_ascii_uppercase();
    let mut i = 0;
    while i < b.len() {
        if i + 2 < b.len() && b[i + 1] == b'-' {
            let (lo, hi) = (b[i].to_ascii_uppercase(), b[i + 2].to_ascii_uppercase());
            if (lo as char..=hi as char).contains(&c) {
                return true;
            }
            i += 3;
        } else {
            let item = b[i].to_ascii_uppercase() as char;
            if item == c || (item == 'X' && c.is_ascii_digit()) {
                return true;
            }
            i += 1;
        }
    }
    false
}

/// The connection an event or signal applies to (`@...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionTarget<'a> {
    /// A connection id.
    Id(&'a str),
    /// `$`: the connection being created or modified by this command.
    Current,
    /// `*`: every connection of the endpoint.
    All,
}

impl fmt::Display for ConnectionTarget<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectionTarget::Id(id) => f.write_str(id),
            ConnectionTarget::Current => f.write_str("$"),
            ConnectionTarget::All => f.write_str("*"),
        }
    }
}

/// An event or signal name: `[package/]event[@connection]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventName<'a> {
    /// The package; `None` means the endpoint's default package.
    pub package: Option<PackageName<'a>>,
    /// The event or signal.
    pub event: EventId<'a>,
    /// The connection, when the name is qualified with `@`.
    pub connection: Option<ConnectionTarget<'a>>,
}

impl<'a> EventName<'a> {
    /// Parses an event name (no parameters). Surrounding WSP is trimmed.
    pub fn parse(text: &'a str) -> Result<EventName<'a>, EventError> {
        let trimmed = text::trim_wsp(text);
        let base = text::offset_in(text, trimmed);
        if trimmed.is_empty() {
            return Err(EventErrorKind::Empty.at(base));
        }
        // A range may hold '@'? No, but it may hold '*' and '#'; find '@'
        // after the range's closing bracket.
        let range_end = trimmed.find(']').map_or(0, |i| i + 1);
        let (body, connection) = match trimmed[range_end..].find('@') {
            Some(i) => {
                let at = range_end + i;
                let conn = parse_connection(&trimmed[at + 1..])
                    .ok_or(EventErrorKind::BadConnection.at(base + at + 1))?;
                (&trimmed[..at], Some(conn))
            }
            None => (trimmed, None),
        };
        let (package, event_text, event_at) = match split_package(body) {
            Some(slash) => {
                let pkg = &body[..slash];
                let package = match pkg {
                    "*" => PackageName::All,
                    _ if is_token(pkg) => PackageName::Named(pkg),
                    _ => return Err(EventErrorKind::BadPackage.at(base)),
                };
                (Some(package), &body[slash + 1..], slash + 1)
            }
            None => (None, body, 0),
        };
        let event = parse_event_id(event_text).map_err(|k| k.at(base + event_at))?;
        Ok(EventName {
            package,
            event,
            connection,
        })
    }

    /// The package name when it is a named package.
    pub fn package_name(&self) -> Option<&'a str> {
        match self.package {
            Some(PackageName::Named(n)) => Some(n),
            _ => None,
        }
    }

    /// True when this name (possibly a wildcard or range) covers the event
    /// `package/name`; `default_package` stands in for a missing package.
    pub fn covers(&self, default_package: &str, package: &str, name: &str) -> bool {
        let package_ok = match self.package {
            None => default_package.eq_ignore_ascii_case(package),
            Some(PackageName::All) => true,
            Some(PackageName::Named(p)) => p.eq_ignore_ascii_case(package),
        };
        package_ok && self.event.covers(name)
    }
}

impl fmt::Display for EventName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.package {
            write!(f, "{p}/")?;
        }
        write!(f, "{}", self.event)?;
        if let Some(c) = &self.connection {
            write!(f, "@{c}")?;
        }
        Ok(())
    }
}

/// Finds the `/` that ends the package part, ignoring slashes inside a
/// range.
fn split_package(body: &str) -> Option<usize> {
    let slash = body.find('/')?;
    match body.find('[') {
        Some(bracket) if bracket < slash => None,
        _ => Some(slash),
    }
}

fn parse_connection(text: &str) -> Option<ConnectionTarget<'_>> {
    match text {
        "$" => Some(ConnectionTarget::Current),
        "*" => Some(ConnectionTarget::All),
        _ if !text.is_empty()
            && text.len() <= MAX_TOKEN
            && text.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Some(ConnectionTarget::Id(text))
        }
        _ => None,
    }
}

fn parse_event_id(text: &str) -> Result<EventId<'_>, EventErrorKind> {
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or(EventErrorKind::BadRange)?;
        check_range(inner)?;
        return Ok(EventId::Range(inner));
    }
    if text.eq_ignore_ascii_case("all") {
        return Ok(EventId::All);
    }
    let ok = !text.is_empty()
        && text.len() <= MAX_TOKEN
        && text
            .bytes()
            .all(|b| text::is_name_char(b) || b == b'*' || b == b'#' || b == b'.');
    if ok {
        Ok(EventId::Name(text))
    } else {
        Err(EventErrorKind::BadEvent)
    }
}

/// A range holds digit-map letters and `a-b` spans.
fn check_range(inner: &str) -> Result<(), EventErrorKind> {
    let b = inner.as_bytes();
    if b.is_empty() {
        return Err(EventErrorKind::BadRange);
    }
    let mut i = 0;
    while i < b.len() {
        let ok_item = |c: u8| c.is_ascii_alphanumeric() || c == b'#' || c == b'*';
        if !ok_item(b[i]) {
            return Err(EventErrorKind::BadRange);
        }
        if i + 1 < b.len() && b[i + 1] == b'-' {
            match b.get(i + 2) {
                Some(&hi) if ok_item(hi) && hi >= b[i] => i += 3,
                _ => return Err(EventErrorKind::BadRange),
            }
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// A package, event or parameter name token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_TOKEN && s.bytes().all(text::is_name_char)
}

/// An event or signal with its optional parameters: the items of
/// SignalRequests (S), ObservedEvents (O), DetectEvents (T) and
/// EventStates (ES).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventSpec<'a> {
    /// The event or signal.
    pub name: EventName<'a>,
    /// The parameters in parentheses, if any.
    pub parameters: Option<EventParameters<'a>>,
}

impl<'a> EventSpec<'a> {
    /// Parses `name[(parameters)]`.
    pub fn parse(text: &'a str) -> Result<EventSpec<'a>, EventError> {
        let trimmed = text::trim_wsp(text);
        let base = text::offset_in(text, trimmed);
        text::check_nesting(trimmed).map_err(|e| shift(EventError::from(e), base))?;
        match text::find_top_level(trimmed, b'(') {
            None => Ok(EventSpec {
                name: EventName::parse(trimmed).map_err(|e| shift(e, base))?,
                parameters: None,
            }),
            Some(open) => {
                let (name, inner) = text::split_call(trimmed)
                    .ok_or(EventErrorKind::TrailingText.at(base + open))?;
                let name = EventName::parse(name).map_err(|e| shift(e, base))?;
                let parameters =
                    EventParameters::parse(inner).map_err(|e| shift(e, base + open + 1))?;
                Ok(EventSpec {
                    name,
                    parameters: Some(parameters),
                })
            }
        }
    }
}

impl fmt::Display for EventSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if let Some(p) = &self.parameters {
            write!(f, "({p})")?;
        }
        Ok(())
    }
}

pub(crate) fn shift(mut e: EventError, by: usize) -> EventError {
    e.offset += by;
    e
}

/// The parameters of an event or signal: the validated text between the
/// parentheses, iterated as [`EventParameter`]s.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct EventParameters<'a> {
    raw: &'a str,
}

impl<'a> EventParameters<'a> {
    /// Validates a parameter list (the text between the parentheses).
    pub fn parse(raw: &'a str) -> Result<EventParameters<'a>, EventError> {
        text::check_nesting(raw)?;
        for part in text::split_top_level(raw, b',') {
            check_parameter(part).map_err(|k| k.at(text::offset_in(raw, part)))?;
        }
        Ok(EventParameters { raw })
    }

    /// The text between the parentheses, as received.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = EventParameter<'a>> + use<'a> {
        text::split_top_level(self.raw, b',').map(split_parameter)
    }

    /// The value of the first parameter named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<ParameterValue<'a>> {
        self.iter()
            .find(|p| p.name.is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .map(|p| p.value)
    }
}

impl PartialEq for EventParameters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for EventParameters<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// One event or signal parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventParameter<'a> {
    /// The name in `name=value` and `name(value)` forms.
    pub name: Option<&'a str>,
    /// The value.
    pub value: ParameterValue<'a>,
}

impl fmt::Display for EventParameter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name, &self.value) {
            (Some(n), ParameterValue::Nested(inner)) => write!(f, "{n}({inner})"),
            (Some(n), v) => write!(f, "{n}={v}"),
            (None, v) => write!(f, "{v}"),
        }
    }
}

/// The value of an event or signal parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParameterValue<'a> {
    /// A plain value such as `5000` or `file:///a.wav`.
    Text(&'a str),
    /// A quoted string, holding the text between the quotes with `""`
    /// escapes still in place; see [`ParameterValue::unquoted`].
    Quoted(&'a str),
    /// A nested parameter list `name(...)`, holding the inner text.
    Nested(&'a str),
}

impl<'a> ParameterValue<'a> {
    /// The value with quoting removed (`""` becomes `"`).
    pub fn unquoted(&self) -> Cow<'a, str> {
        match *self {
            ParameterValue::Text(t) | ParameterValue::Nested(t) => Cow::Borrowed(t),
            ParameterValue::Quoted(q) if q.contains("\"\"") => Cow::Owned(q.replace("\"\"", "\"")),
            ParameterValue::Quoted(q) => Cow::Borrowed(q),
        }
    }
}

impl fmt::Display for ParameterValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterValue::Text(t) => f.write_str(t),
            ParameterValue::Quoted(q) => write!(f, "\"{q}\""),
            ParameterValue::Nested(n) => write!(f, "({n})"),
        }
    }
}

fn check_parameter(part: &str) -> Result<(), EventErrorKind> {
    let p = text::trim_wsp(part);
    if p.is_empty() {
        return Err(EventErrorKind::BadParameter);
    }
    if p.starts_with('"') {
        return check_quoted(p);
    }
    if text::find_top_level(p, b'(').is_some() {
        let (name, inner) = text::split_call(p).ok_or(EventErrorKind::TrailingText)?;
        if !is_token(text::trim_wsp(name)) {
            return Err(EventErrorKind::BadParameter);
        }
        return EventParameters::parse(inner)
            .map(|_| ())
            .map_err(|e| e.kind);
    }
    if let Some((name, value)) = p.split_once('=') {
        let (name, value) = (text::trim_wsp(name), text::trim_wsp(value));
        if is_token(name) {
            return if value.starts_with('"') {
                check_quoted(value)
            } else {
                check_plain(value)
            };
        }
    }
    check_plain(p)
}

fn check_quoted(q: &str) -> Result<(), EventErrorKind> {
    let inner = q
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or(EventErrorKind::BadParameter)?;
    // Inside, quotes come only in doubled pairs.
    let mut quotes = 0usize;
    for b in inner.bytes() {
        if b == b'"' {
            quotes += 1;
        } else if quotes % 2 == 1 {
            return Err(EventErrorKind::BadParameter);
        }
    }
    if quotes % 2 == 1 || q.len() < 2 {
        return Err(EventErrorKind::BadParameter);
    }
    Ok(())
}

fn check_plain(v: &str) -> Result<(), EventErrorKind> {
    let ok = !v.is_empty()
        && v.bytes()
            .all(|b| (0x20..=0x7e).contains(&b) && !matches!(b, b'"' | b'(' | b')' | b','));
    if ok {
        Ok(())
    } else {
        Err(EventErrorKind::BadParameter)
    }
}

fn split_parameter(part: &str) -> EventParameter<'_> {
    let p = text::trim_wsp(part);
    if p.starts_with('"') {
        return EventParameter {
            name: None,
            value: ParameterValue::Quoted(&p[1..p.len() - 1]),
        };
    }
    if let Some((name, inner)) = text::split_call(p) {
        return EventParameter {
            name: Some(text::trim_wsp(name)),
            value: ParameterValue::Nested(inner),
        };
    }
    if let Some((name, value)) = p.split_once('=') {
        let (name, value) = (text::trim_wsp(name), text::trim_wsp(value));
        if is_token(name) {
            let value = match value.strip_prefix('"') {
                Some(q) => ParameterValue::Quoted(&q[..q.len() - 1]),
                None => ParameterValue::Text(value),
            };
            return EventParameter {
                name: Some(name),
                value,
            };
        }
    }
    EventParameter {
        name: None,
        value: ParameterValue::Text(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> EventName<'_> {
        EventName::parse(s).unwrap()
    }

    #[test]
    fn plain_names() {
        let n = name("L/hd");
        assert_eq!(n.package, Some(PackageName::Named("L")));
        assert_eq!(n.event, EventId::Name("hd"));
        assert_eq!(n.connection, None);
        assert_eq!(name("hd").package, None);
        assert_eq!(name("D/*").event, EventId::Name("*"));
        assert_eq!(name("D/#").event, EventId::Name("#"));
        assert_eq!(name("D/8295555T").event, EventId::Name("8295555T"));
    }

    #[test]
    fn wildcards_ranges_and_connections() {
        assert_eq!(name("L/all").event, EventId::All);
        assert_eq!(name("*/all").package, Some(PackageName::All));
        let r = name("D/[0-9#*T]");
        assert_eq!(r.event, EventId::Range("0-9#*T"));
        assert!(r.event.covers("7") && r.event.covers("#") && r.event.covers("t"));
        assert!(!r.event.covers("A"));
        let c = name("R/rto@0A3F58");
        assert_eq!(c.connection, Some(ConnectionTarget::Id("0A3F58")));
        assert_eq!(name("G/rt@$").connection, Some(ConnectionTarget::Current));
        assert_eq!(name("G/rt@*").connection, Some(ConnectionTarget::All));
        assert_eq!(name("[0-9]").event, EventId::Range("0-9"));
        assert!(name("[x]").event.covers("5"));
    }

    #[test]
    fn coverage_with_default_package() {
        let n = name("hd");
        assert!(n.covers("L", "l", "HD"));
        assert!(!n.covers("L", "D", "hd"));
        assert!(name("*/all").covers("L", "R", "rto"));
    }

    #[test]
    fn bad_names_report_offsets() {
        assert_eq!(
            EventName::parse("").unwrap_err().kind,
            EventErrorKind::Empty
        );
        assert_eq!(
            EventName::parse("L/h d").unwrap_err(),
            EventErrorKind::BadEvent.at(2)
        );
        assert_eq!(
            EventName::parse("L/hd@").unwrap_err(),
            EventErrorKind::BadConnection.at(5)
        );
        assert_eq!(
            EventName::parse("D/[9-0]").unwrap_err().kind,
            EventErrorKind::BadRange
        );
        assert_eq!(
            EventName::parse("L!/hd").unwrap_err().kind,
            EventErrorKind::BadPackage
        );
    }

    #[test]
    fn signal_parameters() {
        let s = EventSpec::parse("L/rg(to=5000)").unwrap();
        let p = s.parameters.unwrap();
        assert_eq!(p.get("to"), Some(ParameterValue::Text("5000")));
        let s = EventSpec::parse(r#"L/ci(10/14/17/26, "555-1212", "John ""JD"" Doe")"#).unwrap();
        let items: Vec<_> = s.parameters.unwrap().iter().collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].value, ParameterValue::Text("10/14/17/26"));
        assert_eq!(items[2].value.unquoted(), "John \"JD\" Doe");
        let s = EventSpec::parse("A/ann(file:///tmp/a.wav)").unwrap();
        assert_eq!(
            s.parameters.unwrap().iter().next().unwrap().value,
            ParameterValue::Text("file:///tmp/a.wav")
        );
        let s = EventSpec::parse("X/foo(a(b,c),d)").unwrap();
        let first = s.parameters.unwrap().iter().next().unwrap();
        assert_eq!(first.name, Some("a"));
        assert_eq!(first.value, ParameterValue::Nested("b,c"));
    }

    #[test]
    fn bad_parameters() {
        for bad in ["L/rg(", "L/rg(a,,b)", "L/rg(\"x)", "L/rg(a)b", "L/rg()"] {
            assert!(EventSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn display_round_trip() {
        for s in [
            "L/hd",
            "D/[0-9#*T]",
            "G/rt@$",
            "L/rg(to=5000)",
            "X/y(a(b,c),\"q\")",
        ] {
            let e = EventSpec::parse(s).unwrap();
            assert_eq!(e.to_string(), s);
        }
    }
}
