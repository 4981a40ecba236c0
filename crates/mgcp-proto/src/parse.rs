//! The message parser: full recognition of a datagram into typed messages,
//! borrowing from the input.
//!
//! A datagram holds one message or several piggybacked ones separated by a
//! line holding only `.` (RFC 3435 §3.5.5). Each message is a first line,
//! parameter lines and, after an empty line, session descriptions.
//! Everything is validated before a [`Message`] is returned, so callers
//! never re-check syntax.

use memchr::{memchr, memchr2};

use crate::digit_map::DigitMapOptions;
use crate::endpoint_name::EndpointName;
use crate::error::{ErrorKind, ParseError};
use crate::message::{Command, Descriptions, Message, Params, ProtocolVersion, Response};
use crate::params::{Param, ParamName, is_param_name};
use crate::return_code::ReturnCode;
use crate::sdp::{self, SdpOptions, SessionDescription};
use crate::text::{self, is_wsp};
use crate::transaction_id::TransactionId;
use crate::verb::Verb;

/// Parser settings. Every leniency is a named switch, documented with the
/// equipment that needs it.
///
/// [`ParseOptions::default`] follows RFC 3435's grammar (which already
/// allows LF or CRLF line endings, WSP runs, tabs, case-insensitive verbs
/// and parameter names, and empty values such as `S:` and `K:`).
/// [`ParseOptions::lenient`] turns every switch on, for receivers facing
/// real equipment.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Accept lines ending with a bare CR. Some old gateways and hand-typed
    /// test messages (classic Mac line endings) send them.
    pub bare_cr: bool,
    /// Accept white space before the colon of a parameter line (`C : 1`),
    /// seen from hand-written scripts and some test tools.
    pub space_before_colon: bool,
    /// Accept trailing white space at the end of lines (Cisco IOS debug
    /// captures and copy-pasted messages carry it).
    pub trailing_whitespace: bool,
    /// Accept a response with transaction id 0; osmo-mgw answers commands
    /// it cannot parse with `000000`.
    pub zero_transaction_id: bool,
    /// Accept `M:` holding a list of modes; Cisco gateways list their
    /// supported modes that way in AuditEndpoint responses (seed 003).
    pub mode_lists: bool,
    /// Accept CallId, ConnectionId and RequestIdentifier values that are
    /// not hexadecimal (any 1 to 32 visible characters), for call agents
    /// that use dashed or alphanumeric identifiers. Off in both presets.
    pub loose_identifiers: bool,
    /// Ignore NUL bytes at the end of a datagram (padding added by some
    /// embedded stacks).
    pub trailing_nul: bool,
    /// Accept empty lines around the `.` separator of piggybacked messages.
    pub blank_lines_around_separator: bool,
    /// Largest message accepted, in bytes.
    pub max_message_size: usize,
    /// Most parameter lines accepted in one message (wildcard audit
    /// responses list one `Z:` line per endpoint).
    pub max_params: usize,
    /// Settings for session descriptions.
    pub sdp: SdpOptions,
    /// Settings for digit maps.
    pub digit_map: DigitMapOptions,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            bare_cr: false,
            space_before_colon: false,
            trailing_whitespace: false,
            zero_transaction_id: false,
            mode_lists: false,
            loose_identifiers: false,
            trailing_nul: false,
            blank_lines_around_separator: false,
            max_message_size: 65_535,
            max_params: 4096,
            sdp: SdpOptions::strict(),
            digit_map: DigitMapOptions::default(),
        }
    }
}

impl ParseOptions {
    /// RFC 3435's grammar, nothing more (same as `default()`).
    pub fn strict() -> Self {
        ParseOptions::default()
    }

    /// Every leniency on: what a gateway or call agent facing real
    /// equipment should use.
    pub fn lenient() -> Self {
        ParseOptions {
            bare_cr: true,
            space_before_colon: true,
            trailing_whitespace: true,
            zero_transaction_id: true,
            mode_lists: true,
            // Off even here: no equipment we know sends non-hex ids, and the
            // RFC's 1*32(HEXDIG) lets a receiver catch garbage early.
            loose_identifiers: false,
            trailing_nul: true,
            blank_lines_around_separator: true,
            sdp: SdpOptions::lenient(),
            ..ParseOptions::default()
        }
    }
}

/// Parses a single message with the default (strict) options.
///
/// A datagram holding piggybacked messages is an error here; use
/// [`parse_datagram`] for datagrams.
pub fn parse(input: &[u8]) -> Result<Message<'_>, ParseError> {
    parse_with(input, &ParseOptions::default())
}

/// Parses a single message.
pub fn parse_with<'a>(input: &'a [u8], opts: &ParseOptions) -> Result<Message<'a>, ParseError> {
    let text = as_text(input, opts)?;
    let mut parser = Parser::new(text, opts);
    let message = parser.message()?;
    if parser.pos < text.len() {
        return Err(parser.error_at(
            parser.pos,
            ErrorKind::BadParameterLine(
                "a piggybacked message follows; parse the datagram with parse_datagram",
            ),
        ));
    }
    Ok(message)
}

/// Parses every message of a datagram, in order. Each item is a message or
/// the error that message had; parsing continues with the next message
/// after an error.
pub fn parse_datagram<'a, 'o>(input: &'a [u8], opts: &'o ParseOptions) -> Datagram<'a, 'o> {
    match as_text(input, opts) {
        Ok(text) => Datagram {
            text,
            pos: 0,
            opts,
            first_error: None,
        },
        Err(e) => Datagram {
            text: "",
            pos: 0,
            opts,
            first_error: Some(e),
        },
    }
}

/// Iterator over the messages of a datagram; see [`parse_datagram`].
#[derive(Debug)]
pub struct Datagram<'a, 'o> {
    text: &'a str,
    pos: usize,
    opts: &'o ParseOptions,
    first_error: Option<ParseError>,
}

impl<'a> Iterator for Datagram<'a, '_> {
    type Item = Result<Message<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.first_error.take() {
            return Some(Err(e));
        }
        let rest = &self.text[self.pos..];
        if rest.is_empty() || (self.pos > 0 && rest.bytes().all(|b| b == b'\r' || b == b'\n')) {
            return None;
        }
        let mut parser = Parser::new(rest, self.opts);
        let result = parser.message();
        self.pos += match result {
            Ok(_) => parser.pos,
            Err(_) => next_separator(rest).unwrap_or(rest.len()),
        };
        Some(result)
    }
}

/// Splits a datagram into the raw text of each piggybacked message, without
/// parsing them (for tools that show or forward messages as they are).
pub fn split_datagram(input: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(input);
    core::iter::from_fn(move || {
        let r = rest?;
        match separator_span(r) {
            Some((start, end)) => {
                rest = Some(&r[end..]);
                Some(&r[..start])
            }
            None => {
                rest = None;
                (!r.trim().is_empty()).then_some(r)
            }
        }
    })
}

/// Byte offset just after the next `.` separator line.
fn next_separator(text: &str) -> Option<usize> {
    separator_span(text).map(|(_, end)| end)
}

/// Where the next separator line starts and where the message after it
/// starts.
fn separator_span(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut line_start = 0;
    while line_start < b.len() {
        let line_end = memchr(b'\n', &b[line_start..]).map_or(b.len(), |i| line_start + i);
        let line = &b[line_start..line_end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line == b"." {
            return Some((line_start, (line_end + 1).min(b.len())));
        }
        line_start = line_end + 1;
    }
    None
}

fn as_text<'a>(input: &'a [u8], opts: &ParseOptions) -> Result<&'a str, ParseError> {
    let mut input = input;
    if opts.trailing_nul {
        while let [rest @ .., 0] = input {
            input = rest;
        }
    }
    let bare = |kind| ParseError {
        kind,
        line: 1,
        column: 1,
        transaction_id: None,
        verb: None,
        is_response: false,
    };
    if input.is_empty() {
        return Err(bare(ErrorKind::Empty));
    }
    if input.len() > opts.max_message_size.saturating_mul(8) {
        return Err(bare(ErrorKind::TooLarge {
            limit: opts.max_message_size,
        }));
    }
    core::str::from_utf8(input).map_err(|e| {
        let mut err = bare(ErrorKind::NotText);
        let (line, column) = locate(input, e.valid_up_to());
        err.line = line;
        err.column = column;
        err
    })
}

/// 1-based line and column of a byte offset.
fn locate(text: &[u8], offset: usize) -> (u32, u32) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    (clamp(line), clamp(offset - line_start + 1))
}

/// What the first line told us, kept so errors can carry it.
#[derive(Debug, Clone, Copy, Default)]
struct Header {
    transaction_id: Option<TransactionId>,
    verb: Option<Verb>,
    is_response: bool,
}

/// One line: its text without line ending, and its start offset.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    text: &'a str,
    start: usize,
}

struct Parser<'a, 'o> {
    text: &'a str,
    pos: usize,
    opts: &'o ParseOptions,
    header: Header,
}

impl<'a, 'o> Parser<'a, 'o> {
    fn new(text: &'a str, opts: &'o ParseOptions) -> Self {
        Parser {
            text,
            pos: 0,
            opts,
            header: Header::default(),
        }
    }

    fn error_at(&self, offset: usize, kind: ErrorKind) -> ParseError {
        let (line, column) = locate(self.text.as_bytes(), offset);
        ParseError {
            kind,
            line,
            column,
            transaction_id: self.header.transaction_id,
            verb: self.header.verb,
            is_response: self.header.is_response,
        }
    }

    /// The next line, or `None` at the end of the text.
    fn next_line(&mut self) -> Result<Option<Line<'a>>, ParseError> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if start >= bytes.len() {
            return Ok(None);
        }
        let rest = &bytes[start..];
        let (len, skip) = match memchr2(b'\n', b'\r', rest) {
            None => (rest.len(), 0),
            Some(i) if rest[i] == b'\n' => (i, 1),
            Some(i) if rest.get(i + 1) == Some(&b'\n') => (i, 2),
            Some(i) => {
                if !self.opts.bare_cr {
                    return Err(self.error_at(start + i, ErrorKind::BareCarriageReturn));
                }
                (i, 1)
            }
        };
        self.pos = start + len + skip;
        Ok(Some(Line {
            text: &self.text[start..start + len],
            start,
        }))
    }

    fn message(&mut self) -> Result<Message<'a>, ParseError> {
        if self.opts.blank_lines_around_separator {
            self.skip_blank_lines();
        }
        let first = self
            .next_line()?
            .ok_or_else(|| self.error_at(self.pos, ErrorKind::Empty))?;
        if first.text.len() > self.opts.max_message_size {
            return Err(self.error_at(
                0,
                ErrorKind::TooLarge {
                    limit: self.opts.max_message_size,
                },
            ));
        }
        let first_text = self.check_line_end(first)?;
        let starts_with_digit = first_text
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_digit);
        if starts_with_digit {
            let (code, tid, package, commentary) = self.response_line(first_text, first.start)?;
            let (params, sdp) = self.body()?;
            Ok(Message::Response(Response {
                code,
                transaction_id: tid,
                package,
                commentary,
                params,
                sdp,
            }))
        } else {
            let (verb, tid, endpoint, version) = self.command_line(first_text, first.start)?;
            let (params, sdp) = self.body()?;
            Ok(Message::Command(Command {
                verb,
                transaction_id: tid,
                endpoint,
                version,
                params,
                sdp,
            }))
        }
    }

    fn skip_blank_lines(&mut self) {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() && matches!(bytes[self.pos], b'\r' | b'\n') {
            self.pos += 1;
        }
    }

    /// Rejects trailing white space unless allowed, and returns the line
    /// text to parse.
    fn check_line_end(&self, line: Line<'a>) -> Result<&'a str, ParseError> {
        let t = line.text;
        if t.ends_with([' ', '\t']) {
            if !self.opts.trailing_whitespace {
                let at = line.start + t.trim_end_matches([' ', '\t']).len();
                return Err(self.error_at(at, ErrorKind::BadParameterLine("trailing white space")));
            }
            return Ok(t.trim_end_matches([' ', '\t']));
        }
        Ok(t)
    }

    /// `VERB tid endpoint MGCP x.y [profile]`.
    fn command_line(
        &mut self,
        line: &'a str,
        start: usize,
    ) -> Result<(Verb, TransactionId, EndpointName<'a>, ProtocolVersion<'a>), ParseError> {
        let mut fields = Fields::new(line);
        let (verb_text, verb_at) = fields
            .next()
            .ok_or_else(|| self.error_at(start, ErrorKind::BadFirstLine("empty first line")))?;
        let verb = Verb::from_bytes(verb_text.as_bytes());
        // Read the transaction id before judging the verb, so that an unknown
        // verb can still be answered with 504 and the right id.
        let tid_field = fields.next();
        if let Some((tid_text, _)) = tid_field {
            self.header.transaction_id =
                TransactionId::parse_digits(tid_text.as_bytes()).filter(|t| t.value() != 0);
        }
        let verb = verb.ok_or_else(|| self.error_at(start + verb_at, ErrorKind::UnknownVerb))?;
        self.header.verb = Some(verb);
        let (tid_text, tid_at) = tid_field.ok_or_else(|| {
            self.error_at(
                start + line.len(),
                ErrorKind::BadFirstLine("missing transaction id"),
            )
        })?;
        let tid = self
            .header
            .transaction_id
            .ok_or_else(|| self.error_at(start + tid_at, ErrorKind::BadTransactionId))?;
        let _ = tid_text;
        let (ep_text, ep_at) = fields.next().ok_or_else(|| {
            self.error_at(
                start + line.len(),
                ErrorKind::BadFirstLine("missing endpoint name"),
            )
        })?;
        let endpoint = EndpointName::parse(ep_text)
            .map_err(|e| self.error_at(start + ep_at, ErrorKind::BadEndpointName(e)))?;
        let (proto, proto_at) = fields.next().ok_or_else(|| {
            self.error_at(
                start + line.len(),
                ErrorKind::BadFirstLine("missing protocol version"),
            )
        })?;
        let version = self.version(proto, fields, start, proto_at)?;
        Ok((verb, tid, endpoint, version))
    }

    fn version(
        &self,
        proto: &'a str,
        mut fields: Fields<'a>,
        line_start: usize,
        proto_at: usize,
    ) -> Result<ProtocolVersion<'a>, ParseError> {
        let at = line_start + proto_at;
        if !proto.eq_ignore_ascii_case("MGCP") {
            return Err(self.error_at(at, ErrorKind::UnsupportedVersion));
        }
        let (number, number_at) = fields.next().ok_or_else(|| {
            self.error_at(
                at + proto.len(),
                ErrorKind::BadFirstLine("missing version number"),
            )
        })?;
        let bad_number = || {
            self.error_at(
                line_start + number_at,
                ErrorKind::BadFirstLine("version must be digits.digits"),
            )
        };
        let (major, minor) = number.split_once('.').ok_or_else(bad_number)?;
        let num =
            |s: &str| text::parse_decimal(s.as_bytes(), 4).and_then(|v| u16::try_from(v).ok());
        let (major, minor) = (
            num(major).ok_or_else(bad_number)?,
            num(minor).ok_or_else(bad_number)?,
        );
        let profile = fields.rest().map(|(p, _)| p);
        let version = ProtocolVersion {
            major,
            minor,
            profile,
        };
        if !version.is_supported() {
            return Err(self.error_at(at, ErrorKind::UnsupportedVersion));
        }
        Ok(version)
    }

    /// `code tid [/package] [commentary]`.
    #[allow(clippy::type_complexity)]
    fn response_line(
        &mut self,
        line: &'a str,
        start: usize,
    ) -> Result<(ReturnCode, TransactionId, Option<&'a str>, Option<&'a str>), ParseError> {
        self.header.is_response = true;
        let mut fields = Fields::new(line);
        let (code_text, _) = fields
            .next()
            .ok_or_else(|| self.error_at(start, ErrorKind::BadReturnCode))?;
        let code = (code_text.len() == 3)
            .then(|| text::parse_decimal(code_text.as_bytes(), 3))
            .flatten()
            .and_then(|v| ReturnCode::new(u16::try_from(v).ok()?))
            .ok_or_else(|| self.error_at(start, ErrorKind::BadReturnCode))?;
        let (tid_text, tid_at) = fields.next().ok_or_else(|| {
            self.error_at(
                start + line.len(),
                ErrorKind::BadFirstLine("missing transaction id"),
            )
        })?;
        let tid = TransactionId::parse_digits(tid_text.as_bytes())
            .filter(|t| t.value() != 0 || self.opts.zero_transaction_id)
            .ok_or_else(|| self.error_at(start + tid_at, ErrorKind::BadTransactionId))?;
        self.header.transaction_id = Some(tid);
        let mut rest = fields.rest();
        let mut package = None;
        if let Some((r, r_at)) = rest
            && let Some(p) = r.strip_prefix('/')
        {
            let end = p.find([' ', '\t']).unwrap_or(p.len());
            if !crate::event::is_token(&p[..end]) {
                return Err(self.error_at(
                    start + r_at,
                    ErrorKind::BadFirstLine("package after '/' must be a name"),
                ));
            }
            package = Some(&p[..end]);
            let after = text::trim_wsp(&p[end..]);
            rest = (!after.is_empty()).then_some((after, 0));
        }
        let commentary = rest.map(|(c, _)| c);
        if commentary.is_some_and(|c| c.bytes().any(|b| b < 0x20 && b != b'\t')) {
            return Err(self.error_at(start, ErrorKind::ControlCharacter));
        }
        Ok((code, tid, package, commentary))
    }

    /// Parameter lines, then session descriptions after an empty line.
    #[allow(clippy::type_complexity)]
    fn body(&mut self) -> Result<(Params<'a>, Descriptions<'a>), ParseError> {
        let mut params = Params::new();
        loop {
            let Some(line) = self.next_line()? else {
                return Ok((params, Descriptions::new()));
            };
            if line.text.is_empty() {
                let sdp = self.descriptions()?;
                return Ok((params, sdp));
            }
            if line.text == "." {
                return Ok((params, Descriptions::new()));
            }
            if params.len() >= self.opts.max_params {
                return Err(self.error_at(
                    line.start,
                    ErrorKind::TooManyParameters {
                        limit: self.opts.max_params,
                    },
                ));
            }
            params.push(self.param_line(line)?);
        }
    }

    fn param_line(&self, line: Line<'a>) -> Result<Param<'a>, ParseError> {
        let text = line.text;
        let bytes = text.as_bytes();
        let colon = memchr(b':', bytes).ok_or_else(|| {
            self.error_at(
                line.start,
                ErrorKind::BadParameterLine("no ':' after the parameter name"),
            )
        })?;
        let mut name = &text[..colon];
        if name.ends_with([' ', '\t']) {
            if !self.opts.space_before_colon {
                return Err(self.error_at(
                    line.start + colon,
                    ErrorKind::BadParameterLine("white space before ':'"),
                ));
            }
            name = name.trim_end_matches([' ', '\t']);
        }
        if !is_param_name(name) {
            return Err(self.error_at(
                line.start,
                ErrorKind::BadParameterLine(
                    "parameter name must be letters, digits, '-', '+' or '/'",
                ),
            ));
        }
        let raw_value = &text[colon + 1..];
        // WSP right after the colon is part of the separator, so `S: ` is an
        // empty value; WSP after a value is trailing white space.
        let after_separator = raw_value.trim_start_matches([' ', '\t']);
        if !after_separator.is_empty() {
            self.check_line_end(line)?;
        }
        if let Some(i) = raw_value.bytes().position(|b| b < 0x20 && b != b'\t') {
            return Err(self.error_at(line.start + colon + 1 + i, ErrorKind::ControlCharacter));
        }
        let value = text::trim_wsp(raw_value);
        let value_at = line.start + colon + 1 + text::offset_in(raw_value, value);
        let name = ParamName::from_code(name);
        Param::parse(name, value, self.opts).map_err(|e| {
            self.error_at(
                value_at + e.offset,
                ErrorKind::BadParameterValue {
                    name: name.code().to_string(),
                    reason: e.reason,
                    code: e.code,
                },
            )
        })
    }

    /// Session descriptions from here to the end of the message (the end
    /// of the text or a `.` separator line).
    fn descriptions(&mut self) -> Result<Descriptions<'a>, ParseError> {
        let rest = &self.text[self.pos..];
        let (body, consumed) = match separator_span(rest) {
            Some((start, end)) => (&rest[..start], end),
            None => (rest, rest.len()),
        };
        let body_at = self.pos;
        self.pos += consumed;
        let mut out = Descriptions::new();
        for description in sdp::split_descriptions(body) {
            let parsed = SessionDescription::parse(description, &self.opts.sdp).map_err(|e| {
                let at = body_at + text::offset_in(body, description);
                let mut err = self.error_at(at, ErrorKind::BadSdp(e.to_string()));
                err.line += u32::try_from(e.line.saturating_sub(1)).unwrap_or(0);
                err
            })?;
            out.push(parsed);
        }
        Ok(out)
    }
}

/// Fields of a first line, separated by runs of WSP.
#[derive(Clone, Copy)]
struct Fields<'a> {
    line: &'a str,
    pos: usize,
}

impl<'a> Fields<'a> {
    fn new(line: &'a str) -> Self {
        Fields { line, pos: 0 }
    }

    fn skip_wsp(&mut self) {
        let b = self.line.as_bytes();
        while self.pos < b.len() && is_wsp(b[self.pos]) {
            self.pos += 1;
        }
    }

    /// The next field and its offset in the line.
    fn next(&mut self) -> Option<(&'a str, usize)> {
        self.skip_wsp();
        let b = self.line.as_bytes();
        let start = self.pos;
        while self.pos < b.len() && !is_wsp(b[self.pos]) {
            self.pos += 1;
        }
        (self.pos > start).then(|| (&self.line[start..self.pos], start))
    }

    /// Everything after the next WSP run, if anything.
    fn rest(&mut self) -> Option<(&'a str, usize)> {
        self.skip_wsp();
        let start = self.pos;
        self.pos = self.line.len();
        (start < self.line.len()).then(|| (&self.line[start..], start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::ConnectionMode;

    fn cmd(text: &str) -> Command<'_> {
        match parse(text.as_bytes()).unwrap() {
            Message::Command(c) => c,
            Message::Response(r) => panic!("not a command: {r:?}"),
        }
    }

    fn err(text: &str) -> ParseError {
        parse(text.as_bytes()).unwrap_err()
    }

    #[test]
    fn crcx_with_sdp() {
        let c = cmd("CRCX 1204 aaln/1@rgw-2567.whatever.net MGCP 1.0\n\
                     C: A3C47F21456789F0\n\
                     L: p:10, a:PCMU\n\
                     M: recvonly\n\
                     \n\
                     v=0\n\
                     o=- 25678 753849 IN IP4 128.96.41.1\n\
                     s=-\n\
                     c=IN IP4 128.96.41.1\n\
                     t=0 0\n\
                     m=audio 3456 RTP/AVP 0\n");
        assert_eq!(c.verb, Verb::Crcx);
        assert_eq!(c.transaction_id.value(), 1204);
        assert_eq!(c.endpoint.local_name(), "aaln/1");
        assert_eq!(c.version, ProtocolVersion::MGCP_1_0);
        assert_eq!(c.params.call_id(), Some("A3C47F21456789F0"));
        assert_eq!(c.params.connection_mode(), Some(ConnectionMode::RecvOnly));
        assert_eq!(c.sdp.len(), 1);
    }

    #[test]
    fn responses() {
        let Message::Response(r) = parse(b"200 1203 OK\r\nI: FDE234C8\r\n").unwrap() else {
            panic!()
        };
        assert_eq!(r.code, ReturnCode::OK);
        assert_eq!(r.commentary, Some("OK"));
        assert_eq!(r.params.connection_id(), Some("FDE234C8"));
        let Message::Response(r) = parse(b"801 17 /XYZ something odd").unwrap() else {
            panic!()
        };
        assert_eq!(r.package, Some("XYZ"));
        assert_eq!(r.commentary, Some("something odd"));
        let Message::Response(r) = parse(b"000 1204").unwrap() else {
            panic!()
        };
        assert_eq!(r.code, ReturnCode::ACK);
        assert_eq!(r.commentary, None);
    }

    #[test]
    fn versions_and_profiles() {
        let c = cmd("AUEP 47 S0/SU0/DS1-0/1@HQ-R1 MGCP 0.1\nF: X, A, I");
        assert_eq!((c.version.major, c.version.minor), (0, 1));
        let c = cmd("RQNT 1 aaln/1@gw MGCP 1.0 NCS 1.0\nX: 1");
        assert_eq!(c.version.profile, Some("NCS 1.0"));
        assert_eq!(
            err("AUEP 1 a@b MGCP 2.0").return_code(),
            ReturnCode::INCOMPATIBLE_VERSION
        );
        assert_eq!(
            err("AUEP 1 a@b SGCP 1.1").return_code(),
            ReturnCode::INCOMPATIBLE_VERSION
        );
    }

    #[test]
    fn lenient_spacing_and_case() {
        let c = cmd("crcx\t7  aaln/1@gw\tMGCP  1.0\nc:1\nm:   sendrecv\nS:\nK:");
        assert_eq!(c.verb, Verb::Crcx);
        assert_eq!(c.params.call_id(), Some("1"));
        assert!(c.params.signal_requests().unwrap().is_empty());
        assert!(c.params.response_ack().unwrap().is_empty());
    }

    #[test]
    fn errors_keep_the_transaction_id() {
        let e = err("CRCX 99 aaln/1@gw MGCP 1.0\nM: sideways\n");
        assert_eq!(e.transaction_id, TransactionId::new(99));
        assert_eq!(e.verb, Some(Verb::Crcx));
        assert_eq!(e.return_code(), ReturnCode::INVALID_MODE);
        assert_eq!((e.line, e.column), (2, 4));
        let e = err("FOO 12 aaln/1@gw MGCP 1.0");
        assert_eq!(e.return_code(), ReturnCode::UNKNOWN_COMMAND);
        assert_eq!(e.transaction_id, TransactionId::new(12));
        assert!(e.is_answerable());
        let e = err("ABCD 12 aaln/1@gw MGCP 1.0\nQ");
        assert_eq!(e.verb.unwrap().as_str(), "ABCD");
        assert_eq!(
            e.kind,
            ErrorKind::BadParameterLine("no ':' after the parameter name")
        );
    }

    #[test]
    fn bad_first_lines() {
        assert_eq!(err("").kind, ErrorKind::Empty);
        assert_eq!(
            err("CRCX").kind,
            ErrorKind::BadFirstLine("missing transaction id")
        );
        assert_eq!(err("CRCX x a@b MGCP 1.0").kind, ErrorKind::BadTransactionId);
        assert_eq!(err("CRCX 0 a@b MGCP 1.0").kind, ErrorKind::BadTransactionId);
        assert_eq!(
            err("CRCX 1234567890 a@b MGCP 1.0").kind,
            ErrorKind::BadTransactionId
        );
        assert!(matches!(
            err("CRCX 1 ab MGCP 1.0").kind,
            ErrorKind::BadEndpointName(_)
        ));
        assert_eq!(
            err("CRCX 1 a@b").kind,
            ErrorKind::BadFirstLine("missing protocol version")
        );
        assert_eq!(err("20 1 OK").kind, ErrorKind::BadReturnCode);
        assert_eq!(
            err("200").kind,
            ErrorKind::BadFirstLine("missing transaction id")
        );
        assert_eq!(err("200 0 OK").kind, ErrorKind::BadTransactionId);
    }

    #[test]
    fn strict_rejects_what_lenient_accepts() {
        let strict = ParseOptions::strict();
        let lenient = ParseOptions::lenient();
        for text in [
            "AUEP 1 a@gw MGCP 1.0\rF: A\r",
            "AUEP 1 a@gw MGCP 1.0\nF : A\n",
            "AUEP 1 a@gw MGCP 1.0 \nF: A \n",
            "200 0 FAIL",
            "200 1 OK\nM: sendrecv, recvonly",
        ] {
            assert!(parse_with(text.as_bytes(), &strict).is_err(), "{text:?}");
            assert!(parse_with(text.as_bytes(), &lenient).is_ok(), "{text:?}");
        }
        let padded = b"AUEP 1 a@gw MGCP 1.0\n\0\0";
        assert!(parse_with(padded, &lenient).is_ok());
    }

    #[test]
    fn piggybacked_datagrams() {
        let d = "200 1 OK\n.\nRQNT 2 aaln/1@gw MGCP 1.0\nX: 1\nR: L/hd\n.\n000 3\n";
        let opts = ParseOptions::default();
        let msgs: Vec<_> = parse_datagram(d.as_bytes(), &opts).collect();
        assert_eq!(msgs.len(), 3);
        assert!(msgs.iter().all(Result::is_ok));
        let raw: Vec<_> = split_datagram(d).collect();
        assert_eq!(
            raw,
            vec![
                "200 1 OK\n",
                "RQNT 2 aaln/1@gw MGCP 1.0\nX: 1\nR: L/hd\n",
                "000 3\n"
            ]
        );
        assert!(parse(d.as_bytes()).is_err());
    }

    #[test]
    fn a_bad_message_does_not_hide_the_next_one() {
        let d = "200 1 OK\nM: bogus\n.\n200 2 OK\n";
        let opts = ParseOptions::default();
        let msgs: Vec<_> = parse_datagram(d.as_bytes(), &opts).collect();
        assert_eq!(msgs.len(), 2);
        assert!(msgs[0].is_err());
        assert_eq!(msgs[1].as_ref().unwrap().transaction_id().value(), 2);
    }

    #[test]
    fn not_text_and_control_characters() {
        assert_eq!(
            parse(b"AUEP 1 a@gw MGCP 1.0\n\xff").unwrap_err().kind,
            ErrorKind::NotText
        );
        assert_eq!(
            parse(b"AUEP 1 a@gw MGCP 1.0\nF: A\x01").unwrap_err().kind,
            ErrorKind::ControlCharacter
        );
    }
}
