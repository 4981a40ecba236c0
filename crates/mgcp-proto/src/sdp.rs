//! Session descriptions (SDP, RFC 4566 / RFC 2327) as MGCP carries them.
//!
//! An MGCP command or response may end with an empty line followed by one or
//! two session descriptions (RFC 3435 §3.3, §3.5): the
//! RemoteConnectionDescriptor of CRCX and MDCX, the LocalConnectionDescriptor
//! of their responses, and, in an AuditConnection response, the local
//! description followed by the remote one.
//!
//! # What this module does
//!
//! - [`SessionDescription::parse`] checks one description completely (every
//!   line is `<letter>=<value>`; the syntax of `v=`, `o=`, `s=`, `c=`, `t=`,
//!   `b=`, `m=` and of the attributes `rtpmap`, `fmtp`, `ptime`, `maxptime`,
//!   `sendrecv`, `sendonly`, `recvonly`, `inactive`; the line order of RFC 4566
//!   §5) and returns a view that borrows the text. Parsing and every accessor
//!   are free of heap allocation: accessors re-read the validated text.
//! - Unknown line letters and unknown attributes are part of the text the view
//!   covers: [`SessionDescription::lines`] and the `attributes()` iterators
//!   expose them in order. (RFC 4566 tells a parser to ignore a description
//!   with an unknown letter; we keep it and let the application decide.)
//! - [`split_descriptions`] cuts an MGCP body into its descriptions.
//! - [`SdpSpec`] writes a canonical description (`v=`, `o=`, `s=`, `c=`, `t=`,
//!   `m=`, `a=rtpmap`, `a=fmtp`, `a=ptime`, direction) with CRLF or LF line
//!   endings.
//! - [`static_payload_type`] knows the static payload types of RFC 3551.
//!
//! # Strict by default, tolerant by choice
//!
//! [`SdpOptions::strict`] (the default) follows RFC 4566 except that LF and
//! CRLF line endings are both accepted (MGCP allows either). Each
//! deviation real equipment needs is a named switch of [`SdpOptions`];
//! [`SdpOptions::lenient`] turns them all on. A description that holds only
//! `v=0` is always accepted: RFC 3435 §3.3 uses it for a connection
//! descriptor that does not exist.
//!
//! # What it deliberately does not do
//!
//! - No offer/answer and no codec negotiation: choosing payload types,
//!   addresses and ports lives in the media layer.
//! - It is not a WebRTC SDP library: ICE, DTLS, `a=group` and the like are
//!   unknown attributes, kept verbatim but not interpreted.
//! - `i=`, `u=`, `e=`, `p=`, `r=`, `z=` and `k=` are checked for their place
//!   in the description only; their values are not interpreted.
//! - No `a=charset` handling: values are the UTF-8 text they arrive as.
//!
//! Sizes are bounded: at most [`MAX_DESCRIPTION_LEN`] bytes and [`MAX_MEDIA`]
//! `m=` lines per description. Every error maps to MGCP return code 509
//! ("Error in RemoteConnectionDescriptor").

use std::fmt;
use std::iter::FusedIterator;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest description [`SessionDescription::parse`] accepts, in bytes.
pub const MAX_DESCRIPTION_LEN: usize = 64 * 1024;

/// Most `m=` lines [`SessionDescription::parse`] accepts in one description.
pub const MAX_MEDIA: usize = 256;

/// Return code for every SDP error: 509, "Error in RemoteConnectionDescriptor"
/// (RFC 3435 §2.4).
pub const SDP_ERROR_RETURN_CODE: u16 = 509;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/// Which deviations from RFC 4566 [`SessionDescription::parse`] tolerates.
///
/// Every switch is off in [`SdpOptions::strict`] (the default) and on in
/// [`SdpOptions::lenient`]. Start from one of them and change fields:
///
/// ```
/// # use mgcp_proto::sdp::SdpOptions;
/// let mut options = SdpOptions::strict();
/// options.missing_origin = true;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SdpOptions {
    /// Accept a description without a `v=` line. osmo-mgw skips `v=`, `o=`,
    /// `s=` and `t=` when it parses, and its test suite sends an MDCX
    /// description that starts directly with `c=IN IP4 …`, so peers built
    /// against it may omit them.
    pub missing_version: bool,
    /// Accept a description without an `o=` line: osmo-mgw's CRCX test
    /// vectors carry only `v=0`, `c=`, `m=` and attributes.
    pub missing_origin: bool,
    /// Accept a description without an `s=` line (osmo-mgw's MDCX test
    /// vectors carry `v=`, `o=`, `c=`, `t=` but no `s=`).
    pub missing_session_name: bool,
    /// Accept a description without a `t=` line (the same osmo-mgw CRCX
    /// vectors; also a Geovision camera in sdp-types' test corpus).
    pub missing_timing: bool,
    /// Accept a lone CR as a line ending. osmo-mgw splits lines on CR, LF
    /// and CRLF, and its test suite sends a CRCX whose lines end in bare CR.
    pub bare_cr_line_endings: bool,
    /// Accept (and ignore) spaces and tabs at the end of lines; accept lines
    /// holding only white space at the end of the description. Seen from a
    /// VStarcam camera (`m=audio 0 RTP/AVP 8\t `, in sdp-types' test corpus)
    /// and from hand-written test tools.
    pub trailing_whitespace: bool,
    /// Accept lines in any order. RFC 4566 §5 fixes the order (`v o s i u e
    /// p c b t r z k a`, then per media `m i c b k a`); equipment puts `a=`
    /// before `t=` (an Anpviz camera in sdp-types' test corpus) or `c=`
    /// after the attributes (webrtc-rs' `sdp` accepts that as "non-spec
    /// ordering"). Duplicates of single lines are still refused.
    pub any_line_order: bool,
    /// Accept an `m=` line without formats (`m=audio 5904 RTP/AVP`), as in
    /// osmo-mgw's CRCX test vectors.
    pub media_without_formats: bool,
    /// Accept `a=rtpmap:<pt> <encoding>` without `/<clock rate>`: one
    /// osmo-mgw version's test suite expects `a=rtpmap:112 AMR` in an MDCX
    /// response. [`RtpMap::clock_rate`] is then `None`.
    pub rtpmap_without_clock_rate: bool,
}

impl SdpOptions {
    /// RFC 4566, with LF and CRLF line endings both accepted.
    pub const fn strict() -> Self {
        SdpOptions {
            missing_version: false,
            missing_origin: false,
            missing_session_name: false,
            missing_timing: false,
            bare_cr_line_endings: false,
            trailing_whitespace: false,
            any_line_order: false,
            media_without_formats: false,
            rtpmap_without_clock_rate: false,
        }
    }

    /// Every tolerance on.
    pub const fn lenient() -> Self {
        SdpOptions {
            missing_version: true,
            missing_origin: true,
            missing_session_name: true,
            missing_timing: true,
            bare_cr_line_endings: true,
            trailing_whitespace: true,
            any_line_order: true,
            media_without_formats: true,
            rtpmap_without_clock_rate: true,
        }
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// The rule a description broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SdpErrorKind {
    /// No line at all.
    #[error("description is empty")]
    Empty,
    /// More than [`MAX_DESCRIPTION_LEN`] bytes.
    #[error("description is longer than {MAX_DESCRIPTION_LEN} bytes")]
    TooLong,
    /// More than [`MAX_MEDIA`] `m=` lines.
    #[error("more than {MAX_MEDIA} m= lines")]
    TooManyMedia,
    /// A NUL character, which SDP text never holds.
    #[error("NUL character")]
    NulCharacter,
    /// A CR not followed by LF while `bare_cr_line_endings` is off.
    #[error("line ends with a bare CR (enable bare_cr_line_endings)")]
    BareCarriageReturn,
    /// Spaces or tabs at the end of a line while `trailing_whitespace` is off.
    #[error("line ends with white space (enable trailing_whitespace)")]
    TrailingWhitespace,
    /// An empty line before the end; two descriptions are split with
    /// [`split_descriptions`].
    #[error("empty line inside a description")]
    EmptyLine,
    /// A line that does not start with a lower-case letter and `=`.
    #[error("line must start with a lower-case letter and '='")]
    InvalidLineStart,
    /// A second line of a type that may appear once (`v o s i u c z k` per
    /// session, `i k` per media).
    #[error("second {0}= line")]
    DuplicateLine(char),
    /// A line out of the RFC 4566 §5 order.
    #[error("{letter}= line cannot follow {after}= line (RFC 4566 order; enable any_line_order)")]
    OutOfOrder {
        /// The line type found.
        letter: char,
        /// The line type before it.
        after: char,
    },
    /// An `r=` line that does not follow a `t=` or `r=` line.
    #[error("r= line must follow a t= line")]
    RepeatWithoutTiming,
    /// A session-level line (`v o s u e p t r z`) after the first `m=` line.
    #[error("{0}= line belongs before the first m= line (enable any_line_order)")]
    SessionLineInMedia(char),
    /// No `v=` line, or one that is not first.
    #[error("description must start with a v= line (enable missing_version)")]
    MissingVersion,
    /// A `v=` value that is not a number.
    #[error("v= line needs a version number")]
    InvalidVersion,
    /// No `o=` line.
    #[error("o= line missing (enable missing_origin)")]
    MissingOrigin,
    /// An `o=` line without exactly six fields.
    #[error(
        "o= line needs 6 fields: <username> <sess-id> <sess-version> <nettype> <addrtype> <address>"
    )]
    InvalidOrigin,
    /// No `s=` line.
    #[error("s= line missing (enable missing_session_name)")]
    MissingSessionName,
    /// No `t=` line.
    #[error("t= line missing (enable missing_timing)")]
    MissingTiming,
    /// A `t=` line that is not two numbers.
    #[error("t= line needs two numbers: <start> <stop>")]
    InvalidTiming,
    /// A `c=` line without exactly three fields.
    #[error("c= line needs 3 fields: <nettype> <addrtype> <address>")]
    InvalidConnection,
    /// Network type `IN` with an address type other than `IP4` or `IP6`.
    #[error("address type must be IP4 or IP6 for network type IN")]
    InvalidAddressType,
    /// An address that is neither an IP address of its type nor a host name.
    #[error("address is not an IP address of its type or a host name")]
    InvalidAddress,
    /// A bad `/<ttl>[/<count>]` (IP4) or `/<count>` (IP6) suffix.
    #[error("address suffix must be /<ttl>[/<count>] for IP4 or /<count> for IP6")]
    InvalidAddressSuffix,
    /// A `b=` line that is not `<bwtype>:<number>`.
    #[error("b= line needs <bwtype>:<number>")]
    InvalidBandwidth,
    /// An `m=` line without a media type token.
    #[error("m= line needs a media type")]
    InvalidMediaType,
    /// An `m=` port that is not a number from 0 to 65535.
    #[error("m= line needs a port number")]
    InvalidPort,
    /// An `m=` port count that is not a number from 1 to 65535.
    #[error("m= port count must be a number from 1 to 65535")]
    InvalidPortCount,
    /// An `m=` transport protocol that is missing or not `<token>[/<token>…]`.
    #[error("m= line needs a transport protocol such as RTP/AVP")]
    InvalidProto,
    /// An `m=` line without formats while `media_without_formats` is off.
    #[error("m= line needs at least one format (enable media_without_formats)")]
    MissingFormat,
    /// An RTP format that is not a payload type number from 0 to 127.
    #[error("RTP payload type must be a number from 0 to 127")]
    InvalidPayloadType,
    /// An `a=` line whose name is empty or not a token.
    #[error("a= line needs an attribute name")]
    InvalidAttributeName,
    /// An `a=rtpmap` value that is not
    /// `<payload type> <encoding>/<clock rate>[/<channels>]`.
    #[error("a=rtpmap needs <payload type> <encoding>/<clock rate>[/<channels>]")]
    InvalidRtpmap,
    /// An `a=fmtp` value that is not `<format> <parameters>`.
    #[error("a=fmtp needs <format> <parameters>")]
    InvalidFmtp,
    /// An `a=ptime` value that is not a whole number of milliseconds.
    #[error("a=ptime needs a whole number of milliseconds")]
    InvalidPtime,
    /// An `a=maxptime` value that is not a whole number of milliseconds.
    #[error("a=maxptime needs a whole number of milliseconds")]
    InvalidMaxptime,
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly` or `a=inactive` with a value.
    #[error("direction attribute takes no value")]
    DirectionWithValue,
}

/// Why a description was refused, and where.
///
/// Displays as `line 3: m= line needs a port number, found 'abc'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}{found}")]
#[non_exhaustive]
pub struct SdpError {
    /// Line of the description (1-based) where the rule was broken.
    pub line: usize,
    /// Byte column in that line (1-based).
    pub column: usize,
    /// The rule broken.
    pub kind: SdpErrorKind,
    found: Excerpt,
}

impl SdpError {
    fn new(line: usize, column: usize, kind: SdpErrorKind, found: &str) -> Self {
        SdpError {
            line,
            column,
            kind,
            found: Excerpt::new(found),
        }
    }

    /// The offending text (at most 40 bytes of it), empty when something was
    /// missing rather than wrong.
    pub fn found(&self) -> &str {
        self.found.as_str()
    }

    /// The MGCP return code for the peer: always 509 ("Error in
    /// RemoteConnectionDescriptor", RFC 3435 §2.4).
    pub fn return_code(&self) -> u16 {
        SDP_ERROR_RETURN_CODE
    }
}

const EXCERPT_LEN: usize = 40;

/// A short copy of the offending text, so that errors own no heap memory and
/// borrow nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Excerpt {
    bytes: [u8; EXCERPT_LEN],
    len: u8,
    cut: bool,
}

impl Excerpt {
    fn new(text: &str) -> Self {
        let mut end = text.len().min(EXCERPT_LEN);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0; EXCERPT_LEN];
        bytes[..end].copy_from_slice(&text.as_bytes()[..end]);
        Excerpt {
            bytes,
            len: u8::try_from(end).unwrap_or(0),
            cut: end < text.len(),
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Display for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return Ok(());
        }
        let more = if self.cut { "…" } else { "" };
        write!(f, ", found '{}{more}'", self.as_str())
    }
}

impl fmt::Debug for Excerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// An error found inside one line: the offending slice of the line (empty
/// at the place where something is missing) and the rule.
#[derive(Debug, Clone, Copy)]
struct Fault<'a> {
    at: &'a str,
    kind: SdpErrorKind,
}

impl<'a> Fault<'a> {
    fn new(at: &'a str, kind: SdpErrorKind) -> Self {
        Fault { at, kind }
    }

    /// Something missing at the end of `text`.
    fn missing(text: &'a str, kind: SdpErrorKind) -> Self {
        Fault {
            at: &text[text.len()..],
            kind,
        }
    }

    fn into_error(self, line_no: usize, line: &str) -> SdpError {
        let offset = (self.at.as_ptr() as usize).saturating_sub(line.as_ptr() as usize);
        SdpError::new(line_no, offset + 1, self.kind, self.at)
    }
}

// ---------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------

#[inline]
fn is_wsp(b: u8) -> bool {
    // One compare decides for every visible character.
    b <= b' ' && (b == b' ' || b == b'\t')
}

#[inline]
fn trim_end_wsp(s: &str) -> &str {
    let bytes = s.as_bytes();
    let mut end = bytes.len();
    while end > 0 && is_wsp(bytes[end - 1]) {
        end -= 1;
    }
    &s[..end]
}

#[inline]
fn trim_start_wsp(s: &str) -> &str {
    &s[wsp_len(s.as_bytes())..]
}

/// Number of leading spaces and tabs.
#[inline]
fn wsp_len(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|&&b| is_wsp(b)).count()
}

/// Splits at the first `byte`: before and after it.
#[inline]
fn split_at_byte(s: &str, byte: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == byte)?;
    Some((&s[..i], &s[i + 1..]))
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(is_wsp)
}

/// RFC 4566 `token-char`: visible ASCII except `"(),/:;<=>?@[\]`.
const TOKEN_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < table.len() {
        table[b] = matches!(b, 0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E)
            || matches!(b, 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E);
        b += 1;
    }
    table
};

#[inline]
fn is_token_char(b: u8) -> bool {
    TOKEN_CHARS[usize::from(b)]
}

fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Parses 1 to `max_digits` ASCII digits.
fn parse_number(s: &str, max_digits: usize) -> Option<u64> {
    if s.is_empty() || s.len() > max_digits {
        return None;
    }
    let mut value: u64 = 0;
    for b in s.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value * 10 + u64::from(b - b'0');
    }
    Some(value)
}

fn parse_u32(s: &str) -> Option<u32> {
    parse_number(s, 10).and_then(|n| u32::try_from(n).ok())
}

fn parse_u16(s: &str) -> Option<u16> {
    parse_number(s, 5).and_then(|n| u16::try_from(n).ok())
}

fn parse_u64(s: &str) -> Option<u64> {
    // 19 digits always fit in a u64.
    parse_number(s, 19)
}

/// An RTP payload type: a number from 0 to 127.
fn parse_payload_type(s: &str) -> Option<u8> {
    parse_number(s, 3)
        .and_then(|n| u8::try_from(n).ok())
        .filter(|&pt| pt <= 127)
}

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    /// The text ended without a terminator.
    Eof,
    /// LF or CRLF.
    Newline,
    /// CR not followed by LF.
    BareCr,
    /// A NUL character (only reported while validating).
    Nul,
}

/// Splits the first line off `text`: the line without its terminator, how it
/// ended, and the rest after the terminator.
#[inline]
fn next_line(text: &str) -> (&str, LineEnd, &str) {
    split_line(text, false)
}

/// [`next_line`], optionally stopping at a NUL character.
#[inline]
fn split_line(text: &str, stop_at_nul: bool) -> (&str, LineEnd, &str) {
    let bytes = text.as_bytes();
    match find_line_end(bytes, stop_at_nul) {
        None => (text, LineEnd::Eof, ""),
        Some(i) if bytes[i] == b'\n' => (&text[..i], LineEnd::Newline, &text[i + 1..]),
        Some(i) if bytes[i] == 0 => (&text[..i], LineEnd::Nul, &text[i + 1..]),
        Some(i) if bytes.get(i + 1) == Some(&b'\n') => {
            (&text[..i], LineEnd::Newline, &text[i + 2..])
        }
        Some(i) => (&text[..i], LineEnd::BareCr, &text[i + 1..]),
    }
}

/// Position of the first CR or LF (or NUL), eight bytes at a time: a word
/// is only looked at byte by byte when one of its bytes is below 14 (CR is
/// 13, LF 10, and SDP text has no other such bytes but tabs).
#[inline]
fn find_line_end(bytes: &[u8], stop_at_nul: bool) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH_BITS: u64 = u64::from_ne_bytes([0x80; 8]);
    let is_end = |b: &u8| *b == b'\n' || *b == b'\r' || (stop_at_nul && *b == 0);
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
        if word.wrapping_sub(ONES * 14) & !word & HIGH_BITS != 0
            && let Some(j) = chunk.iter().position(is_end)
        {
            return Some(i + j);
        }
        i += 8;
    }
    let tail = bytes.get(i..).unwrap_or_default();
    tail.iter().position(is_end).map(|j| i + j)
}

/// `<letter>=<value>` with a lower-case letter.
#[inline]
fn split_type(line: &str) -> Option<(u8, &str)> {
    match line.as_bytes() {
        [letter @ b'a'..=b'z', b'=', ..] => Some((*letter, &line[2..])),
        _ => None,
    }
}

/// `str::split` on one ASCII byte, without the searcher set-up that costs
/// more than the search on short fields.
#[derive(Debug, Clone)]
struct SplitByte<'a> {
    rest: Option<&'a str>,
    byte: u8,
}

fn split_byte(s: &str, byte: u8) -> SplitByte<'_> {
    SplitByte {
        rest: Some(s),
        byte,
    }
}

impl<'a> Iterator for SplitByte<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let text = self.rest?;
        match split_at_byte(text, self.byte) {
            Some((part, rest)) => {
                self.rest = Some(rest);
                Some(part)
            }
            None => {
                self.rest = None;
                Some(text)
            }
        }
    }
}

/// Splits at runs of spaces and tabs.
#[derive(Debug, Clone)]
struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str) -> Self {
        Fields { rest: text }
    }

    /// What is left, without leading white space.
    fn rest(&self) -> &'a str {
        trim_start_wsp(self.rest)
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.rest.as_bytes();
        let mut start = 0;
        while start < bytes.len() && is_wsp(bytes[start]) {
            start += 1;
        }
        if start == bytes.len() {
            self.rest = &self.rest[start..];
            return None;
        }
        let mut end = start + 1;
        while end < bytes.len() && !is_wsp(bytes[end]) {
            end += 1;
        }
        let field = &self.rest[start..end];
        self.rest = &self.rest[end..];
        Some(field)
    }
}

/// The line and column of byte `pos` of `text`, both 1-based.
fn locate(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut line = 1;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().take(pos) {
        if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            line += 1;
            start = i + 1;
        }
    }
    (line, pos.saturating_sub(start) + 1)
}

// ---------------------------------------------------------------------------
// Typed pieces
// ---------------------------------------------------------------------------

/// The `o=` line: who created the session (RFC 4566 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Origin<'a> {
    /// Login of the creator, `-` when there is none.
    pub username: &'a str,
    /// Session id. RFC 4566 wants digits; osmo-mgw sends its hexadecimal
    /// connection id, so any token is kept as it is.
    pub session_id: &'a str,
    /// Session version.
    pub session_version: &'a str,
    /// Network type, `IN` for the Internet.
    pub net_type: &'a str,
    /// Address type, `IP4` or `IP6` under `IN`.
    pub addr_type: &'a str,
    /// Address (or host name) of the creator.
    pub address: &'a str,
}

impl Origin<'_> {
    /// The address as an IP address, when it is one of the address type.
    pub fn ip(&self) -> Option<IpAddr> {
        ip_of(self.net_type, self.addr_type, self.address)
    }
}

/// A `c=` line (RFC 4566 §5.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connection<'a> {
    /// Network type, `IN` for the Internet; other types are kept verbatim.
    pub net_type: &'a str,
    /// Address type, `IP4` or `IP6` under `IN`.
    pub addr_type: &'a str,
    /// The address or host name, without the multicast `/…` suffix.
    pub address: &'a str,
    /// Multicast time to live (`IN IP4 <addr>/<ttl>`).
    pub ttl: Option<u8>,
    /// Number of multicast addresses (`/<count>` suffix).
    pub address_count: Option<u32>,
}

impl Connection<'_> {
    /// The address as an IP address, when it is one of the address type
    /// (`None` for host names and other network types).
    pub fn ip(&self) -> Option<IpAddr> {
        ip_of(self.net_type, self.addr_type, self.address)
    }
}

fn ip_of(net_type: &str, addr_type: &str, address: &str) -> Option<IpAddr> {
    match (net_type.as_bytes(), addr_type.as_bytes()) {
        (b"IN", b"IP4") => parse_ipv4(address).map(IpAddr::V4),
        (b"IN", b"IP6") => address.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        _ => None,
    }
}

/// An `a=rtpmap` value, or the RFC 3551 entry of a static payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RtpMap<'a> {
    /// Encoding name as written, such as `PCMU`, `AMR`, `telephone-event`.
    pub encoding: &'a str,
    /// Clock rate in Hz; `None` only for lines accepted by
    /// [`SdpOptions::rtpmap_without_clock_rate`].
    pub clock_rate: Option<u32>,
    /// Number of audio channels when given; one is meant when absent.
    pub channels: Option<u16>,
}

impl RtpMap<'_> {
    /// Number of channels, 1 when the line did not say.
    pub fn channel_count(&self) -> u16 {
        self.channels.unwrap_or(1)
    }
}

/// The static payload types of RFC 3551 (tables 4 and 5): encoding, clock
/// rate and, for the one stereo type, channels. `None` for dynamic (96–127)
/// and unassigned numbers.
pub fn static_payload_type(payload_type: u8) -> Option<RtpMap<'static>> {
    let (encoding, clock_rate, channels) = match payload_type {
        0 => ("PCMU", 8000, None),
        3 => ("GSM", 8000, None),
        4 => ("G723", 8000, None),
        5 => ("DVI4", 8000, None),
        6 => ("DVI4", 16000, None),
        7 => ("LPC", 8000, None),
        8 => ("PCMA", 8000, None),
        9 => ("G722", 8000, None),
        10 => ("L16", 44100, Some(2)),
        11 => ("L16", 44100, None),
        12 => ("QCELP", 8000, None),
        13 => ("CN", 8000, None),
        14 => ("MPA", 90000, None),
        15 => ("G728", 8000, None),
        16 => ("DVI4", 11025, None),
        17 => ("DVI4", 22050, None),
        18 => ("G729", 8000, None),
        25 => ("CelB", 90000, None),
        26 => ("JPEG", 90000, None),
        28 => ("nv", 90000, None),
        31 => ("H261", 90000, None),
        32 => ("MPV", 90000, None),
        33 => ("MP2T", 90000, None),
        34 => ("H263", 90000, None),
        _ => return None,
    };
    Some(RtpMap {
        encoding,
        clock_rate: Some(clock_rate),
        channels,
    })
}

/// Media direction attribute (RFC 4566 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Direction {
    /// `a=sendrecv`, the default when no direction is given.
    #[default]
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an attribute name stands for.
    pub fn from_name(name: &str) -> Option<Self> {
        // Byte-string patterns compile to inline compares, not memcmp calls.
        match name.as_bytes() {
            b"sendrecv" => Some(Direction::SendRecv),
            b"sendonly" => Some(Direction::SendOnly),
            b"recvonly" => Some(Direction::RecvOnly),
            b"inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An `a=` line: `a=<name>` or `a=<name>:<value>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attribute<'a> {
    /// Attribute name, such as `rtpmap` or `X-sqn`.
    pub name: &'a str,
    /// Everything after the first `:`, `None` for property attributes.
    pub value: Option<&'a str>,
}

impl<'a> Attribute<'a> {
    /// Splits an `a=` value at its first `:`.
    fn split(text: &'a str) -> Self {
        match split_at_byte(text, b':') {
            Some((name, value)) => Attribute {
                name,
                value: Some(value),
            },
            None => Attribute {
                name: text,
                value: None,
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Line-level syntax, shared by validation and accessors
// ---------------------------------------------------------------------------

fn parse_version(value: &str) -> Result<u32, Fault<'_>> {
    parse_u32(value).ok_or_else(|| Fault::new(value, SdpErrorKind::InvalidVersion))
}

fn parse_origin(value: &str) -> Result<Origin<'_>, Fault<'_>> {
    use SdpErrorKind::InvalidOrigin;
    let mut fields = Fields::new(value);
    let mut next = || {
        fields
            .next()
            .ok_or_else(|| Fault::missing(value, InvalidOrigin))
    };
    let origin = Origin {
        username: next()?,
        session_id: next()?,
        session_version: next()?,
        net_type: next()?,
        addr_type: next()?,
        address: next()?,
    };
    if let Some(extra) = fields.next() {
        return Err(Fault::new(extra, InvalidOrigin));
    }
    check_address(origin.net_type, origin.addr_type, origin.address)?;
    Ok(origin)
}

fn parse_connection(value: &str) -> Result<Connection<'_>, Fault<'_>> {
    use SdpErrorKind::InvalidConnection;
    let mut fields = Fields::new(value);
    let mut next = || {
        fields
            .next()
            .ok_or_else(|| Fault::missing(value, InvalidConnection))
    };
    let (net_type, addr_type, full_address) = (next()?, next()?, next()?);
    if let Some(extra) = fields.next() {
        return Err(Fault::new(extra, InvalidConnection));
    }
    let mut connection = Connection {
        net_type,
        addr_type,
        address: full_address,
        ttl: None,
        address_count: None,
    };
    if net_type.as_bytes() != b"IN" {
        return Ok(connection);
    }
    let (address, suffix) = match split_at_byte(full_address, b'/') {
        Some((address, suffix)) => (address, Some(suffix)),
        None => (full_address, None),
    };
    connection.address = address;
    check_address(net_type, addr_type, address)?;
    if let Some(suffix) = suffix {
        parse_address_suffix(&mut connection, suffix)?;
    }
    Ok(connection)
}

/// `/<ttl>[/<count>]` for IP4, `/<count>` for IP6 (RFC 4566 §5.7).
fn parse_address_suffix<'a>(
    connection: &mut Connection<'_>,
    suffix: &'a str,
) -> Result<(), Fault<'a>> {
    let bad = |at| Fault::new(at, SdpErrorKind::InvalidAddressSuffix);
    let (first, second) = match split_at_byte(suffix, b'/') {
        Some((first, second)) => (first, Some(second)),
        None => (suffix, None),
    };
    if connection.addr_type.as_bytes() == b"IP4" {
        let ttl = parse_number(first, 3).and_then(|n| u8::try_from(n).ok());
        connection.ttl = Some(ttl.ok_or(bad(first))?);
        if let Some(count) = second {
            connection.address_count = Some(parse_u32(count).ok_or(bad(count))?);
        }
    } else {
        if let Some(extra) = second {
            return Err(bad(extra));
        }
        connection.address_count = Some(parse_u32(first).ok_or(bad(first))?);
    }
    Ok(())
}

/// Under network type `IN`, the address type must be `IP4` or `IP6` and the
/// address an IP address of that type or a host name. Other network types
/// are not checked.
fn check_address<'a>(
    net_type: &str,
    addr_type: &'a str,
    address: &'a str,
) -> Result<(), Fault<'a>> {
    if net_type.as_bytes() != b"IN" {
        return Ok(());
    }
    let valid = match addr_type.as_bytes() {
        b"IP4" => is_ip4_or_host(address),
        b"IP6" => is_ip6_or_host(address),
        _ => return Err(Fault::new(addr_type, SdpErrorKind::InvalidAddressType)),
    };
    if valid {
        Ok(())
    } else {
        Err(Fault::new(address, SdpErrorKind::InvalidAddress))
    }
}

fn is_ip4_or_host(address: &str) -> bool {
    parse_ipv4(address).is_some()
        || (!address.bytes().all(|b| b.is_ascii_digit() || b == b'.') && is_host_name(address))
}

/// Dotted-quad IPv4 address as RFC 4566 writes it: four numbers from 0 to
/// 255 without leading zeros (faster than `Ipv4Addr::from_str`, same
/// result).
fn parse_ipv4(address: &str) -> Option<Ipv4Addr> {
    let mut octets = [0_u8; 4];
    let mut index = 0;
    let mut value: u16 = 0;
    let mut digits = 0;
    for &b in address.as_bytes() {
        if b.is_ascii_digit() {
            if digits == 1 && value == 0 {
                return None;
            }
            value = value * 10 + u16::from(b - b'0');
            digits += 1;
            if value > 255 {
                return None;
            }
        } else if b == b'.' && digits > 0 && index < 3 {
            octets[index] = u8::try_from(value).ok()?;
            index += 1;
            value = 0;
            digits = 0;
        } else {
            return None;
        }
    }
    if index != 3 || digits == 0 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

fn is_ip6_or_host(address: &str) -> bool {
    if address.contains(':') {
        address.parse::<Ipv6Addr>().is_ok()
    } else {
        is_host_name(address)
    }
}

fn is_host_name(name: &str) -> bool {
    name.len() <= 253
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

fn check_timing(value: &str) -> Result<(), Fault<'_>> {
    use SdpErrorKind::InvalidTiming;
    let mut fields = Fields::new(value);
    for _ in 0..2 {
        let field = fields
            .next()
            .ok_or_else(|| Fault::missing(value, InvalidTiming))?;
        parse_u64(field).ok_or_else(|| Fault::new(field, InvalidTiming))?;
    }
    match fields.next() {
        Some(extra) => Err(Fault::new(extra, InvalidTiming)),
        None => Ok(()),
    }
}

fn check_bandwidth(value: &str) -> Result<(), Fault<'_>> {
    use SdpErrorKind::InvalidBandwidth;
    let Some((kind, amount)) = split_at_byte(value, b':') else {
        return Err(Fault::new(value, InvalidBandwidth));
    };
    if !is_token(kind) {
        return Err(Fault::new(kind, InvalidBandwidth));
    }
    parse_u64(amount).ok_or_else(|| Fault::new(amount, InvalidBandwidth))?;
    Ok(())
}

/// The fields of an `m=` line.
#[derive(Debug, Clone, Copy)]
struct MediaLine<'a> {
    kind: &'a str,
    port: u16,
    port_count: Option<u16>,
    proto: &'a str,
    formats: &'a str,
}

/// `<media> <port>[/<count>] <proto> [<fmt> ...]`; the formats themselves
/// are checked by [`check_formats`].
fn parse_media_line(value: &str) -> Result<MediaLine<'_>, Fault<'_>> {
    use SdpErrorKind::{InvalidMediaType, InvalidPort, InvalidProto};
    let mut fields = Fields::new(value);
    let kind = fields
        .next()
        .ok_or_else(|| Fault::missing(value, InvalidMediaType))?;
    if !is_token(kind) {
        return Err(Fault::new(kind, InvalidMediaType));
    }
    let port_field = fields
        .next()
        .ok_or_else(|| Fault::missing(value, InvalidPort))?;
    let (port, port_count) = parse_port(port_field)?;
    let proto = fields
        .next()
        .ok_or_else(|| Fault::missing(value, InvalidProto))?;
    if !split_byte(proto, b'/').all(is_token) {
        return Err(Fault::new(proto, InvalidProto));
    }
    Ok(MediaLine {
        kind,
        port,
        port_count,
        proto,
        formats: fields.rest(),
    })
}

fn parse_port(field: &str) -> Result<(u16, Option<u16>), Fault<'_>> {
    let (port, count) = match split_at_byte(field, b'/') {
        Some((port, count)) => (port, Some(count)),
        None => (field, None),
    };
    let port = parse_u16(port).ok_or_else(|| Fault::new(port, SdpErrorKind::InvalidPort))?;
    let count = match count {
        None => None,
        Some(count) => Some(
            parse_u16(count)
                .filter(|&n| n > 0)
                .ok_or_else(|| Fault::new(count, SdpErrorKind::InvalidPortCount))?,
        ),
    };
    Ok((port, count))
}

/// True for RTP transports (`RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF` …),
/// whose formats are payload type numbers.
fn is_rtp_proto(proto: &str) -> bool {
    split_byte(proto, b'/').any(|part| part.eq_ignore_ascii_case("RTP"))
}

fn check_formats<'a>(
    line: &MediaLine<'a>,
    value: &'a str,
    opts: &SdpOptions,
) -> Result<(), Fault<'a>> {
    if line.formats.is_empty() {
        if opts.media_without_formats {
            return Ok(());
        }
        return Err(Fault::missing(value, SdpErrorKind::MissingFormat));
    }
    if is_rtp_proto(line.proto) {
        for format in Fields::new(line.formats) {
            if parse_payload_type(format).is_none() {
                return Err(Fault::new(format, SdpErrorKind::InvalidPayloadType));
            }
        }
    }
    Ok(())
}

/// `<payload type> <encoding>/<clock rate>[/<channels>]`.
fn parse_rtpmap(value: &str, clock_optional: bool) -> Result<(u8, RtpMap<'_>), Fault<'_>> {
    use SdpErrorKind::InvalidRtpmap;
    let mut fields = Fields::new(value);
    let pt_field = fields
        .next()
        .ok_or_else(|| Fault::missing(value, InvalidRtpmap))?;
    let pt = parse_payload_type(pt_field).ok_or_else(|| Fault::new(pt_field, InvalidRtpmap))?;
    let map = fields
        .next()
        .ok_or_else(|| Fault::missing(value, InvalidRtpmap))?;
    if let Some(extra) = fields.next() {
        return Err(Fault::new(extra, InvalidRtpmap));
    }
    let mut parts = split_byte(map, b'/');
    let encoding = parts.next().unwrap_or(map);
    if !is_token(encoding) {
        return Err(Fault::new(encoding, InvalidRtpmap));
    }
    let clock_rate = match parts.next() {
        Some(clock) => Some(parse_u32(clock).ok_or_else(|| Fault::new(clock, InvalidRtpmap))?),
        None if clock_optional => None,
        None => return Err(Fault::missing(value, InvalidRtpmap)),
    };
    let channels = match parts.next() {
        Some(channels) => {
            Some(parse_u16(channels).ok_or_else(|| Fault::new(channels, InvalidRtpmap))?)
        }
        None => None,
    };
    if let Some(extra) = parts.next() {
        return Err(Fault::new(extra, InvalidRtpmap));
    }
    let map = RtpMap {
        encoding,
        clock_rate,
        channels,
    };
    Ok((pt, map))
}

/// `<format> <parameters>`.
fn parse_fmtp(value: &str) -> Result<(&str, &str), Fault<'_>> {
    use SdpErrorKind::InvalidFmtp;
    let mut fields = Fields::new(value);
    let format = fields
        .next()
        .ok_or_else(|| Fault::missing(value, InvalidFmtp))?;
    if !is_token(format) {
        return Err(Fault::new(format, InvalidFmtp));
    }
    let parameters = fields.rest();
    if parameters.is_empty() {
        return Err(Fault::missing(value, InvalidFmtp));
    }
    Ok((format, parameters))
}

/// Checks an `a=` value; returns the direction it sets, if any.
fn check_attribute<'a>(value: &'a str, opts: &SdpOptions) -> Result<Option<Direction>, Fault<'a>> {
    use SdpErrorKind as K;
    let attribute = Attribute::split(value);
    if !is_token(attribute.name) {
        return Err(Fault::new(attribute.name, K::InvalidAttributeName));
    }
    let missing = || Fault::missing(value, K::InvalidAttributeName);
    match (attribute.name.as_bytes(), attribute.value) {
        (b"rtpmap", Some(v)) => parse_rtpmap(v, opts.rtpmap_without_clock_rate).map(|_| None),
        (b"rtpmap", None) => Err(Fault {
            kind: K::InvalidRtpmap,
            ..missing()
        }),
        (b"fmtp", Some(v)) => parse_fmtp(v).map(|_| None),
        (b"fmtp", None) => Err(Fault {
            kind: K::InvalidFmtp,
            ..missing()
        }),
        (b"ptime", v) => check_milliseconds(value, v, K::InvalidPtime),
        (b"maxptime", v) => check_milliseconds(value, v, K::InvalidMaxptime),
        (_, v) => match Direction::from_name(attribute.name) {
            Some(_) if v.is_some() => Err(Fault::new(value, K::DirectionWithValue)),
            direction => Ok(direction),
        },
    }
}

fn check_milliseconds<'a>(
    value: &'a str,
    number: Option<&'a str>,
    kind: SdpErrorKind,
) -> Result<Option<Direction>, Fault<'a>> {
    match number {
        Some(number) if parse_u32(number).is_some() => Ok(None),
        Some(number) => Err(Fault::new(number, kind)),
        None => Err(Fault::missing(value, kind)),
    }
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

const fn letter_bit(letter: u8) -> u32 {
    1 << ((letter - b'a') & 31)
}

const fn letter_bits(letters: &[u8]) -> u32 {
    let mut bits = 0;
    let mut i = 0;
    while i < letters.len() {
        bits |= letter_bit(letters[i]);
        i += 1;
    }
    bits
}

/// Lines that exist at session level only.
const SESSION_ONLY: u32 = letter_bits(b"vosueptrz");
/// Lines that appear at most once per session.
const SESSION_SINGLE: u32 = letter_bits(b"vosiuczk");
/// Lines that appear at most once per media description.
const MEDIA_SINGLE: u32 = letter_bits(b"ik");

/// Position of a session-level line in the RFC 4566 §5 order.
fn session_rank(letter: u8) -> Option<u8> {
    let rank = match letter {
        b'v' => 0,
        b'o' => 1,
        b's' => 2,
        b'i' => 3,
        b'u' => 4,
        b'e' => 5,
        b'p' => 6,
        b'c' => 7,
        b'b' => 8,
        b't' => 9,
        b'r' => 10,
        b'z' => 11,
        b'k' => 12,
        b'a' => 13,
        _ => return None,
    };
    Some(rank)
}

/// Position of a media-level line in the RFC 4566 §5 order.
fn media_rank(letter: u8) -> Option<u8> {
    let rank = match letter {
        b'i' => 1,
        b'c' => 2,
        b'b' => 3,
        b'k' => 4,
        b'a' => 5,
        _ => return None,
    };
    Some(rank)
}

/// Order and duplicate state of the session part or of one media part.
#[derive(Debug, Default, Clone, Copy)]
struct Section {
    last: u8,
    rank: u8,
    seen: u32,
}

impl Section {
    fn check(
        &mut self,
        letter: u8,
        single: u32,
        rank: Option<u8>,
        ordered: bool,
    ) -> Result<(), SdpErrorKind> {
        let bit = letter_bit(letter);
        if single & bit != 0 && self.seen & bit != 0 {
            return Err(SdpErrorKind::DuplicateLine(char::from(letter)));
        }
        self.seen |= bit;
        let Some(rank) = rank else {
            return Ok(());
        };
        if ordered {
            if letter == b'r' && self.last != b't' && self.last != b'r' {
                return Err(SdpErrorKind::RepeatWithoutTiming);
            }
            let next_time = letter == b't' && self.last == b'r';
            if rank < self.rank && !next_time {
                return Err(SdpErrorKind::OutOfOrder {
                    letter: char::from(letter),
                    after: char::from(self.last),
                });
            }
        }
        self.rank = rank;
        self.last = letter;
        Ok(())
    }
}

/// What the validator learnt about the session part. `o=` and `c=` are
/// kept as their validated text and parsed again on access, which keeps the
/// view small (MGCP messages hold up to two descriptions inline).
#[derive(Debug, Default, Clone, Copy)]
struct Found<'a> {
    version: Option<u32>,
    origin: Option<&'a str>,
    session_name: Option<&'a str>,
    connection: Option<&'a str>,
    timing: bool,
    direction: Option<Direction>,
}

/// One pass over the lines of a description.
struct Validator<'a> {
    opts: SdpOptions,
    line_no: usize,
    lines: usize,
    first_letter: u8,
    version_line: usize,
    session: Section,
    media: Section,
    in_media: bool,
    media_count: usize,
    first_media_line: usize,
    media_offset: Option<usize>,
    found: Found<'a>,
}

impl<'a> Validator<'a> {
    fn new(opts: SdpOptions) -> Self {
        Validator {
            opts,
            line_no: 0,
            lines: 0,
            first_letter: 0,
            version_line: 0,
            session: Section::default(),
            media: Section::default(),
            in_media: false,
            media_count: 0,
            first_media_line: 0,
            media_offset: None,
            found: Found::default(),
        }
    }

    fn run(mut self, text: &'a str) -> Result<SessionDescription<'a>, SdpError> {
        let mut rest = text;
        let mut blank_line = None;
        while !rest.is_empty() {
            let (raw, end, next) = split_line(rest, true);
            self.line_no += 1;
            let bad_end = match end {
                LineEnd::Nul => Some(SdpErrorKind::NulCharacter),
                LineEnd::BareCr if !self.opts.bare_cr_line_endings => {
                    Some(SdpErrorKind::BareCarriageReturn)
                }
                _ => None,
            };
            if let Some(kind) = bad_end {
                return Err(Fault::missing(raw, kind).into_error(self.line_no, raw));
            }
            if is_blank(raw) {
                if !raw.is_empty() && !self.opts.trailing_whitespace {
                    let fault = Fault::new(&raw[..0], SdpErrorKind::TrailingWhitespace);
                    return Err(fault.into_error(self.line_no, raw));
                }
                blank_line.get_or_insert(self.line_no);
            } else {
                if let Some(line_no) = blank_line {
                    return Err(SdpError::new(line_no, 1, SdpErrorKind::EmptyLine, ""));
                }
                let offset = text.len() - rest.len();
                self.line(raw, offset)
                    .map_err(|fault| fault.into_error(self.line_no, raw))?;
            }
            rest = next;
        }
        self.finish(text)
    }

    fn line(&mut self, raw: &'a str, offset: usize) -> Result<(), Fault<'a>> {
        let line = trim_end_wsp(raw);
        if line.len() < raw.len() && !self.opts.trailing_whitespace {
            return Err(Fault::missing(line, SdpErrorKind::TrailingWhitespace));
        }
        let (letter, value) =
            split_type(line).ok_or_else(|| Fault::new(line, SdpErrorKind::InvalidLineStart))?;
        self.lines += 1;
        if self.lines == 1 {
            self.first_letter = letter;
        }
        self.check_order(letter)
            .map_err(|kind| Fault::new(&line[..0], kind))?;
        match letter {
            b'v' => {
                self.found.version = Some(parse_version(value)?);
                self.version_line = self.line_no;
            }
            b'o' => {
                parse_origin(value)?;
                self.found.origin = Some(value);
            }
            b's' => self.found.session_name = Some(value),
            b'c' if self.in_media => {
                parse_connection(value)?;
            }
            b'c' => {
                parse_connection(value)?;
                self.found.connection = Some(value);
            }
            b't' => {
                check_timing(value)?;
                self.found.timing = true;
            }
            b'b' => check_bandwidth(value)?,
            b'm' => self.media_line(value, offset)?,
            b'a' => self.attribute(value)?,
            _ => {}
        }
        Ok(())
    }

    fn check_order(&mut self, letter: u8) -> Result<(), SdpErrorKind> {
        let ordered = !self.opts.any_line_order;
        if letter == b'm' {
            self.in_media = true;
            self.media = Section::default();
            return Ok(());
        }
        if !self.in_media {
            return self
                .session
                .check(letter, SESSION_SINGLE, session_rank(letter), ordered);
        }
        if SESSION_ONLY & letter_bit(letter) != 0 {
            if ordered {
                return Err(SdpErrorKind::SessionLineInMedia(char::from(letter)));
            }
            return self.session.check(letter, SESSION_SINGLE, None, false);
        }
        self.media
            .check(letter, MEDIA_SINGLE, media_rank(letter), ordered)
    }

    fn media_line(&mut self, value: &'a str, offset: usize) -> Result<(), Fault<'a>> {
        let line = parse_media_line(value)?;
        check_formats(&line, value, &self.opts)?;
        self.media_count += 1;
        if self.media_count > MAX_MEDIA {
            return Err(Fault::new(line.kind, SdpErrorKind::TooManyMedia));
        }
        if self.media_offset.is_none() {
            self.media_offset = Some(offset);
            self.first_media_line = self.line_no;
        }
        Ok(())
    }

    fn attribute(&mut self, value: &'a str) -> Result<(), Fault<'a>> {
        let direction = check_attribute(value, &self.opts)?;
        if !self.in_media && self.found.direction.is_none() {
            self.found.direction = direction;
        }
        Ok(())
    }

    fn finish(self, text: &'a str) -> Result<SessionDescription<'a>, SdpError> {
        if self.lines == 0 {
            return Err(SdpError::new(1, 1, SdpErrorKind::Empty, ""));
        }
        let version_only = self.lines == 1 && self.found.version.is_some();
        if !version_only {
            self.check_required()?;
        }
        Ok(SessionDescription {
            text,
            media_start: self.media_offset.unwrap_or(text.len()),
            media_count: self.media_count,
            found: self.found,
        })
    }

    fn check_required(&self) -> Result<(), SdpError> {
        use SdpErrorKind as K;
        let opts = &self.opts;
        if self.found.version.is_none() && !opts.missing_version {
            return Err(SdpError::new(1, 1, K::MissingVersion, ""));
        }
        if self.found.version.is_some() && self.first_letter != b'v' && !opts.any_line_order {
            return Err(SdpError::new(self.version_line, 1, K::MissingVersion, ""));
        }
        let line = if self.first_media_line > 0 {
            self.first_media_line
        } else {
            self.line_no
        };
        let missing = [
            (
                self.found.origin.is_none() && !opts.missing_origin,
                K::MissingOrigin,
            ),
            (
                self.found.session_name.is_none() && !opts.missing_session_name,
                K::MissingSessionName,
            ),
            (!self.found.timing && !opts.missing_timing, K::MissingTiming),
        ];
        match missing.iter().find(|(absent, _)| *absent) {
            Some(&(_, kind)) => Err(SdpError::new(line, 1, kind, "")),
            None => Ok(()),
        }
    }
}

fn check_size(text: &str) -> Result<(), SdpError> {
    if text.len() > MAX_DESCRIPTION_LEN {
        let (line, column) = locate(text, MAX_DESCRIPTION_LEN);
        return Err(SdpError::new(line, column, SdpErrorKind::TooLong, ""));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The view
// ---------------------------------------------------------------------------

/// One validated session description: a view over its text.
///
/// Created by [`SessionDescription::parse`]; every accessor reads the text
/// again and allocates nothing. Equality compares the sequence of
/// `(type, value)` lines, so the same description with CRLF and with LF line
/// endings compares equal.
#[derive(Debug, Clone, Copy)]
pub struct SessionDescription<'a> {
    text: &'a str,
    /// Offset of the first `m=` line (the length when there is none).
    media_start: usize,
    media_count: usize,
    found: Found<'a>,
}

impl<'a> SessionDescription<'a> {
    /// Validates `text` as one session description.
    ///
    /// `text` is one description: use [`split_descriptions`] first on an
    /// MGCP body that may hold two. Empty (or, with `trailing_whitespace`,
    /// blank) lines at the end are ignored.
    ///
    /// # Errors
    /// [`SdpError`] names the line, the column and the rule broken. It never
    /// panics, whatever the input.
    pub fn parse(text: &'a str, opts: &SdpOptions) -> Result<Self, SdpError> {
        check_size(text)?;
        Validator::new(*opts).run(text)
    }

    /// The text of the description, as given to [`SessionDescription::parse`].
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The `v=` number (0 in practice), `None` when the line was absent.
    pub fn version(&self) -> Option<u32> {
        self.found.version
    }

    /// True when the description holds only a `v=` line: RFC 3435 §3.3's way
    /// of saying that an audited connection descriptor does not exist.
    pub fn is_version_only(&self) -> bool {
        self.found.version.is_some() && self.lines().nth(1).is_none()
    }

    /// The `o=` line.
    pub fn origin(&self) -> Option<Origin<'a>> {
        self.found.origin.and_then(|value| parse_origin(value).ok())
    }

    /// The `s=` value.
    pub fn session_name(&self) -> Option<&'a str> {
        self.found.session_name
    }

    /// The session-level `c=` line (before the first `m=`).
    pub fn connection(&self) -> Option<Connection<'a>> {
        self.found
            .connection
            .and_then(|value| parse_connection(value).ok())
    }

    /// The session-level direction attribute, if any.
    pub fn direction(&self) -> Option<Direction> {
        self.found.direction
    }

    /// Session-level attributes (the `a=` lines before the first `m=`), in
    /// order, known and unknown.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            lines: lines_of(self.text.get(..self.media_start).unwrap_or(self.text)),
        }
    }

    /// The first session-level attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<Attribute<'a>> {
        self.attributes().find(|a| a.name == name)
    }

    /// The media descriptions, in order.
    pub fn media(&self) -> MediaIter<'a> {
        MediaIter {
            rest: self.text.get(self.media_start..).unwrap_or(""),
            session_connection: self.found.connection,
            session_direction: self.found.direction,
        }
    }

    /// Number of `m=` lines.
    pub fn media_count(&self) -> usize {
        self.media_count
    }

    /// Every line as `(type letter, value)`, in order, unknown types
    /// included. Values lose trailing white space.
    pub fn lines(&self) -> Lines<'a> {
        lines_of(self.text)
    }
}

impl<'b> PartialEq<SessionDescription<'b>> for SessionDescription<'_> {
    fn eq(&self, other: &SessionDescription<'b>) -> bool {
        self.lines().eq(other.lines())
    }
}

impl Eq for SessionDescription<'_> {}

impl fmt::Display for SessionDescription<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

fn lines_of(text: &str) -> Lines<'_> {
    Lines { rest: text }
}

/// Iterator over `(type letter, value)` lines; see
/// [`SessionDescription::lines`].
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (char, &'a str);

    fn next(&mut self) -> Option<(char, &'a str)> {
        while !self.rest.is_empty() {
            let (raw, _, next) = next_line(self.rest);
            self.rest = next;
            if let Some((letter, value)) = split_type(trim_end_wsp(raw)) {
                return Some((char::from(letter), value));
            }
        }
        None
    }
}

impl FusedIterator for Lines<'_> {}

/// Iterator over [`Attribute`]s; see [`SessionDescription::attributes`] and
/// [`Media::attributes`].
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    lines: Lines<'a>,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    fn next(&mut self) -> Option<Attribute<'a>> {
        self.lines
            .by_ref()
            .find(|&(letter, _)| letter == 'a')
            .map(|(_, value)| Attribute::split(value))
    }
}

impl FusedIterator for Attributes<'_> {}

/// Iterator over the media descriptions; see [`SessionDescription::media`].
#[derive(Debug, Clone)]
pub struct MediaIter<'a> {
    rest: &'a str,
    session_connection: Option<&'a str>,
    session_direction: Option<Direction>,
}

impl<'a> Iterator for MediaIter<'a> {
    type Item = Media<'a>;

    fn next(&mut self) -> Option<Media<'a>> {
        while !self.rest.is_empty() {
            let section = take_media_section(&mut self.rest);
            if let Some(media) =
                Media::new(section, self.session_connection, self.session_direction)
            {
                return Some(media);
            }
        }
        None
    }
}

impl FusedIterator for MediaIter<'_> {}

/// Cuts the section that starts at the `m=` line at the head of `rest`.
fn take_media_section<'a>(rest: &mut &'a str) -> &'a str {
    let text = *rest;
    let (_, _, mut tail) = next_line(text);
    while !tail.is_empty() && !tail.starts_with("m=") {
        tail = next_line(tail).2;
    }
    *rest = tail;
    &text[..text.len() - tail.len()]
}

/// One media description: the `m=` line and the lines up to the next `m=`.
#[derive(Debug, Clone, Copy)]
pub struct Media<'a> {
    text: &'a str,
    /// The lines after the `m=` line.
    body: &'a str,
    line: MediaLine<'a>,
    session_connection: Option<&'a str>,
    session_direction: Option<Direction>,
}

impl<'a> Media<'a> {
    fn new(
        text: &'a str,
        session_connection: Option<&'a str>,
        session_direction: Option<Direction>,
    ) -> Option<Self> {
        let (raw, _, body) = next_line(text);
        let value = trim_end_wsp(raw).strip_prefix("m=")?;
        let line = parse_media_line(value).ok()?;
        Some(Media {
            text,
            body,
            line,
            session_connection,
            session_direction,
        })
    }

    /// The text of this media description, from its `m=` line on.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// Media type: `audio`, `image`, `video`, …
    pub fn kind(&self) -> &'a str {
        self.line.kind
    }

    /// Transport port.
    pub fn port(&self) -> u16 {
        self.line.port
    }

    /// Number of ports (`<port>/<count>`), 1 when not given.
    pub fn port_count(&self) -> u16 {
        self.line.port_count.unwrap_or(1)
    }

    /// Transport protocol: `RTP/AVP`, `udptl`, …
    pub fn proto(&self) -> &'a str {
        self.line.proto
    }

    /// True when the transport is RTP, so that formats are payload types.
    pub fn is_rtp(&self) -> bool {
        is_rtp_proto(self.line.proto)
    }

    /// The format tokens of the `m=` line, in order: payload type numbers
    /// for RTP, other tokens (`t38`) otherwise.
    pub fn formats(&self) -> Formats<'a> {
        Formats {
            fields: Fields::new(self.line.formats),
        }
    }

    /// The formats that are RTP payload type numbers (0–127), in order.
    pub fn payload_types(&self) -> PayloadTypes<'a> {
        PayloadTypes {
            formats: self.formats(),
        }
    }

    /// The media-level `c=` line, or else the session-level one.
    pub fn connection(&self) -> Option<Connection<'a>> {
        self.lines()
            .find(|&(letter, _)| letter == 'c')
            .map(|(_, value)| value)
            .or(self.session_connection)
            .and_then(|value| parse_connection(value).ok())
    }

    /// Attributes of this media description, in order.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes {
            lines: lines_of(self.body),
        }
    }

    /// The first attribute of this media description called `name`.
    pub fn attribute(&self, name: &str) -> Option<Attribute<'a>> {
        self.attributes().find(|a| a.name == name)
    }

    /// The `a=rtpmap` line of a payload type.
    pub fn rtpmap(&self, payload_type: u8) -> Option<RtpMap<'a>> {
        self.values_of("rtpmap")
            .filter(|value| first_field_is(value, payload_type))
            .find_map(|value| parse_rtpmap(value, true).ok())
            .map(|(_, map)| map)
    }

    /// The encoding of a payload type: its `a=rtpmap`, or else the RFC 3551
    /// static assignment ([`static_payload_type`]).
    pub fn codec(&self, payload_type: u8) -> Option<RtpMap<'a>> {
        self.rtpmap(payload_type)
            .or_else(|| static_payload_type(payload_type))
    }

    /// Every payload type of the `m=` line with its [`Media::codec`].
    pub fn codecs(&self) -> impl Iterator<Item = (u8, Option<RtpMap<'a>>)> + use<'a> {
        let media = *self;
        self.payload_types().map(move |pt| (pt, media.codec(pt)))
    }

    /// The parameters of `a=fmtp:<payload type> <parameters>`.
    pub fn fmtp(&self, payload_type: u8) -> Option<&'a str> {
        self.values_of("fmtp")
            .filter(|value| first_field_is(value, payload_type))
            .find_map(|value| parse_fmtp(value).ok())
            .map(|(_, parameters)| parameters)
    }

    /// `a=ptime`, in milliseconds.
    pub fn ptime(&self) -> Option<u32> {
        self.values_of("ptime").find_map(parse_u32)
    }

    /// `a=maxptime`, in milliseconds.
    pub fn maxptime(&self) -> Option<u32> {
        self.values_of("maxptime").find_map(parse_u32)
    }

    /// The media-level direction attribute, or else the session-level one.
    pub fn direction(&self) -> Option<Direction> {
        self.attributes()
            .filter(|a| a.value.is_none())
            .find_map(|a| Direction::from_name(a.name))
            .or(self.session_direction)
    }

    /// Every line of this media description, `m=` included.
    pub fn lines(&self) -> Lines<'a> {
        lines_of(self.text)
    }

    fn values_of(&self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attributes()
            .filter(move |a| a.name == name)
            .filter_map(|a| a.value)
    }
}

/// True when the first field of an attribute value is `payload_type`.
fn first_field_is(value: &str, payload_type: u8) -> bool {
    Fields::new(value).next().and_then(parse_payload_type) == Some(payload_type)
}

/// Iterator over the format tokens of an `m=` line; see [`Media::formats`].
#[derive(Debug, Clone)]
pub struct Formats<'a> {
    fields: Fields<'a>,
}

impl<'a> Iterator for Formats<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.fields.next()
    }
}

impl FusedIterator for Formats<'_> {}

/// Iterator over the payload type numbers of an `m=` line; see
/// [`Media::payload_types`].
#[derive(Debug, Clone)]
pub struct PayloadTypes<'a> {
    formats: Formats<'a>,
}

impl Iterator for PayloadTypes<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        self.formats.by_ref().find_map(parse_payload_type)
    }
}

impl FusedIterator for PayloadTypes<'_> {}

// ---------------------------------------------------------------------------
// Splitting an MGCP body
// ---------------------------------------------------------------------------

/// Splits an MGCP message body into its session descriptions.
///
/// RFC 3435 §3.3 separates the local and the remote description of an
/// AuditConnection response by an empty line; a second `v=` line also starts
/// a new description when the empty line is missing. Empty and blank lines
/// before, between and after the descriptions are dropped; each description
/// keeps the line ending of its last line. Lines may end in CRLF, LF or CR.
///
/// ```
/// # use mgcp_proto::sdp::split_descriptions;
/// let body = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n\r\nv=0\r\n";
/// let parts: Vec<&str> = split_descriptions(body).collect();
/// assert_eq!(parts, ["v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n", "v=0\r\n"]);
/// ```
pub fn split_descriptions(body: &str) -> Descriptions<'_> {
    Descriptions { rest: body }
}

/// Iterator returned by [`split_descriptions`].
#[derive(Debug, Clone)]
pub struct Descriptions<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Descriptions<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let start = skip_blank_lines(self.rest);
        if start.is_empty() {
            self.rest = start;
            return None;
        }
        let (_, _, mut tail) = next_line(start);
        while !tail.is_empty() {
            let (line, _, next) = next_line(tail);
            if is_blank(line) || line.starts_with("v=") {
                break;
            }
            tail = next;
        }
        self.rest = tail;
        Some(&start[..start.len() - tail.len()])
    }
}

impl FusedIterator for Descriptions<'_> {}

fn skip_blank_lines(mut text: &str) -> &str {
    while !text.is_empty() {
        let (line, _, next) = next_line(text);
        if !is_blank(line) {
            break;
        }
        text = next;
    }
    text
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/// Line ending of written descriptions. RFC 3435 allows either; CRLF is the
/// default because osmo-mgw and Cisco gateways send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LineEnding {
    /// `\r\n`.
    #[default]
    Crlf,
    /// `\n`.
    Lf,
}

impl LineEnding {
    /// The characters that end a line.
    pub const fn as_str(self) -> &'static str {
        match self {
            LineEnding::Crlf => "\r\n",
            LineEnding::Lf => "\n",
        }
    }
}

/// A description to write: what an MGCP endpoint needs to state in a
/// LocalConnectionDescriptor or a RemoteConnectionDescriptor.
///
/// It borrows its text and lists, so building one allocates nothing. The
/// strings must be SDP tokens (no spaces, CR or LF) except `session_name`
/// and `fmtp` parameters, which must not hold CR or LF.
///
/// ```
/// # use mgcp_proto::sdp::{SdpSpec, MediaSpec, PayloadSpec, LineEnding};
/// let payloads = [
///     PayloadSpec::new(112, "AMR", 8000).with_fmtp("octet-align=1"),
///     PayloadSpec::from_static(3).unwrap(),
/// ];
/// let media = [MediaSpec::audio(16002, &payloads).with_ptime(20)];
/// let spec = SdpSpec::new(0x1A2B, 23, "127.0.0.1".parse().unwrap()).with_media(&media);
/// assert_eq!(
///     spec.to_sdp_string(LineEnding::Lf),
///     "v=0\no=- 6699 23 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
///      m=audio 16002 RTP/AVP 112 3\na=rtpmap:112 AMR/8000\na=fmtp:112 octet-align=1\n\
///      a=ptime:20\n"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdpSpec<'a> {
    /// `o=` username; `-` when there is none.
    pub username: &'a str,
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` session version.
    pub session_version: u64,
    /// `o=` address.
    pub origin_address: IpAddr,
    /// `s=` value; `-` when there is none.
    pub session_name: &'a str,
    /// Session-level `c=` address.
    pub connection_address: Option<IpAddr>,
    /// The media descriptions.
    pub media: &'a [MediaSpec<'a>],
}

impl<'a> SdpSpec<'a> {
    /// A description with username and session name `-`, `address` in both
    /// `o=` and `c=`, and no media yet.
    pub const fn new(session_id: u64, session_version: u64, address: IpAddr) -> Self {
        SdpSpec {
            username: "-",
            session_id,
            session_version,
            origin_address: address,
            session_name: "-",
            connection_address: Some(address),
            media: &[],
        }
    }

    /// The same description with these media descriptions.
    pub const fn with_media(self, media: &'a [MediaSpec<'a>]) -> Self {
        SdpSpec { media, ..self }
    }

    /// Writes the canonical text: `v=0`, `o=`, `s=`, `c=`, `t=0 0`, then each
    /// media description.
    ///
    /// # Errors
    /// Only those of `out`.
    pub fn write<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        line_ending: LineEnding,
    ) -> fmt::Result {
        let nl = line_ending.as_str();
        let address = self.origin_address;
        out.write_str("v=0")?;
        out.write_str(nl)?;
        write!(
            out,
            "o={} {} {}",
            self.username, self.session_id, self.session_version
        )?;
        write!(out, " IN {} {address}{nl}", addr_type_of(address))?;
        write!(out, "s={}{nl}", self.session_name)?;
        if let Some(address) = self.connection_address {
            write_connection(out, address, nl)?;
        }
        write!(out, "t=0 0{nl}")?;
        for media in self.media {
            media.write(out, nl)?;
        }
        Ok(())
    }

    /// The canonical text in a new `String`.
    pub fn to_sdp_string(&self, line_ending: LineEnding) -> String {
        let mut text = String::with_capacity(256);
        // Writing into a String cannot fail.
        let _ = self.write(&mut text, line_ending);
        text
    }
}

/// Writes with CRLF line endings.
impl fmt::Display for SdpSpec<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, LineEnding::Crlf)
    }
}

fn addr_type_of(address: IpAddr) -> &'static str {
    match address {
        IpAddr::V4(_) => "IP4",
        IpAddr::V6(_) => "IP6",
    }
}

fn write_connection<W: fmt::Write + ?Sized>(out: &mut W, address: IpAddr, nl: &str) -> fmt::Result {
    write!(out, "c=IN {} {address}{nl}", addr_type_of(address))
}

/// One media description to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaSpec<'a> {
    /// Media type: `audio`, `image`, …
    pub kind: &'a str,
    /// Transport port.
    pub port: u16,
    /// Transport protocol: `RTP/AVP`, `udptl`, …
    pub proto: &'a str,
    /// RTP payload types, in order of preference.
    pub payloads: &'a [PayloadSpec<'a>],
    /// Other format tokens (such as `t38`), written after the payload types.
    pub formats: &'a [&'a str],
    /// Media-level `c=` address.
    pub connection_address: Option<IpAddr>,
    /// Write `a=rtpmap` for static payload types too (dynamic ones, and
    /// static numbers used with another encoding, always get one).
    pub rtpmap_for_static: bool,
    /// `a=ptime`, in milliseconds.
    pub ptime: Option<u32>,
    /// `a=maxptime`, in milliseconds.
    pub maxptime: Option<u32>,
    /// Written as an attribute unless it is [`Direction::SendRecv`].
    pub direction: Direction,
    /// Further attributes, written last.
    pub attributes: &'a [Attribute<'a>],
}

impl<'a> MediaSpec<'a> {
    /// `m=audio <port> RTP/AVP <payload types>`.
    pub const fn audio(port: u16, payloads: &'a [PayloadSpec<'a>]) -> Self {
        MediaSpec {
            kind: "audio",
            port,
            proto: "RTP/AVP",
            payloads,
            formats: &[],
            connection_address: None,
            rtpmap_for_static: false,
            ptime: None,
            maxptime: None,
            direction: Direction::SendRecv,
            attributes: &[],
        }
    }

    /// `m=image <port> udptl t38` (T.38 fax, RFC 3362).
    pub const fn image_t38(port: u16) -> Self {
        MediaSpec {
            kind: "image",
            proto: "udptl",
            formats: &["t38"],
            ..MediaSpec::audio(port, &[])
        }
    }

    /// The same media description with `a=ptime`.
    pub const fn with_ptime(self, milliseconds: u32) -> Self {
        MediaSpec {
            ptime: Some(milliseconds),
            ..self
        }
    }

    /// The same media description with a direction attribute.
    pub const fn with_direction(self, direction: Direction) -> Self {
        MediaSpec { direction, ..self }
    }

    fn write<W: fmt::Write + ?Sized>(&self, out: &mut W, nl: &str) -> fmt::Result {
        write!(out, "m={} {} {}", self.kind, self.port, self.proto)?;
        for payload in self.payloads {
            write!(out, " {}", payload.payload_type)?;
        }
        for format in self.formats {
            write!(out, " {format}")?;
        }
        out.write_str(nl)?;
        if let Some(address) = self.connection_address {
            write_connection(out, address, nl)?;
        }
        for payload in self.payloads {
            payload.write_attributes(out, self.rtpmap_for_static, nl)?;
        }
        if let Some(ptime) = self.ptime {
            write!(out, "a=ptime:{ptime}{nl}")?;
        }
        if let Some(maxptime) = self.maxptime {
            write!(out, "a=maxptime:{maxptime}{nl}")?;
        }
        if self.direction != Direction::SendRecv {
            write!(out, "a={}{nl}", self.direction)?;
        }
        for attribute in self.attributes {
            match attribute.value {
                Some(value) => write!(out, "a={}:{value}{nl}", attribute.name)?,
                None => write!(out, "a={}{nl}", attribute.name)?,
            }
        }
        Ok(())
    }
}

/// An RTP payload type to write, with its `a=rtpmap` and `a=fmtp` content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadSpec<'a> {
    /// Payload type number, 0–127.
    pub payload_type: u8,
    /// Encoding name: `PCMA`, `AMR`, `telephone-event`, …
    pub encoding: &'a str,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channels, written as `/<channels>` when given.
    pub channels: Option<u16>,
    /// `a=fmtp` parameters.
    pub fmtp: Option<&'a str>,
}

impl<'a> PayloadSpec<'a> {
    /// A payload type with encoding and clock rate.
    pub const fn new(payload_type: u8, encoding: &'a str, clock_rate: u32) -> Self {
        PayloadSpec {
            payload_type,
            encoding,
            clock_rate,
            channels: None,
            fmtp: None,
        }
    }

    /// A static payload type of RFC 3551 with its assigned encoding.
    pub fn from_static(payload_type: u8) -> Option<Self> {
        let map = static_payload_type(payload_type)?;
        Some(PayloadSpec {
            channels: map.channels,
            ..PayloadSpec::new(payload_type, map.encoding, map.clock_rate.unwrap_or(8000))
        })
    }

    /// `telephone-event/8000` with `a=fmtp:<pt> 0-15` (DTMF, RFC 4733).
    pub const fn telephone_event(payload_type: u8) -> Self {
        PayloadSpec::new(payload_type, "telephone-event", 8000).with_fmtp("0-15")
    }

    /// The same payload type with `a=fmtp` parameters.
    pub const fn with_fmtp(self, parameters: &'a str) -> Self {
        PayloadSpec {
            fmtp: Some(parameters),
            ..self
        }
    }

    /// The same payload type with a channel count.
    pub const fn with_channels(self, channels: u16) -> Self {
        PayloadSpec {
            channels: Some(channels),
            ..self
        }
    }

    /// True when the static assignment of the number says all an
    /// `a=rtpmap` would.
    fn is_static_assignment(&self) -> bool {
        let map = RtpMap {
            encoding: self.encoding,
            clock_rate: Some(self.clock_rate),
            channels: self.channels,
        };
        static_payload_type(self.payload_type) == Some(map)
    }

    fn write_attributes<W: fmt::Write + ?Sized>(
        &self,
        out: &mut W,
        rtpmap_for_static: bool,
        nl: &str,
    ) -> fmt::Result {
        let pt = self.payload_type;
        if rtpmap_for_static || !self.is_static_assignment() {
            write!(out, "a=rtpmap:{pt} {}/{}", self.encoding, self.clock_rate)?;
            if let Some(channels) = self.channels {
                write!(out, "/{channels}")?;
            }
            out.write_str(nl)?;
        }
        if let Some(parameters) = self.fmtp {
            write!(out, "a=fmtp:{pt} {parameters}{nl}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 3435 §3.3 (CreateConnection response).
    const RFC3435: &str = "v=0\no=- 25678 753849 IN IP4 128.96.41.1\ns=-\nc=IN IP4 128.96.41.1\n\
                           t=0 0\nm=audio 3456 RTP/AVP 96\na=rtpmap:96 G726-32/8000";

    /// osmo-mgw's CRCX response style.
    const OSMO_MGW: &str = "v=0\r\no=- 1A2B3C4D 23 IN IP4 127.0.0.1\r\ns=-\r\n\
                            c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 16002 RTP/AVP 112 3 8\r\n\
                            a=rtpmap:112 AMR/8000\r\na=fmtp:112 octet-align=1\r\na=ptime:20\r\n";

    /// From osmo-mgw's test suite: a CRCX description without o=, s=, t=.
    const OSMO_NO_ORIGIN: &str = "v=0\r\nc=IN IP4 123.12.12.123\r\nm=audio 5904 RTP/AVP 97\r\n\
                                  a=rtpmap:97 GSM-EFR/8000\r\na=ptime:40\r\n";

    /// From osmo-mgw's test suite: an MDCX description without v= either.
    const OSMO_NO_VERSION: &str = "c=IN IP4 8.8.8.8\r\nm=audio 16434 RTP/AVP 3\r\n";

    /// From osmo-mgw's test suite: bare CR line endings.
    const OSMO_BARE_CR: &str =
        "v=0\rc=IN IP4 123.12.12.123\rm=audio 5904 RTP/AVP 97\ra=rtpmap:97 GSM-EFR/8000\r";

    const T38: &str = "v=0\r\no=- 4 1 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n\
                       m=image 4002 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n\
                       a=T38FaxRateManagement:transferredTCF\r\n";

    /// Five session lines; media lines start at line 6.
    const HEAD: &str = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\nt=0 0\n";

    fn strict(text: &str) -> SessionDescription<'_> {
        match SessionDescription::parse(text, &SdpOptions::strict()) {
            Ok(sdp) => sdp,
            Err(e) => panic!("{e}\n{text}"),
        }
    }

    fn lenient(text: &str) -> SessionDescription<'_> {
        match SessionDescription::parse(text, &SdpOptions::lenient()) {
            Ok(sdp) => sdp,
            Err(e) => panic!("{e}\n{text}"),
        }
    }

    fn strict_error(text: &str) -> SdpError {
        match SessionDescription::parse(text, &SdpOptions::strict()) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e,
        }
    }

    fn first_media<'a>(sdp: &SessionDescription<'a>) -> Media<'a> {
        sdp.media().next().expect("a media description")
    }

    fn map(encoding: &str, clock_rate: u32) -> RtpMap<'_> {
        RtpMap {
            encoding,
            clock_rate: Some(clock_rate),
            channels: None,
        }
    }

    /// Reads everything a caller could read.
    fn walk(sdp: &SessionDescription<'_>) -> usize {
        let mut seen = sdp.lines().count() + sdp.attributes().count();
        seen += usize::from(sdp.is_version_only());
        let _ = (
            sdp.version(),
            sdp.origin().map(|o| o.ip()),
            sdp.session_name(),
        );
        let _ = (sdp.connection().map(|c| c.ip()), sdp.direction());
        for media in sdp.media() {
            let _ = (
                media.kind(),
                media.port(),
                media.port_count(),
                media.proto(),
            );
            let _ = (
                media.ptime(),
                media.maxptime(),
                media.direction(),
                media.is_rtp(),
            );
            let _ = media.connection().map(|c| c.ip());
            seen += media.formats().count() + media.attributes().count() + media.lines().count();
            for (pt, codec) in media.codecs() {
                seen += usize::from(codec.is_some()) + usize::from(media.fmtp(pt).is_some());
            }
        }
        seen
    }

    #[test]
    fn rfc3435_example() {
        let sdp = strict(RFC3435);
        assert_eq!(sdp.version(), Some(0));
        let origin = sdp.origin().expect("o=");
        assert_eq!(origin.username, "-");
        assert_eq!(origin.session_id, "25678");
        assert_eq!(origin.session_version, "753849");
        assert_eq!((origin.net_type, origin.addr_type), ("IN", "IP4"));
        assert_eq!(origin.ip(), Some(IpAddr::from([128, 96, 41, 1])));
        assert_eq!(sdp.session_name(), Some("-"));
        let connection = sdp.connection().expect("c=");
        assert_eq!(connection.ip(), Some(IpAddr::from([128, 96, 41, 1])));
        assert_eq!((connection.ttl, connection.address_count), (None, None));
        assert_eq!(sdp.media_count(), 1);
        let media = first_media(&sdp);
        assert_eq!(
            (media.kind(), media.port(), media.port_count()),
            ("audio", 3456, 1)
        );
        assert_eq!(media.proto(), "RTP/AVP");
        assert!(media.is_rtp());
        assert_eq!(media.formats().collect::<Vec<_>>(), ["96"]);
        assert_eq!(media.payload_types().collect::<Vec<_>>(), [96]);
        assert_eq!(media.rtpmap(96), Some(map("G726-32", 8000)));
        assert_eq!(media.codec(96), Some(map("G726-32", 8000)));
        assert_eq!(media.rtpmap(0), None);
        assert_eq!(media.codec(0), Some(map("PCMU", 8000)));
        assert_eq!(media.connection(), sdp.connection());
        assert_eq!((media.direction(), media.ptime()), (None, None));
        let lines: Vec<_> = sdp.lines().collect();
        assert_eq!(lines.first(), Some(&('v', "0")));
        assert_eq!(lines.last(), Some(&('a', "rtpmap:96 G726-32/8000")));
        assert_eq!(lines.len(), 7);
        assert_eq!(sdp.as_str(), RFC3435);
        assert!(!sdp.is_version_only());
    }

    #[test]
    fn osmo_mgw_response() {
        let sdp = strict(OSMO_MGW);
        assert_eq!(sdp.origin().map(|o| o.session_id), Some("1A2B3C4D"));
        let media = first_media(&sdp);
        assert_eq!(media.payload_types().collect::<Vec<_>>(), [112, 3, 8]);
        let codecs: Vec<_> = media.codecs().collect();
        assert_eq!(
            codecs,
            [
                (112, Some(map("AMR", 8000))),
                (3, Some(map("GSM", 8000))),
                (8, Some(map("PCMA", 8000)))
            ]
        );
        assert_eq!(media.fmtp(112), Some("octet-align=1"));
        assert_eq!(media.fmtp(3), None);
        assert_eq!(media.ptime(), Some(20));
        assert_eq!(media.attribute("ptime").and_then(|a| a.value), Some("20"));
        assert_eq!(media.attributes().count(), 3);
        assert_eq!(media.lines().count(), 4);
        assert!(walk(&sdp) > 0);
    }

    #[test]
    fn osmocom_descriptions_without_version_or_origin() {
        let e = strict_error(OSMO_NO_ORIGIN);
        assert_eq!((e.kind, e.line), (SdpErrorKind::MissingOrigin, 3));
        let e = strict_error(OSMO_NO_VERSION);
        assert_eq!((e.kind, e.line), (SdpErrorKind::MissingVersion, 1));

        let mut options = SdpOptions::strict();
        options.missing_origin = true;
        options.missing_session_name = true;
        options.missing_timing = true;
        let sdp = SessionDescription::parse(OSMO_NO_ORIGIN, &options).expect("tolerated");
        assert_eq!(
            (sdp.version(), sdp.origin(), sdp.session_name()),
            (Some(0), None, None)
        );
        let media = first_media(&sdp);
        assert_eq!(
            media.connection().and_then(|c| c.ip()),
            Some(IpAddr::from([123, 12, 12, 123]))
        );
        assert_eq!(media.codec(97), Some(map("GSM-EFR", 8000)));
        assert_eq!(media.ptime(), Some(40));

        let sdp = lenient(OSMO_NO_VERSION);
        assert_eq!(sdp.version(), None);
        let media = first_media(&sdp);
        assert_eq!(
            (media.port(), media.codec(3)),
            (16434, Some(map("GSM", 8000)))
        );
        assert_eq!(
            media.connection().and_then(|c| c.ip()),
            Some(IpAddr::from([8, 8, 8, 8]))
        );
    }

    #[test]
    fn bare_cr_line_endings() {
        let e = strict_error(OSMO_BARE_CR);
        assert_eq!(
            (e.kind, e.line, e.column),
            (SdpErrorKind::BareCarriageReturn, 1, 4)
        );
        let sdp = lenient(OSMO_BARE_CR);
        let media = first_media(&sdp);
        assert_eq!(media.port(), 5904);
        assert_eq!(media.rtpmap(97), Some(map("GSM-EFR", 8000)));
        assert_eq!(sdp.lines().count(), 4);
    }

    #[test]
    fn t38_image_media() {
        let sdp = strict(T38);
        let media = first_media(&sdp);
        assert_eq!(
            (media.kind(), media.port(), media.proto()),
            ("image", 4002, "udptl")
        );
        assert!(!media.is_rtp());
        assert_eq!(media.formats().collect::<Vec<_>>(), ["t38"]);
        assert_eq!(media.payload_types().count(), 0);
        assert_eq!(
            media.attribute("T38MaxBitRate").and_then(|a| a.value),
            Some("14400")
        );
        let names: Vec<_> = media.attributes().map(|a| a.name).collect();
        assert_eq!(
            names,
            ["T38FaxVersion", "T38MaxBitRate", "T38FaxRateManagement"]
        );
    }

    #[test]
    fn ipv6_and_other_addresses() {
        let text = "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::2\r\nt=0 0\r\n\
                    m=audio 5000 RTP/AVP 0\r\n";
        let sdp = strict(text);
        let v6 = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(sdp.origin().and_then(|o| o.ip()), v6("2001:db8::1"));
        assert_eq!(sdp.connection().and_then(|c| c.ip()), v6("2001:db8::2"));
        assert_eq!(sdp.connection().map(|c| c.addr_type), Some("IP6"));

        let connection = |line: &str| {
            let text = format!("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n{line}\nt=0 0\n");
            let sdp = strict(&text);
            sdp.connection()
                .map(|c| (c.address.to_owned(), c.ttl, c.address_count, c.ip()))
        };
        let multicast = connection("c=IN IP4 224.2.17.12/127/3");
        assert_eq!(
            multicast,
            Some(("224.2.17.12".into(), Some(127), Some(3), v6("224.2.17.12")))
        );
        let multicast6 = connection("c=IN IP6 ff15::101/3");
        assert_eq!(
            multicast6,
            Some(("ff15::101".into(), None, Some(3), v6("ff15::101")))
        );
        let host = connection("c=IN IP4 gw1.example.net");
        assert_eq!(host, Some(("gw1.example.net".into(), None, None, None)));
        let atm = connection("c=ATM NSAP 47.0091.8100.0000.0060.3E64.FD01.0060.3E64.FD01.00");
        assert_eq!(atm.map(|c| c.3), Some(None));
    }

    #[test]
    fn version_only_descriptions() {
        for text in ["v=0", "v=0\r\n", "v=0\n\n", "v=0\r\n\r\n"] {
            let sdp = strict(text);
            assert!(sdp.is_version_only(), "{text:?}");
            assert_eq!(
                (sdp.version(), sdp.origin(), sdp.media_count()),
                (Some(0), None, 0)
            );
        }
        assert_eq!(
            strict_error("v=0\r\ns=-\r\n").kind,
            SdpErrorKind::MissingOrigin
        );
    }

    #[test]
    fn split_audit_connection_body() {
        let local = "v=0\r\no=- 25678 753849 IN IP4 128.96.41.1\r\ns=-\r\nc=IN IP4 128.96.41.1\r\n\
                     t=0 0\r\nm=audio 1296 RTP/AVP 0\r\n";
        let remote = "v=0\r\no=- 33343 346463 IN IP4 128.96.63.25\r\ns=-\r\n\
                      c=IN IP4 128.96.63.25\r\nt=0 0\r\nm=audio 1296 RTP/AVP 0 96\r\n\
                      a=rtpmap:96 G726-32/8000\r\n";
        let with_empty_line = format!("{local}\r\n{remote}\r\n\r\n");
        let without_empty_line = format!("\r\n{local}{remote}");
        for body in [with_empty_line, without_empty_line] {
            let parts: Vec<_> = split_descriptions(&body).collect();
            assert_eq!(parts, [local, remote]);
            let remote = strict(parts[1]);
            assert_eq!(first_media(&remote).codec(96), Some(map("G726-32", 8000)));
        }
    }

    #[test]
    fn split_edge_cases() {
        fn split(body: &str) -> Vec<&str> {
            split_descriptions(body).collect()
        }
        assert_eq!(split("v=0\r\n\r\nv=0\r\n"), ["v=0\r\n", "v=0\r\n"]);
        assert_eq!(split("v=0\nv=0"), ["v=0\n", "v=0"]);
        assert_eq!(split("v=0\r\rv=0\r"), ["v=0\r", "v=0\r"]);
        assert_eq!(
            split("\n \r\nc=IN IP4 1.2.3.4\n\n\n"),
            ["c=IN IP4 1.2.3.4\n"]
        );
        assert!(split("").is_empty());
        assert!(split("\r\n\r\n").is_empty());
    }

    #[test]
    fn error_kinds_lines_and_columns() {
        use SdpErrorKind as K;
        let media = |line: &str| format!("{HEAD}m=audio 4000 RTP/AVP 0 96\n{line}\n");
        let session = |line: &str| format!("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n{line}\nt=0 0\n");
        let session_after_timing =
            |line: &str| format!("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\n{line}\n");
        let cases: Vec<(String, K, usize, usize)> = vec![
            (String::new(), K::Empty, 1, 1),
            ("\r\n".into(), K::Empty, 1, 1),
            ("v=0\r\ns=a\0b".into(), K::NulCharacter, 2, 4),
            ("v=0\ro=".into(), K::BareCarriageReturn, 1, 4),
            ("v=0 \n".into(), K::TrailingWhitespace, 1, 4),
            ("v=0\n  \n".into(), K::TrailingWhitespace, 2, 1),
            ("v=0\n\no=- 1 1 IN IP4 1.2.3.4\n".into(), K::EmptyLine, 2, 1),
            ("v=0\nhello\n".into(), K::InvalidLineStart, 2, 1),
            ("V=0\n".into(), K::InvalidLineStart, 1, 1),
            (
                "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\ns=x\n".into(),
                K::DuplicateLine('s'),
                4,
                1,
            ),
            (
                session_after_timing("c=IN IP4 1.2.3.4"),
                K::OutOfOrder {
                    letter: 'c',
                    after: 't',
                },
                5,
                1,
            ),
            (session("r=7d 1h 0"), K::RepeatWithoutTiming, 4, 1),
            (media("t=0 0"), K::SessionLineInMedia('t'), 7, 1),
            (
                "o=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\n".into(),
                K::MissingVersion,
                1,
                1,
            ),
            (
                "x=1\nv=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\n".into(),
                K::MissingVersion,
                2,
                1,
            ),
            ("v=zero\n".into(), K::InvalidVersion, 1, 3),
            ("v=0\ns=-\nt=0 0\n".into(), K::MissingOrigin, 3, 1),
            ("v=0\no=- 1 1 IN IP4\n".into(), K::InvalidOrigin, 2, 15),
            (
                "v=0\no=- 1 1 IN IP4 1.2.3.4 x\n".into(),
                K::InvalidOrigin,
                2,
                24,
            ),
            (
                "v=0\no=- 1 1 IN IP4 1.2.3.4\nt=0 0\n".into(),
                K::MissingSessionName,
                3,
                1,
            ),
            (
                "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nm=audio 1 RTP/AVP 0\n".into(),
                K::MissingTiming,
                4,
                1,
            ),
            (
                "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0\n".into(),
                K::InvalidTiming,
                4,
                4,
            ),
            (
                "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 x\n".into(),
                K::InvalidTiming,
                4,
                5,
            ),
            (session("c=IN IP4"), K::InvalidConnection, 4, 9),
            (session("c=IN IPX 1.2.3.4"), K::InvalidAddressType, 4, 6),
            (session("c=IN IP4 1.2.3.999"), K::InvalidAddress, 4, 10),
            (session("c=IN IP4 -gw"), K::InvalidAddress, 4, 10),
            (session("c=IN IP6 zz::1"), K::InvalidAddress, 4, 10),
            (
                session("c=IN IP4 224.2.1.1/300"),
                K::InvalidAddressSuffix,
                4,
                20,
            ),
            (
                session("c=IN IP6 ff15::1/3/4"),
                K::InvalidAddressSuffix,
                4,
                20,
            ),
            (session("b=AS"), K::InvalidBandwidth, 4, 3),
            (session("b=AS:x"), K::InvalidBandwidth, 4, 6),
            (format!("{HEAD}m=\n"), K::InvalidMediaType, 6, 3),
            (
                format!("{HEAD}m=au:dio 1 RTP/AVP 0\n"),
                K::InvalidMediaType,
                6,
                3,
            ),
            (
                format!("{HEAD}m=audio abc RTP/AVP 0\n"),
                K::InvalidPort,
                6,
                9,
            ),
            (
                format!("{HEAD}m=audio 70000 RTP/AVP 0\n"),
                K::InvalidPort,
                6,
                9,
            ),
            (
                format!("{HEAD}m=audio 1/0 RTP/AVP 0\n"),
                K::InvalidPortCount,
                6,
                11,
            ),
            (format!("{HEAD}m=audio 1\n"), K::InvalidProto, 6, 10),
            (
                format!("{HEAD}m=audio 1 RTP//AVP 0\n"),
                K::InvalidProto,
                6,
                11,
            ),
            (
                format!("{HEAD}m=audio 1 RTP/AVP\n"),
                K::MissingFormat,
                6,
                18,
            ),
            (
                format!("{HEAD}m=audio 1 RTP/AVP 0 128\n"),
                K::InvalidPayloadType,
                6,
                21,
            ),
            (media("a="), K::InvalidAttributeName, 7, 3),
            (media("a=:x"), K::InvalidAttributeName, 7, 3),
            (media("a=rtpmap:96 AMR"), K::InvalidRtpmap, 7, 16),
            (media("a=rtpmap:200 AMR/8000"), K::InvalidRtpmap, 7, 10),
            (media("a=rtpmap:96 AMR/x"), K::InvalidRtpmap, 7, 17),
            (media("a=rtpmap"), K::InvalidRtpmap, 7, 9),
            (media("a=fmtp:96"), K::InvalidFmtp, 7, 10),
            (media("a=ptime:abc"), K::InvalidPtime, 7, 9),
            (media("a=ptime"), K::InvalidPtime, 7, 8),
            (media("a=maxptime:x"), K::InvalidMaxptime, 7, 12),
            (media("a=sendrecv:x"), K::DirectionWithValue, 7, 3),
            (media("i=a\ni=b"), K::DuplicateLine('i'), 8, 1),
            (
                media("a=sendonly\nc=IN IP4 1.2.3.4"),
                K::OutOfOrder {
                    letter: 'c',
                    after: 'a',
                },
                8,
                1,
            ),
        ];
        let mut wrong = Vec::new();
        for (text, kind, line, column) in cases {
            let e = strict_error(&text);
            assert_eq!(e.return_code(), 509);
            if (e.kind, e.line, e.column) != (kind, line, column) {
                wrong.push(format!(
                    "{text:?}: got {:?} {}:{} ({e})",
                    e.kind, e.line, e.column
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn error_display_names_the_rule() {
        let e = strict_error(&format!("{HEAD}m=audio abc RTP/AVP 0\n"));
        assert_eq!(
            e.to_string(),
            "line 6: m= line needs a port number, found 'abc'"
        );
        assert_eq!(e.found(), "abc");
        let e = strict_error("v=0\ns=-\nt=0 0\n");
        assert_eq!(
            e.to_string(),
            "line 3: o= line missing (enable missing_origin)"
        );
        let long = format!("{HEAD}m=audio {} RTP/AVP 0\n", "9".repeat(60));
        let e = strict_error(&long);
        assert_eq!(e.found().len(), 40);
        assert!(e.to_string().ends_with("…'"), "{e}");
    }

    #[test]
    fn size_limits() {
        let long = format!("{HEAD}a={}\n", "x".repeat(MAX_DESCRIPTION_LEN));
        let e = strict_error(&long);
        assert_eq!((e.kind, e.line), (SdpErrorKind::TooLong, 6));
        let mut many = HEAD.to_owned();
        for port in 0..=MAX_MEDIA {
            many.push_str(&format!("m=audio {port} RTP/AVP 0\n"));
        }
        let e = strict_error(&many);
        assert_eq!(
            (e.kind, e.line),
            (SdpErrorKind::TooManyMedia, 5 + MAX_MEDIA + 1)
        );
        let at_limit = many.rsplit_once("m=").map(|(head, _)| head).unwrap_or("");
        assert_eq!(strict(at_limit).media().count(), MAX_MEDIA);
    }

    #[test]
    fn line_order_and_leniency_switches() {
        let shuffled = "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\na=recvonly\nc=IN IP4 10.0.0.1\nt=0 0\n\
                        m=audio 1 RTP/AVP 0\na=ptime:20\nc=IN IP4 10.0.0.3\n";
        let e = strict_error(shuffled);
        assert_eq!(
            e.kind,
            SdpErrorKind::OutOfOrder {
                letter: 'c',
                after: 'a'
            }
        );
        let mut options = SdpOptions::strict();
        options.any_line_order = true;
        let sdp = SessionDescription::parse(shuffled, &options).expect("any order");
        assert_eq!(sdp.direction(), Some(Direction::RecvOnly));
        let media = first_media(&sdp);
        assert_eq!(media.direction(), Some(Direction::RecvOnly));
        assert_eq!(media.connection().map(|c| c.address), Some("10.0.0.3"));

        let duplicate = "v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\nm=audio 1 RTP/AVP 0\n\
                         o=- 2 2 IN IP4 1.2.3.4\n";
        let e = SessionDescription::parse(duplicate, &options).expect_err("second o=");
        assert_eq!((e.kind, e.line), (SdpErrorKind::DuplicateLine('o'), 6));

        let trailing = "v=0 \no=- 1 1 IN IP4 10.0.0.1\t\ns=-\nt=0 0\nm=audio 0 RTP/AVP 8\t \n \n";
        assert_eq!(
            strict_error(trailing).kind,
            SdpErrorKind::TrailingWhitespace
        );
        let sdp = lenient(trailing);
        assert_eq!(sdp.origin().map(|o| o.address), Some("10.0.0.1"));
        assert_eq!(first_media(&sdp).formats().collect::<Vec<_>>(), ["8"]);
        assert_eq!(
            sdp,
            strict("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\nm=audio 0 RTP/AVP 8\n")
        );

        let no_formats = format!("{HEAD}m=audio 5904 RTP/AVP\n");
        let sdp = lenient(&no_formats);
        assert_eq!(first_media(&sdp).formats().count(), 0);

        let no_clock = format!("{HEAD}m=audio 16002 RTP/AVP 112\na=rtpmap:112 AMR\n");
        let sdp = lenient(&no_clock);
        let expected = RtpMap {
            encoding: "AMR",
            clock_rate: None,
            channels: None,
        };
        assert_eq!(first_media(&sdp).rtpmap(112), Some(expected));
    }

    #[test]
    fn unknown_lines_and_attributes_are_kept() {
        let text = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nx=vendor line\r\nc=IN IP4 10.0.0.1\r\n\
                    t=0 0\r\na=X-session\r\nm=audio 2 RTP/AVP 0 101\r\na=X-sqn:0\r\n\
                    a=silenceSupp:off - - - -\r\na=rtpmap:101 telephone-event/8000\r\n\
                    a=fmtp:101 0-15\r\ny=other\r\n";
        let sdp = strict(text);
        let letters: String = sdp.lines().map(|(letter, _)| letter).collect();
        assert_eq!(letters, "vosxctamaaaay");
        assert!(sdp.lines().any(|line| line == ('x', "vendor line")));
        let session: Vec<_> = sdp.attributes().collect();
        assert_eq!(
            session,
            [Attribute {
                name: "X-session",
                value: None
            }]
        );
        let media = first_media(&sdp);
        let silence = media.attribute("silenceSupp").and_then(|a| a.value);
        assert_eq!(silence, Some("off - - - -"));
        assert_eq!(media.attribute("X-sqn").and_then(|a| a.value), Some("0"));
        assert_eq!(media.codec(101), Some(map("telephone-event", 8000)));
        assert_eq!(media.fmtp(101), Some("0-15"));
        assert!(media.lines().any(|line| line == ('y', "other")));
    }

    #[test]
    fn media_level_overrides_session_level() {
        let text = format!(
            "{HEAD}a=sendonly\nm=audio 1 RTP/AVP 0\nc=IN IP4 10.0.0.9\n\
             m=audio 2 RTP/AVP 8\na=inactive\na=maxptime:40\n"
        );
        let sdp = strict(&text);
        let media: Vec<_> = sdp.media().collect();
        assert_eq!(media.len(), 2);
        assert_eq!(media[0].connection().map(|c| c.address), Some("10.0.0.9"));
        assert_eq!(media[0].direction(), Some(Direction::SendOnly));
        assert_eq!(media[1].connection().map(|c| c.address), Some("10.0.0.1"));
        assert_eq!(media[1].direction(), Some(Direction::Inactive));
        assert_eq!((media[1].maxptime(), media[1].port()), (Some(40), 2));
        assert_eq!(
            media[1].as_str(),
            "m=audio 2 RTP/AVP 8\na=inactive\na=maxptime:40\n"
        );
    }

    #[test]
    fn parsing_and_reading_allocate_nothing() {
        let body = format!("{OSMO_MGW}\r\n{OSMO_NO_VERSION}\r\n{T38}");
        let mut touched = 0;
        let info = allocation_counter::measure(|| {
            for text in [RFC3435, OSMO_BARE_CR] {
                let sdp = SessionDescription::parse(text, &SdpOptions::lenient()).expect("valid");
                touched += walk(&sdp);
            }
            for part in split_descriptions(&body) {
                let sdp = SessionDescription::parse(part, &SdpOptions::lenient()).expect("valid");
                touched += walk(&sdp);
            }
            let error =
                SessionDescription::parse("v=0\nm=audio x RTP/AVP 0", &SdpOptions::strict());
            touched += error.map_or_else(|e| e.found().len(), |_| 0);
        });
        assert_eq!(info.count_total, 0);
        assert!(touched > 0);
    }

    #[test]
    fn the_allocation_counter_counts() {
        let info = allocation_counter::measure(|| {
            std::hint::black_box(Box::new(std::hint::black_box(1_u64)));
        });
        assert!(info.count_total >= 1);
    }

    #[test]
    fn writing_into_a_reserved_string_allocates_nothing() {
        let payloads = [
            PayloadSpec::new(112, "AMR", 8000).with_fmtp("octet-align=1"),
            PayloadSpec::telephone_event(101),
        ];
        let media = [MediaSpec::audio(16002, &payloads).with_ptime(20)];
        let spec = SdpSpec::new(7, 1, IpAddr::from([10, 0, 0, 1])).with_media(&media);
        let mut out = String::with_capacity(512);
        let info = allocation_counter::measure(|| {
            spec.write(&mut out, LineEnding::Crlf).expect("fits");
        });
        assert_eq!(info.count_total, 0);
        assert!(out.ends_with("a=ptime:20\r\n"));
    }

    #[test]
    fn the_view_stays_small() {
        // Messages keep up to two descriptions inline.
        let size = std::mem::size_of::<SessionDescription<'_>>();
        assert!(size <= 96, "{size} bytes");
    }

    #[test]
    fn equality_ignores_line_endings() {
        let lf = OSMO_MGW.replace("\r\n", "\n");
        assert_eq!(strict(OSMO_MGW), strict(&lf));
        assert_ne!(strict(OSMO_MGW), strict(RFC3435));
        assert_eq!(strict(OSMO_MGW).to_string(), OSMO_MGW);
    }

    #[test]
    fn builder_writes_canonical_text() {
        let payloads = [
            PayloadSpec::new(112, "AMR", 8000).with_fmtp("octet-align=1"),
            PayloadSpec::from_static(3).expect("GSM"),
            PayloadSpec::from_static(8).expect("PCMA"),
        ];
        let media = [MediaSpec::audio(16002, &payloads).with_ptime(20)];
        let spec = SdpSpec::new(0x1A2B_3C4D, 23, IpAddr::from([127, 0, 0, 1])).with_media(&media);
        let text = spec.to_sdp_string(LineEnding::Crlf);
        assert_eq!(text, OSMO_MGW.replace("1A2B3C4D", "439041101"));
        assert_eq!(spec.to_string(), text);
        let lf = spec.to_sdp_string(LineEnding::Lf);
        assert!(!lf.contains('\r'));
        assert_eq!(strict(&text), strict(&lf));
    }

    #[test]
    fn builder_variants() {
        let dtmf = [
            PayloadSpec::from_static(0).expect("PCMU"),
            PayloadSpec::telephone_event(101),
        ];
        let extra = [Attribute {
            name: "X-sqn",
            value: Some("0"),
        }];
        let media = [
            MediaSpec {
                rtpmap_for_static: true,
                maxptime: Some(40),
                attributes: &extra,
                connection_address: Some(IpAddr::from([10, 0, 0, 7])),
                ..MediaSpec::audio(4000, &dtmf).with_direction(Direction::RecvOnly)
            },
            MediaSpec::image_t38(4002),
        ];
        let address: IpAddr = "2001:db8::5".parse().expect("IPv6");
        let spec = SdpSpec::new(7, 1, address).with_media(&media);
        let text = spec.to_sdp_string(LineEnding::Lf);
        assert_eq!(
            text,
            "v=0\no=- 7 1 IN IP6 2001:db8::5\ns=-\nc=IN IP6 2001:db8::5\nt=0 0\n\
             m=audio 4000 RTP/AVP 0 101\nc=IN IP4 10.0.0.7\na=rtpmap:0 PCMU/8000\n\
             a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\na=maxptime:40\na=recvonly\n\
             a=X-sqn:0\nm=image 4002 udptl t38\n"
        );
        let sdp = strict(&text);
        let media: Vec<_> = sdp.media().collect();
        assert_eq!(media[0].direction(), Some(Direction::RecvOnly));
        assert_eq!(media[1].formats().collect::<Vec<_>>(), ["t38"]);
        assert_eq!(media[1].connection().and_then(|c| c.ip()), Some(address));
    }

    #[derive(Debug, Clone)]
    struct OwnedPayload {
        pt: u8,
        encoding: String,
        clock_rate: u32,
        channels: Option<u16>,
        fmtp: Option<String>,
    }

    #[derive(Debug, Clone)]
    struct OwnedMedia {
        port: u16,
        payloads: Vec<OwnedPayload>,
        ptime: Option<u32>,
        direction: Direction,
        rtpmap_for_static: bool,
    }

    fn payload_strategy(pt: u8) -> impl Strategy<Value = OwnedPayload> {
        let dynamic = (
            "[A-Za-z][A-Za-z0-9.-]{0,11}",
            prop::sample::select(vec![8000_u32, 16000, 48000, 90000]),
            prop::option::of(1_u16..=8),
        );
        let fmtp = prop::option::of("[a-z0-9][a-z0-9=;,/ -]{0,14}[a-z0-9]");
        (dynamic, fmtp, any::<bool>()).prop_map(
            move |((encoding, clock_rate, channels), fmtp, use_static)| match static_payload_type(
                pt,
            )
            .filter(|_| use_static)
            {
                Some(map) => OwnedPayload {
                    pt,
                    encoding: map.encoding.to_owned(),
                    clock_rate: map.clock_rate.unwrap_or(8000),
                    channels: map.channels,
                    fmtp,
                },
                None => OwnedPayload {
                    pt,
                    encoding,
                    clock_rate,
                    channels,
                    fmtp,
                },
            },
        )
    }

    fn media_strategy() -> impl Strategy<Value = OwnedMedia> {
        let pts = prop::collection::btree_set(0_u8..=127, 1..6);
        let payloads =
            pts.prop_flat_map(|pts| pts.into_iter().map(payload_strategy).collect::<Vec<_>>());
        let direction = prop::sample::select(vec![
            Direction::SendRecv,
            Direction::SendOnly,
            Direction::RecvOnly,
            Direction::Inactive,
        ]);
        (
            any::<u16>(),
            payloads,
            prop::option::of(1_u32..500),
            direction,
            any::<bool>(),
        )
            .prop_map(
                |(port, payloads, ptime, direction, rtpmap_for_static)| OwnedMedia {
                    port,
                    payloads,
                    ptime,
                    direction,
                    rtpmap_for_static,
                },
            )
    }

    fn address_strategy() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            any::<[u8; 4]>().prop_map(IpAddr::from),
            any::<[u16; 8]>().prop_map(IpAddr::from),
        ]
    }

    /// Lines that look like SDP, to reach deep into the validator.
    fn sdp_like() -> impl Strategy<Value = String> {
        let prefix = prop::sample::select(vec![
            "v=",
            "o=",
            "s=",
            "c=",
            "t=",
            "b=",
            "m=",
            "a=",
            "a=rtpmap:",
            "a=fmtp:",
            "a=ptime:",
            "a=sendrecv",
            "r=",
            "k=",
            "x=",
            "c=IN IP4 ",
            "c=IN IP6 ",
            "m=audio ",
            "",
            " ",
        ]);
        let line = (prefix, "[0-9a-zA-Z /:.=-]{0,24}").prop_map(|(p, s)| format!("{p}{s}"));
        let ending = prop::sample::select(vec!["\r\n", "\n", "\r", "", " \r\n"]);
        prop::collection::vec((line, ending), 0..16)
            .prop_map(|lines| lines.into_iter().map(|(l, e)| format!("{l}{e}")).collect())
    }

    fn check_never_panics(text: &str) {
        for options in [SdpOptions::strict(), SdpOptions::lenient()] {
            match SessionDescription::parse(text, &options) {
                Ok(sdp) => {
                    walk(&sdp);
                }
                Err(e) => {
                    assert!(e.line >= 1 && e.column >= 1);
                    assert!(!e.to_string().is_empty());
                }
            }
        }
        for part in split_descriptions(text) {
            let _ = SessionDescription::parse(part, &SdpOptions::lenient()).map(|sdp| walk(&sdp));
        }
    }

    proptest! {
        #[test]
        fn line_end_search_matches_a_plain_scan(
            bytes in prop::collection::vec(
                prop_oneof![any::<u8>(), prop::sample::select(vec![0_u8, 9, 10, 13, 14, 32])],
                0..80,
            ),
            stop_at_nul in any::<bool>(),
        ) {
            let plain = bytes
                .iter()
                .position(|&b| b == b'\n' || b == b'\r' || (stop_at_nul && b == 0));
            prop_assert_eq!(find_line_end(&bytes, stop_at_nul), plain);
        }

        #[test]
        fn parse_never_panics(text in any::<String>()) {
            check_never_panics(&text);
        }

        #[test]
        fn parse_never_panics_on_sdp_like_text(text in sdp_like()) {
            check_never_panics(&text);
        }

        #[test]
        fn builder_output_parses_back(
            session_id in any::<u64>(),
            session_version in any::<u64>(),
            address in address_strategy(),
            owned in prop::collection::vec(media_strategy(), 0..4),
            crlf in any::<bool>(),
        ) {
            let payloads: Vec<Vec<PayloadSpec<'_>>> = owned
                .iter()
                .map(|m| {
                    m.payloads
                        .iter()
                        .map(|p| PayloadSpec {
                            payload_type: p.pt,
                            encoding: &p.encoding,
                            clock_rate: p.clock_rate,
                            channels: p.channels,
                            fmtp: p.fmtp.as_deref(),
                        })
                        .collect()
                })
                .collect();
            let media: Vec<MediaSpec<'_>> = owned
                .iter()
                .zip(&payloads)
                .map(|(m, payloads)| MediaSpec {
                    ptime: m.ptime,
                    rtpmap_for_static: m.rtpmap_for_static,
                    ..MediaSpec::audio(m.port, payloads).with_direction(m.direction)
                })
                .collect();
            let spec = SdpSpec::new(session_id, session_version, address).with_media(&media);
            let ending = if crlf { LineEnding::Crlf } else { LineEnding::Lf };
            let text = spec.to_sdp_string(ending);
            let sdp = SessionDescription::parse(&text, &SdpOptions::strict())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;

            let origin = sdp.origin().expect("o=");
            prop_assert_eq!(origin.session_id, session_id.to_string());
            prop_assert_eq!(origin.session_version, session_version.to_string());
            prop_assert_eq!(origin.ip(), Some(address));
            prop_assert_eq!(sdp.connection().and_then(|c| c.ip()), Some(address));
            prop_assert_eq!(sdp.media_count(), owned.len());
            for (parsed, expected) in sdp.media().zip(&owned) {
                prop_assert_eq!(parsed.port(), expected.port);
                let pts: Vec<u8> = expected.payloads.iter().map(|p| p.pt).collect();
                prop_assert_eq!(parsed.payload_types().collect::<Vec<_>>(), pts);
                for p in &expected.payloads {
                    let codec = RtpMap {
                        encoding: p.encoding.as_str(),
                        clock_rate: Some(p.clock_rate),
                        channels: p.channels,
                    };
                    prop_assert_eq!(parsed.codec(p.pt), Some(codec));
                    prop_assert_eq!(parsed.fmtp(p.pt), p.fmtp.as_deref());
                }
                prop_assert_eq!(parsed.ptime(), expected.ptime);
                let direction = Some(expected.direction).filter(|&d| d != Direction::SendRecv);
                prop_assert_eq!(parsed.direction(), direction);
            }
            let other = spec.to_sdp_string(if crlf { LineEnding::Lf } else { LineEnding::Crlf });
            prop_assert_eq!(sdp, strict(&other));
        }
    }
}
