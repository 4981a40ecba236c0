//! Digit maps (RFC 3435 §2.1.5 and Appendix A; timers from RFC 3660 §2.2).
//!
//! A Call Agent hands an endpoint a digit map so that the endpoint can
//! collect what the user dials and report it in one `NTFY` once the number
//! is complete, instead of one message per key press.
//!
//! # Syntax
//!
//! ```text
//! DigitMap        = DigitString / "(" DigitStringList ")"
//! DigitStringList = DigitString *( "|" DigitString )
//! DigitString     = 1*( DigitPosition [ "." ] )
//! DigitPosition   = Letter / "x" / "[" *( DIGIT "-" DIGIT / Letter ) "]"
//! Letter          = DIGIT / "#" / "*" / "A" / "B" / "C" / "D" / "T"
//!                 / "E" ... "Z" except "T" and "X"   ; extension letters
//! ```
//!
//! * Letters are case-insensitive; `x` is any digit `0`-`9`.
//! * `[...]` is a range: any of the listed letters or digit spans
//!   (`[0-59#*]` is 0 to 5, 9, `#` or `*`). `x` is not allowed inside it, and
//!   an empty range `[]`, which the grammar admits, is rejected because it
//!   can never match.
//! * `.` after a position means zero or more repetitions of it.
//! * `T` is the inter-digit timer firing.
//! * Spaces and tabs are allowed before and after `(`, `)`, `|`, `[` and
//!   `]` and at either end of the map, nowhere else: `1 2` is an error, as in
//!   the grammar, where `LWSP` only surrounds those characters.
//! * Extension letters are valid syntax but optional to support; with
//!   [`DigitMapOptions::extension_letters`] off they are refused with an
//!   error whose [`DigitMapError::return_code`] is 537.
//! * Input is bounded: at most [`MAX_LEN`] bytes, [`MAX_ALTERNATIVES`]
//!   alternatives and [`MAX_STATES`] compiled states.
//!
//! [`validate`] checks all of this without allocating; [`DigitMapText`] is
//! the validated text itself, borrowed from the message.
//!
//! # States
//!
//! The endpoint appends every event (a digit, a letter, or `T` when the
//! timer fires) to the *current dial string* and classifies it:
//!
//! * **complete**: the string matches an alternative exactly;
//! * **extendable**: some longer string would match an alternative.
//!
//! From these, [`Outcome`]:
//!
//! * [`Outcome::Partial`] ("under-qualified"): keep collecting and (re)start
//!   the inter-digit timer given in `timer`;
//! * [`Outcome::Full`] ("matches"): notify now;
//! * [`Outcome::NoMatch`] ("over-qualified", an "impossible match"): nothing
//!   can match any more; notify now with what was collected.
//!
//! Whether a complete but extendable string is `Full` or `Partial` is the
//! [`MatchPolicy`]. RFC 3435 step 3 reads "if the result is under-qualified
//! (partially matches at least one entry in the digit map), do nothing
//! further", but its own examples report at once: with `(xxxxxxx|x11)` the
//! string `411` "partially matches `xxxxxxx` but completely matches `x11`,
//! and hence we send `411`", and with `(0[12].|00|...)` "the input `00` can
//! thus never be produced". The gateway looks for the *shortest* possible
//! match, which is why maps write `0T|00T`. [`MatchPolicy::Shortest`] (the
//! default) does this; [`MatchPolicy::Longest`] keeps collecting while any
//! alternative can still grow and reports `Partial { complete: true, .. }`,
//! for gateways that read step 3 literally.
//!
//! # Timers
//!
//! RFC 3660: while collecting, the timer is T(partial), 16 s by default,
//! when at least one more digit is needed, and T(critical), 4 s by default,
//! when a timer is all that is needed to match. Here that is
//! [`Timer::Critical`] exactly when appending `T` would give a complete
//! string; a complete string that is still extendable (only possible under
//! [`MatchPolicy::Longest`]) gets [`Timer::Partial`] and `complete: true`,
//! and the gateway may choose a shorter wait there.
//!
//! # Driving it
//!
//! Compile the map once per `RQNT`; per line keep only a [`MatchState`]:
//!
//! ```
//! use mgcp_proto::digit_map::{DigitMap, DigitMapOptions, Outcome, Symbol, Timer};
//!
//! let text = "(0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)";
//! let map = DigitMap::parse(text, &DigitMapOptions::default())?;
//! let mut state = map.start();
//! let mut outcome = state.outcome();
//! for key in "901144".chars() {
//!     let symbol = Symbol::from_char(key).expect("a DTMF key");
//!     (state, outcome) = map.step(state, symbol);
//!     // Partial: (re)start the timer it names and keep collecting.
//!     assert!(!outcome.is_final());
//! }
//! // `9011x.T` would match if the timer fired now, so T(critical) runs.
//! let critical = Outcome::Partial { timer: Timer::Critical, complete: false };
//! assert_eq!(outcome, critical);
//! // The 4 s timer fires: append `T` and step again.
//! let (_, outcome) = map.step(state, Symbol::TIMER);
//! assert_eq!(outcome, Outcome::Full); // notify "901144T"
//! # Ok::<(), mgcp_proto::digit_map::DigitMapError>(())
//! ```
//!
//! After `Full` or `NoMatch` the gateway notifies and stops feeding the map.
//! A `T` that cannot complete anything gives `NoMatch` (an "unexpected
//! timer"), so the collected digits and the `T` are reported.
//!
//! # Compilation
//!
//! [`DigitMap`] turns the alternatives into a position automaton and, by
//! subset construction, into a DFA over the 37 event symbols, merged into
//! classes the map cannot tell apart. Each table entry holds the next
//! state's row offset and its outcome bits, so a step is one table load.
//! Maps that need more than [`MAX_STATES`] states (or an equivalent amount
//! of construction work) are refused as "too complex"; there is no slower
//! fallback.
//!
//! # Canonical form
//!
//! `Display` of [`DigitMapText`] and [`DigitMap`] writes the canonical form:
//! no whitespace, parentheses only around two or more alternatives, letters
//! upper-case except the wildcard `x`, ranges kept as written: `1234`,
//! `(0T|00T|[1-7]xxx|x.T)`.
//! Two texts are equal when their canonical forms are; `[1-3]` and `[123]`
//! stay different texts even though they match the same digits.

use core::fmt;
use core::hash::{Hash, Hasher};
use core::str::FromStr;
use core::time::Duration;
use std::collections::{HashMap, VecDeque};

/// Longest digit map accepted, in bytes.
pub const MAX_LEN: usize = 8192;
/// Most alternatives accepted in one digit map.
pub const MAX_ALTERNATIVES: usize = 1024;
/// Most DFA states a compiled digit map may have.
pub const MAX_STATES: usize = 65_536;

/// Bound on subset construction work (NFA positions visited), so that a
/// hostile map fails fast instead of taking seconds before hitting
/// [`MAX_STATES`].
const MAX_WORK: usize = 1 << 25;
/// Bound on the NFA positions stored across all DFA states.
const MAX_SET_ENTRIES: usize = 1 << 21;

/// Number of distinct events: 0-9, `*`, `#`, A-Z without X.
const SYMBOL_COUNT: usize = 37;
const TIMER_INDEX: u8 = 31;
const ALL_SYMBOLS: u64 = (1 << SYMBOL_COUNT) - 1;
const DIGITS: u64 = 0x3FF;

/// Return code for a digit map the gateway cannot use (RFC 3435 §2.4).
const RETURN_CODE: u16 = 537;

// ---------------------------------------------------------------------------
// Symbols, options, outcomes
// ---------------------------------------------------------------------------

/// One event a digit map matches: a digit, `*`, `#`, a letter `A`-`Z`
/// other than `X`, or the timer `T`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Symbol(u8);

impl Symbol {
    /// The inter-digit timer expiring (`T`).
    pub const TIMER: Symbol = Symbol(TIMER_INDEX);

    /// The symbol for an ASCII event code, case-insensitive; `None` for
    /// anything else, including the wildcard `x`.
    pub const fn from_ascii(byte: u8) -> Option<Symbol> {
        match byte {
            b'0'..=b'9' => Some(Symbol(byte - b'0')),
            b'*' => Some(Symbol(10)),
            b'#' => Some(Symbol(11)),
            b'a'..=b'z' => Self::letter(byte - b'a'),
            b'A'..=b'Z' => Self::letter(byte - b'A'),
            _ => None,
        }
    }

    /// The symbol for an event code character, case-insensitive.
    pub fn from_char(c: char) -> Option<Symbol> {
        u8::try_from(c).ok().and_then(Self::from_ascii)
    }

    /// The event code, letters upper-case.
    pub const fn as_char(self) -> char {
        let byte = match self.0 {
            0..=9 => b'0' + self.0,
            10 => b'*',
            11 => b'#',
            // A (12) to W (34), then Y and Z skip the X.
            12..=34 => b'A' + self.0 - 12,
            _ => b'A' + self.0 - 11,
        };
        byte as char
    }

    /// Whether this is an extension letter (`E`-`Z` other than `T` and `X`),
    /// which a gateway may not support.
    pub const fn is_extension(self) -> bool {
        self.0 >= 16 && self.0 != TIMER_INDEX
    }

    /// `index` is 0 for `A`; `X` is not a letter symbol.
    const fn letter(index: u8) -> Option<Symbol> {
        const X: u8 = b'X' - b'A';
        if index < X {
            Some(Symbol(12 + index))
        } else if index == X {
            None
        } else {
            Some(Symbol(11 + index))
        }
    }

    const fn bit(self) -> u64 {
        1 << self.0
    }

    const fn digit_value(self) -> Option<u8> {
        if self.0 <= 9 { Some(self.0) } else { None }
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Write::write_char(f, self.as_char())
    }
}

/// When a complete dial string that could still grow is reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MatchPolicy {
    /// Report as soon as the dial string matches an alternative exactly,
    /// as RFC 3435's examples do (`411` against `(xxxxxxx|x11)`).
    #[default]
    Shortest,
    /// Keep collecting while any alternative can still match a longer
    /// string; such states are `Partial { complete: true, .. }`.
    Longest,
}

/// How to read and compile a digit map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DigitMapOptions {
    /// Accept the extension letters `E`-`Z` (other than `T` and `X`).
    /// On by default, for parsing what peers send; a gateway that cannot
    /// detect them turns it off to get error 537.
    pub extension_letters: bool,
    /// When a complete but extendable string is reported. Validation
    /// ignores it.
    pub policy: MatchPolicy,
}

impl Default for DigitMapOptions {
    fn default() -> Self {
        DigitMapOptions {
            extension_letters: true,
            policy: MatchPolicy::Shortest,
        }
    }
}

/// Which inter-digit timer to (re)start while collecting (RFC 3660).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// T(partial): at least one more digit is needed.
    Partial,
    /// T(critical): a timer expiry alone would complete a match.
    Critical,
}

impl Timer {
    /// RFC 3660's default: 16 s for T(partial), 4 s for T(critical).
    pub const fn default_duration(self) -> Duration {
        match self {
            Timer::Partial => Duration::from_secs(16),
            Timer::Critical => Duration::from_secs(4),
        }
    }
}

/// What the endpoint does after appending an event to the dial string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Under-qualified: keep collecting, with `timer` running. When it
    /// fires, step with [`Symbol::TIMER`].
    Partial {
        /// The inter-digit timer to (re)start.
        timer: Timer,
        /// The dial string already matches an alternative exactly (only
        /// under [`MatchPolicy::Longest`]).
        complete: bool,
    },
    /// The dial string matches: notify now.
    Full,
    /// Nothing can match any more: notify now with what was collected.
    NoMatch,
}

impl Outcome {
    /// Whether the endpoint notifies now (`Full` or `NoMatch`).
    pub const fn is_final(self) -> bool {
        !matches!(self, Outcome::Partial { .. })
    }
}

// Outcome bits kept in the top byte of a table entry.
const COMPLETE: u32 = 1;
const UNDER_QUALIFIED: u32 = 2;
const CRITICAL: u32 = 4;
const BITS_SHIFT: u32 = 24;
const OFFSET_MASK: u32 = (1 << BITS_SHIFT) - 1;

const OUTCOMES: [Outcome; 8] = [
    Outcome::NoMatch,
    Outcome::Full,
    Outcome::Partial {
        timer: Timer::Partial,
        complete: false,
    },
    Outcome::Partial {
        timer: Timer::Partial,
        complete: true,
    },
    Outcome::NoMatch,
    Outcome::Full,
    Outcome::Partial {
        timer: Timer::Critical,
        complete: false,
    },
    Outcome::Partial {
        timer: Timer::Critical,
        complete: true,
    },
];

/// Where one line is in a [`DigitMap`]: `Copy`, four bytes, only meaningful
/// with the map that produced it (another map's state gives a wrong but
/// harmless answer).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct MatchState(u32);

impl MatchState {
    /// The outcome of the dial string that led here.
    pub const fn outcome(self) -> Outcome {
        OUTCOMES[(self.0 >> BITS_SHIFT) as usize & 7]
    }

    /// Whether the dial string so far matches an alternative exactly,
    /// whatever the outcome.
    pub const fn is_complete(self) -> bool {
        (self.0 >> BITS_SHIFT) & COMPLETE != 0
    }

    const fn offset(self) -> usize {
        (self.0 & OFFSET_MASK) as usize
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A digit map that cannot be used, and where the problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub struct DigitMapError {
    /// Byte offset into the text of what is wrong (0 for
    /// [`DigitMapErrorKind::TooComplex`], a property of the whole map).
    pub offset: usize,
    /// What is wrong.
    pub reason: DigitMapErrorKind,
}

impl DigitMapError {
    const fn new(offset: usize, reason: DigitMapErrorKind) -> Self {
        DigitMapError { offset, reason }
    }

    /// The MGCP return code to answer with: 537, "Unknown or unsupported
    /// digit map extension", for any digit map the gateway cannot use.
    pub const fn return_code(&self) -> u16 {
        RETURN_CODE
    }
}

impl fmt::Display for DigitMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            // A whole-map property: no single place to point at.
            DigitMapErrorKind::TooComplex { .. } => write!(f, "{}", self.reason),
            _ => write!(f, "{} at offset {}", self.reason, self.offset),
        }
    }
}

/// What is wrong with a digit map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigitMapErrorKind {
    /// Nothing but whitespace.
    Empty,
    /// More than [`MAX_LEN`] bytes.
    TooLong {
        /// The limit.
        limit: usize,
    },
    /// More than [`MAX_ALTERNATIVES`] alternatives.
    TooManyAlternatives {
        /// The limit.
        limit: usize,
    },
    /// A bracket or parenthesis without its partner.
    Unbalanced(char),
    /// `()`, `(|…)`, `(…||…)` or `(…|)`.
    EmptyAlternative,
    /// `[]`, which could never match.
    EmptyRange,
    /// A span that is not digit `-` digit in increasing order.
    BadRange {
        /// What stands before the `-`.
        low: char,
        /// What stands after it, `None` when the range or text ends there.
        high: Option<char>,
    },
    /// A `.` with no position before it to repeat.
    DanglingDot,
    /// `|` in a map without parentheses.
    BarOutsideParentheses,
    /// A character that has no place there.
    UnexpectedChar(char),
    /// Whitespace not next to `(`, `)`, `|`, `[` or `]` (`1 2`, `x .`).
    UnexpectedWhitespace,
    /// An extension letter the gateway does not support.
    UnsupportedExtension(char),
    /// The compiled map would need more than [`MAX_STATES`] states.
    TooComplex {
        /// The limit.
        limit: usize,
    },
}

impl DigitMapErrorKind {
    /// A fixed description, without the details `Display` adds (the
    /// character, the limit), for callers that need a `&'static str`.
    pub const fn as_str(&self) -> &'static str {
        match self {
            DigitMapErrorKind::Empty => "empty digit map",
            DigitMapErrorKind::TooLong { .. } => "digit map too long",
            DigitMapErrorKind::TooManyAlternatives { .. } => "too many digit map alternatives",
            DigitMapErrorKind::Unbalanced(_) => "unbalanced bracket or parenthesis in digit map",
            DigitMapErrorKind::EmptyAlternative => "empty digit map alternative",
            DigitMapErrorKind::EmptyRange => "empty digit map range",
            DigitMapErrorKind::BadRange { .. } => "bad digit map range",
            DigitMapErrorKind::DanglingDot => "'.' with nothing to repeat in digit map",
            DigitMapErrorKind::BarOutsideParentheses => "digit map alternatives need parentheses",
            DigitMapErrorKind::UnexpectedChar(_) => "unexpected character in digit map",
            DigitMapErrorKind::UnexpectedWhitespace => "unexpected whitespace in digit map",
            DigitMapErrorKind::UnsupportedExtension(_) => "unsupported digit map extension letter",
            DigitMapErrorKind::TooComplex { .. } => "digit map too complex",
        }
    }
}

impl fmt::Display for DigitMapErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            DigitMapErrorKind::Empty => f.write_str("empty digit map"),
            DigitMapErrorKind::TooLong { limit } => {
                write!(f, "digit map longer than {limit} bytes")
            }
            DigitMapErrorKind::TooManyAlternatives { limit } => {
                write!(f, "more than {limit} alternatives")
            }
            DigitMapErrorKind::Unbalanced(c) => write!(f, "unbalanced {c:?}"),
            DigitMapErrorKind::EmptyAlternative => f.write_str("empty alternative"),
            DigitMapErrorKind::EmptyRange => f.write_str("empty range '[]'"),
            DigitMapErrorKind::BadRange { low, high: None } => write!(f, "bad range '{low}-'"),
            DigitMapErrorKind::BadRange {
                low,
                high: Some(high),
            } => write!(f, "bad range '{low}-{high}'"),
            DigitMapErrorKind::DanglingDot => f.write_str("'.' with nothing to repeat"),
            DigitMapErrorKind::BarOutsideParentheses => f.write_str("'|' outside parentheses"),
            DigitMapErrorKind::UnexpectedChar(c) => write!(f, "unexpected character {c:?}"),
            DigitMapErrorKind::UnexpectedWhitespace => f.write_str("unexpected whitespace"),
            DigitMapErrorKind::UnsupportedExtension(c) => {
                write!(f, "unsupported digit map extension letter {c:?}")
            }
            DigitMapErrorKind::TooComplex { limit } => {
                write!(f, "digit map too complex (more than {limit} states)")
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Scanner: the one parser, used by validation and compilation alike
// ---------------------------------------------------------------------------

/// What the scanner reports, in text order.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A position matching the symbols whose bits are set.
    Position(u64),
    /// A `.` after the last position.
    Repeat,
    /// The end of one alternative.
    EndAlternative,
}

/// How an alternative ended.
#[derive(Clone, Copy)]
enum End {
    Bar(usize),
    Close(usize),
    Eof(usize),
}

impl End {
    const fn offset(self) -> usize {
        match self {
            End::Bar(offset) | End::Close(offset) | End::Eof(offset) => offset,
        }
    }
}

type Result<T, E = DigitMapError> = core::result::Result<T, E>;

/// Checks `text` and reports its structure to `sink`, without allocating.
fn scan(text: &str, opts: &DigitMapOptions, sink: impl FnMut(Item)) -> Result<()> {
    if text.len() > MAX_LEN {
        return Err(DigitMapError::new(
            MAX_LEN,
            DigitMapErrorKind::TooLong { limit: MAX_LEN },
        ));
    }
    Scanner {
        text,
        pos: 0,
        prev: None,
        peeked: None,
        extension_letters: opts.extension_letters,
        sink,
    }
    .run()
}

struct Scanner<'t, F> {
    text: &'t str,
    pos: usize,
    /// The last significant byte, to judge the whitespace after it.
    prev: Option<u8>,
    peeked: Option<(usize, u8)>,
    extension_letters: bool,
    sink: F,
}

const fn is_space(byte: u8) -> bool {
    byte == b' ' || byte == b'\t'
}

/// The grammar's LWSP only surrounds these.
const fn is_punctuation(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'|' | b'[' | b']')
}

fn whitespace_allowed(prev: Option<u8>, next: Option<u8>) -> bool {
    match (prev, next) {
        (Some(prev), Some(next)) => is_punctuation(prev) || is_punctuation(next),
        _ => true,
    }
}

fn fail<T>(offset: usize, reason: DigitMapErrorKind) -> Result<T> {
    Err(DigitMapError::new(offset, reason))
}

impl<F: FnMut(Item)> Scanner<'_, F> {
    fn run(mut self) -> Result<()> {
        let open = match self.peek()? {
            None => return fail(0, DigitMapErrorKind::Empty),
            Some((offset, b'(')) => {
                self.peeked = None;
                Some(offset)
            }
            Some(_) => None,
        };
        self.alternatives(open)?;
        match self.next()? {
            None => Ok(()),
            Some((offset, b')')) => fail(offset, DigitMapErrorKind::Unbalanced(')')),
            Some((offset, _)) => self.unexpected(offset),
        }
    }

    /// Alternatives up to the `)` matching `open`, or the end of the text.
    fn alternatives(&mut self, open: Option<usize>) -> Result<()> {
        let mut count = 0;
        let mut start = open.unwrap_or(0);
        loop {
            count += 1;
            if count > MAX_ALTERNATIVES {
                let limit = MAX_ALTERNATIVES;
                return fail(start, DigitMapErrorKind::TooManyAlternatives { limit });
            }
            let (positions, end) = self.alternative()?;
            match (end, open) {
                (End::Bar(offset), None) => {
                    return fail(offset, DigitMapErrorKind::BarOutsideParentheses);
                }
                (End::Close(offset), None) => {
                    return fail(offset, DigitMapErrorKind::Unbalanced(')'));
                }
                (End::Eof(_), Some(offset)) => {
                    return fail(offset, DigitMapErrorKind::Unbalanced('('));
                }
                _ => {}
            }
            if positions == 0 {
                return fail(end.offset(), DigitMapErrorKind::EmptyAlternative);
            }
            (self.sink)(Item::EndAlternative);
            match end {
                End::Bar(offset) => start = offset,
                End::Close(_) | End::Eof(_) => return Ok(()),
            }
        }
    }

    /// One alternative; returns how many positions it has and how it ended.
    fn alternative(&mut self) -> Result<(usize, End)> {
        let mut positions = 0;
        let mut repeatable = false;
        loop {
            let Some((offset, byte)) = self.next()? else {
                return Ok((positions, End::Eof(self.text.len())));
            };
            let set = match byte {
                b'|' => return Ok((positions, End::Bar(offset))),
                b')' => return Ok((positions, End::Close(offset))),
                b']' => return fail(offset, DigitMapErrorKind::Unbalanced(']')),
                b'.' if repeatable => {
                    repeatable = false;
                    (self.sink)(Item::Repeat);
                    continue;
                }
                b'.' => return fail(offset, DigitMapErrorKind::DanglingDot),
                b'[' => self.range(offset)?,
                b'x' | b'X' => DIGITS,
                _ => self.letter(offset, byte)?.bit(),
            };
            positions += 1;
            repeatable = true;
            (self.sink)(Item::Position(set));
        }
    }

    /// The rest of a range after the `[` at `open`.
    fn range(&mut self, open: usize) -> Result<u64> {
        let mut set = 0;
        loop {
            let Some((offset, byte)) = self.next()? else {
                return fail(open, DigitMapErrorKind::Unbalanced('['));
            };
            match byte {
                b']' if set == 0 => return fail(open, DigitMapErrorKind::EmptyRange),
                b']' => return Ok(set),
                b'|' | b')' => return fail(open, DigitMapErrorKind::Unbalanced('[')),
                _ => {
                    let low = self.letter(offset, byte)?;
                    set |= self.span(offset, low)?;
                }
            }
        }
    }

    /// `low` alone, or `low-high` when a `-` follows.
    fn span(&mut self, offset: usize, low: Symbol) -> Result<u64> {
        if !matches!(self.peek()?, Some((_, b'-'))) {
            return Ok(low.bit());
        }
        self.peeked = None;
        let high = self.next()?;
        let high_digit = high.and_then(|(_, byte)| Symbol::from_ascii(byte)?.digit_value());
        match (low.digit_value(), high_digit) {
            (Some(low), Some(high)) if low <= high => Ok(digit_span(low, high)),
            _ => {
                let high = match high {
                    None | Some((_, b']')) => None,
                    Some((at, _)) => Some(self.char_at(at)),
                };
                let low = self.char_at(offset);
                fail(offset, DigitMapErrorKind::BadRange { low, high })
            }
        }
    }

    fn letter(&self, offset: usize, byte: u8) -> Result<Symbol> {
        match Symbol::from_ascii(byte) {
            Some(symbol) if symbol.is_extension() && !self.extension_letters => fail(
                offset,
                DigitMapErrorKind::UnsupportedExtension(symbol.as_char()),
            ),
            Some(symbol) => Ok(symbol),
            None => self.unexpected(offset),
        }
    }

    fn unexpected<T>(&self, offset: usize) -> Result<T> {
        fail(
            offset,
            DigitMapErrorKind::UnexpectedChar(self.char_at(offset)),
        )
    }

    /// Every byte before a reported offset was ASCII, so it is a char
    /// boundary; the fallback is only defensive.
    fn char_at(&self, offset: usize) -> char {
        self.text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    }

    fn peek(&mut self) -> Result<Option<(usize, u8)>> {
        if self.peeked.is_none() {
            self.peeked = self.lex()?;
        }
        Ok(self.peeked)
    }

    fn next(&mut self) -> Result<Option<(usize, u8)>> {
        match self.peeked.take() {
            Some(item) => Ok(Some(item)),
            None => self.lex(),
        }
    }

    /// The next significant byte, after checking the whitespace before it.
    fn lex(&mut self) -> Result<Option<(usize, u8)>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        while bytes.get(self.pos).copied().is_some_and(is_space) {
            self.pos += 1;
        }
        let next = bytes.get(self.pos).copied();
        if self.pos > start && !whitespace_allowed(self.prev, next) {
            return fail(start, DigitMapErrorKind::UnexpectedWhitespace);
        }
        let Some(byte) = next else {
            return Ok(None);
        };
        let offset = self.pos;
        self.pos += 1;
        self.prev = Some(byte);
        Ok(Some((offset, byte)))
    }
}

/// Bits for the digits `low..=high`.
const fn digit_span(low: u8, high: u8) -> u64 {
    let upto_high = (1u64 << (high + 1)) - 1;
    let below_low = (1u64 << low) - 1;
    upto_high & !below_low
}

/// Checks a digit map's syntax and limits without allocating.
///
/// Accepts exactly what [`DigitMap::parse`] accepts, except maps that
/// are valid but too complex to compile.
pub fn validate(text: &str, opts: &DigitMapOptions) -> Result<(), DigitMapError> {
    scan(text, opts, |_| {})
}

// ---------------------------------------------------------------------------
// Borrowed, validated text
// ---------------------------------------------------------------------------

/// A validated digit map borrowed from a message: zero-copy, `Copy`.
///
/// Equality and hashing use the canonical form (see the module
/// documentation), so whitespace and case variants are equal.
#[derive(Clone, Copy, Debug)]
pub struct DigitMapText<'a>(&'a str);

impl<'a> DigitMapText<'a> {
    /// Validates `text` with `opts`, without allocating.
    pub fn parse(text: &'a str, opts: &DigitMapOptions) -> Result<Self, DigitMapError> {
        validate(text, opts)?;
        Ok(DigitMapText(text))
    }

    /// The text as received.
    pub const fn as_str(self) -> &'a str {
        self.0
    }

    /// The alternatives, without the parentheses and with surrounding
    /// whitespace trimmed, as they appear in the text.
    pub fn alternatives(self) -> Alternatives<'a> {
        let body = trim_space(self.0);
        let inner = body
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .unwrap_or(body);
        Alternatives { rest: Some(inner) }
    }

    fn canonical(self) -> impl Iterator<Item = u8> + Clone + 'a {
        canonical_bytes(self.0)
    }
}

impl fmt::Display for DigitMapText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.canonical()
            .try_for_each(|byte| fmt::Write::write_char(f, char::from(byte)))
    }
}

impl PartialEq for DigitMapText<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.canonical().eq(other.canonical())
    }
}

impl Eq for DigitMapText<'_> {}

impl Hash for DigitMapText<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical().for_each(|byte| state.write_u8(byte));
        // Terminate, as `str` does, so concatenations hash differently.
        state.write_u8(0xFF);
    }
}

/// Iterator over a [`DigitMapText`]'s alternatives.
#[derive(Clone, Debug)]
pub struct Alternatives<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for Alternatives<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        // `|` only ever separates alternatives: ranges cannot contain it.
        let (alternative, tail) = match rest.split_once('|') {
            Some((alternative, tail)) => (alternative, Some(tail)),
            None => (rest, None),
        };
        self.rest = tail;
        Some(trim_space(alternative))
    }
}

fn trim_space(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

/// The canonical form of a *validated* (so ASCII) digit map.
fn canonical_bytes(text: &str) -> impl Iterator<Item = u8> + Clone + '_ {
    let body = trim_space(text);
    // Parentheses only around a list: `(1234)` and `1234` are one map.
    let body = if body.contains('|') {
        body
    } else {
        body.strip_prefix('(')
            .and_then(|inner| inner.strip_suffix(')'))
            .unwrap_or(body)
    };
    body.bytes()
        .filter(|&byte| !is_space(byte))
        .map(canonical_byte)
}

const fn canonical_byte(byte: u8) -> u8 {
    if byte == b'X' || byte == b'x' {
        b'x'
    } else {
        byte.to_ascii_uppercase()
    }
}

// ---------------------------------------------------------------------------
// Compilation: position automaton, then subset construction
// ---------------------------------------------------------------------------

/// One NFA position: the element an alternative expects next, or its end.
#[derive(Clone, Copy, Debug)]
struct Position {
    set: u64,
    repeat: bool,
    accept: bool,
}

/// The alternatives laid end to end; each ends with an accepting position.
struct Nfa {
    positions: Vec<Position>,
    starts: Vec<u32>,
}

impl Nfa {
    fn parse(text: &str, opts: &DigitMapOptions) -> Result<Nfa> {
        let mut positions = Vec::new();
        let mut starts = Vec::new();
        let mut alternative_start = 0;
        scan(text, opts, |item| match item {
            Item::Position(set) => positions.push(Position {
                set,
                repeat: false,
                accept: false,
            }),
            Item::Repeat => {
                if let Some(last) = positions.last_mut() {
                    last.repeat = true;
                }
            }
            Item::EndAlternative => {
                starts.push(alternative_start);
                positions.push(Position {
                    set: 0,
                    repeat: false,
                    accept: true,
                });
                alternative_start = to_u32(positions.len());
            }
        })?;
        Ok(Nfa { positions, starts })
    }

    /// The last position reachable from `p` by skipping repeated elements
    /// (zero repetitions); everything from `p` up to it is reachable.
    fn closure_end(&self, p: u32) -> u32 {
        let mut q = p;
        while self.positions.get(q as usize).is_some_and(|pos| pos.repeat) {
            q += 1;
        }
        q
    }

    /// Appends the closure of `target`; targets come in non-decreasing
    /// order, so skipping below `next_free` keeps `out` sorted and unique.
    fn push_closure(&self, target: u32, out: &mut Vec<u32>, next_free: &mut u32) {
        let end = self.closure_end(target);
        out.extend(target.max(*next_free)..=end);
        *next_free = (*next_free).max(end + 1);
    }

    fn start_set(&self) -> Vec<u32> {
        let mut out = Vec::new();
        let mut next_free = 0;
        for &start in &self.starts {
            self.push_closure(start, &mut out, &mut next_free);
        }
        out
    }

    /// The positions reached from `set` on a symbol of class `class`.
    fn advance(&self, set: &[u32], class: u64, out: &mut Vec<u32>) {
        out.clear();
        let mut next_free = 0;
        for &p in set {
            let Some(pos) = self.positions.get(p as usize) else {
                continue;
            };
            if pos.set & class == 0 {
                continue;
            }
            let target = if pos.repeat { p } else { p + 1 };
            self.push_closure(target, out, &mut next_free);
        }
    }

    fn accepts(&self, set: &[u32]) -> bool {
        set.iter()
            .any(|&p| self.positions.get(p as usize).is_some_and(|pos| pos.accept))
    }

    /// Partitions the symbols into classes no position tells apart.
    fn symbol_classes(&self) -> ([u8; 64], Vec<u64>) {
        let mut sets: Vec<u64> = self.positions.iter().map(|pos| pos.set).collect();
        sets.sort_unstable();
        sets.dedup();
        let mut classes = vec![ALL_SYMBOLS];
        for set in sets.into_iter().filter(|&set| set != 0) {
            classes = classes
                .into_iter()
                .flat_map(|class| [class & set, class & !set])
                .filter(|&class| class != 0)
                .collect();
        }
        let mut class_of = [0; 64];
        for (index, class) in classes.iter().enumerate() {
            for (bit, slot) in class_of.iter_mut().enumerate().take(SYMBOL_COUNT) {
                if class >> bit & 1 == 1 {
                    *slot = index as u8;
                }
            }
        }
        (class_of, classes)
    }
}

/// Positions, states and classes are bounded by [`MAX_LEN`] and
/// [`MAX_STATES`], far below `u32::MAX`.
fn to_u32(index: usize) -> u32 {
    u32::try_from(index).unwrap_or(u32::MAX)
}

fn too_complex() -> DigitMapError {
    DigitMapError::new(0, DigitMapErrorKind::TooComplex { limit: MAX_STATES })
}

/// The DFA as state-indexed rows of next-state ids, one column per class.
struct Dfa {
    next: Vec<u32>,
    accept: Vec<bool>,
}

const DEAD: u32 = 0;
const START: u32 = 1;

/// Subset construction with interning of position sets.
struct SubsetBuilder<'n> {
    nfa: &'n Nfa,
    ids: HashMap<Box<[u32]>, u32>,
    pending: VecDeque<Box<[u32]>>,
    accept: Vec<bool>,
    entries: usize,
}

impl SubsetBuilder<'_> {
    fn intern(&mut self, set: &[u32]) -> Result<u32> {
        if let Some(&id) = self.ids.get(set) {
            return Ok(id);
        }
        self.entries += set.len();
        if self.ids.len() >= MAX_STATES || self.entries > MAX_SET_ENTRIES {
            return Err(too_complex());
        }
        let id = to_u32(self.ids.len());
        self.ids.insert(set.into(), id);
        self.pending.push_back(set.into());
        self.accept.push(self.nfa.accepts(set));
        Ok(id)
    }
}

fn build_dfa(nfa: &Nfa, classes: &[u64]) -> Result<Dfa> {
    let mut builder = SubsetBuilder {
        nfa,
        ids: HashMap::new(),
        pending: VecDeque::new(),
        accept: Vec::new(),
        entries: 0,
    };
    builder.intern(&[])?; // DEAD
    builder.intern(&nfa.start_set())?; // START
    let mut next = Vec::new();
    let mut scratch = Vec::new();
    let mut work = 0usize;
    while let Some(set) = builder.pending.pop_front() {
        work += set.len() * classes.len();
        if work > MAX_WORK {
            return Err(too_complex());
        }
        for &class in classes {
            nfa.advance(&set, class, &mut scratch);
            next.push(builder.intern(&scratch)?);
        }
    }
    Ok(Dfa {
        next,
        accept: builder.accept,
    })
}

impl Dfa {
    /// Outcome bits of every state.
    fn outcome_bits(&self, classes: usize, timer_class: usize, policy: MatchPolicy) -> Vec<u32> {
        let accepts = |id: u32| self.accept.get(id as usize).copied().unwrap_or(false);
        self.next
            .chunks(classes)
            .zip(&self.accept)
            .map(|(row, &complete)| {
                let extendable = row.iter().any(|&id| id != DEAD);
                let critical = row.get(timer_class).is_some_and(|&id| accepts(id));
                let under = extendable && (policy == MatchPolicy::Longest || !complete);
                u32::from(complete) * COMPLETE
                    + u32::from(under) * UNDER_QUALIFIED
                    + u32::from(critical) * CRITICAL
            })
            .collect()
    }
}

/// A compiled digit map: parse once, then match any number of lines with a
/// [`MatchState`] each, one table load per event.
#[derive(Clone)]
pub struct DigitMap {
    canonical: String,
    policy: MatchPolicy,
    alternatives: usize,
    /// Symbol index to column.
    class_of: [u8; 64],
    classes: usize,
    /// Row-major transitions; each entry is the next state's row offset
    /// with its outcome bits on top.
    table: Box<[u32]>,
    start: MatchState,
}

impl DigitMap {
    /// Compiles `text` with `opts` (`str::parse` uses the defaults).
    pub fn parse(text: &str, opts: &DigitMapOptions) -> Result<Self, DigitMapError> {
        let nfa = Nfa::parse(text, opts)?;
        let (class_of, class_masks) = nfa.symbol_classes();
        let classes = class_masks.len();
        let dfa = build_dfa(&nfa, &class_masks)?;
        let timer_class = usize::from(class_of[usize::from(TIMER_INDEX)]);
        let bits = dfa.outcome_bits(classes, timer_class, opts.policy);
        let entry = |id: u32| {
            let bits = bits.get(id as usize).copied().unwrap_or(0);
            (bits << BITS_SHIFT) | (id * to_u32(classes))
        };
        Ok(DigitMap {
            canonical: canonical_bytes(text).map(char::from).collect(),
            policy: opts.policy,
            alternatives: nfa.starts.len(),
            class_of,
            classes,
            table: dfa.next.iter().map(|&id| entry(id)).collect(),
            start: MatchState(entry(START)),
        })
    }

    /// The state of a line before any event.
    pub const fn start(&self) -> MatchState {
        self.start
    }

    /// Appends `symbol` to the dial string that led to `state`: the new
    /// state and its outcome. One table load, no allocation.
    #[inline]
    pub fn step(&self, state: MatchState, symbol: Symbol) -> (MatchState, Outcome) {
        let column = usize::from(self.class_of[usize::from(symbol.0) & 63]);
        let next = match self.table.get(state.offset() + column) {
            Some(&entry) => MatchState(entry),
            None => MatchState(DEAD),
        };
        (next, next.outcome())
    }

    /// The outcome for a whole dial string such as `"9011234T"`; characters
    /// that are not events never match. It does not stop early: a gateway
    /// would have notified at the first final outcome.
    pub fn match_str(&self, dialed: &str) -> Outcome {
        let mut state = self.start;
        for c in dialed.chars() {
            state = match Symbol::from_char(c) {
                Some(symbol) => self.step(state, symbol).0,
                None => MatchState(DEAD),
            };
        }
        state.outcome()
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The policy it was compiled with.
    pub const fn policy(&self) -> MatchPolicy {
        self.policy
    }

    /// How many alternatives the map has.
    pub const fn alternative_count(&self) -> usize {
        self.alternatives
    }

    /// How many DFA states it compiled to, including the dead state.
    pub fn state_count(&self) -> usize {
        self.table.len() / self.classes.max(1)
    }
}

impl fmt::Display for DigitMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl fmt::Debug for DigitMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigitMap")
            .field("map", &self.canonical)
            .field("policy", &self.policy)
            .field("states", &self.state_count())
            .field("classes", &self.classes)
            .finish()
    }
}

/// Maps are equal when their canonical texts and policies are.
impl PartialEq for DigitMap {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical && self.policy == other.policy
    }
}

impl Eq for DigitMap {}

impl Hash for DigitMap {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.canonical.hash(state);
        self.policy.hash(state);
    }
}

impl FromStr for DigitMap {
    type Err = DigitMapError;

    fn from_str(text: &str) -> Result<Self, DigitMapError> {
        DigitMap::parse(text, &DigitMapOptions::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RFC_MAP: &str = "(0T|00T|[1-7]xxx|8xxxxxxx|#xxxxxxx|*xx|91xxxxxxxxxx|9011x.T)";

    const WAIT: Outcome = Outcome::Partial {
        timer: Timer::Partial,
        complete: false,
    };
    const WAIT_CRITICAL: Outcome = Outcome::Partial {
        timer: Timer::Critical,
        complete: false,
    };

    fn map(text: &str) -> DigitMap {
        compile(text).unwrap()
    }

    fn compile(text: &str) -> Result<DigitMap, DigitMapError> {
        DigitMap::parse(text, &DigitMapOptions::default())
    }

    fn dm_text(text: &str) -> Result<DigitMapText<'_>, DigitMapError> {
        DigitMapText::parse(text, &DigitMapOptions::default())
    }

    fn longest(text: &str) -> DigitMap {
        let opts = DigitMapOptions {
            policy: MatchPolicy::Longest,
            ..DigitMapOptions::default()
        };
        DigitMap::parse(text, &opts).unwrap()
    }

    fn error(text: &str) -> DigitMapError {
        validate(text, &DigitMapOptions::default()).unwrap_err()
    }

    /// Outcome after each prefix of `dialed`, stepping one symbol at a time.
    fn outcomes(map: &DigitMap, dialed: &str) -> Vec<Outcome> {
        let mut state = map.start();
        dialed
            .chars()
            .map(|c| {
                let (next, outcome) = map.step(state, Symbol::from_char(c).unwrap());
                state = next;
                outcome
            })
            .collect()
    }

    #[test]
    fn rfc_example_every_alternative() {
        let m = map(RFC_MAP);
        // 0T and 00T: "0" alone needs the timer, so the critical timer runs.
        assert_eq!(m.match_str("0"), WAIT_CRITICAL);
        assert_eq!(m.match_str("0T"), Outcome::Full);
        assert_eq!(m.match_str("00"), WAIT_CRITICAL);
        assert_eq!(m.match_str("00T"), Outcome::Full);
        assert_eq!(m.match_str("01"), Outcome::NoMatch);
        assert_eq!(m.match_str("000"), Outcome::NoMatch);
        // [1-7]xxx
        assert_eq!(outcomes(&m, "1234"), [WAIT, WAIT, WAIT, Outcome::Full]);
        assert_eq!(m.match_str("7000"), Outcome::Full);
        assert_eq!(m.match_str("1T"), Outcome::NoMatch);
        // 8xxxxxxx, #xxxxxxx, *xx
        assert_eq!(m.match_str("8123456"), WAIT);
        assert_eq!(m.match_str("81234567"), Outcome::Full);
        assert_eq!(m.match_str("#1234567"), Outcome::Full);
        assert_eq!(m.match_str("*6"), WAIT);
        assert_eq!(m.match_str("*69"), Outcome::Full);
        assert_eq!(m.match_str("*#"), Outcome::NoMatch);
        // 91xxxxxxxxxx
        assert_eq!(m.match_str("91"), WAIT);
        assert_eq!(m.match_str("912125551234"), Outcome::Full);
        // 9011x.T: "x." is zero or more digits, so the timer may end it at once.
        assert_eq!(m.match_str("901"), WAIT);
        assert_eq!(m.match_str("9011"), WAIT_CRITICAL);
        assert_eq!(m.match_str("9011T"), Outcome::Full);
        assert_eq!(m.match_str("90114"), WAIT_CRITICAL);
        assert_eq!(m.match_str("901144207946000"), WAIT_CRITICAL);
        assert_eq!(m.match_str("901144207946000T"), Outcome::Full);
        // Nothing starts with 9 then 2, nor with A.
        assert_eq!(m.match_str("92"), Outcome::NoMatch);
        assert_eq!(m.match_str("A"), Outcome::NoMatch);
        assert_eq!(m.match_str("9a"), Outcome::NoMatch);
    }

    #[test]
    fn start_state() {
        let m = map(RFC_MAP);
        assert_eq!(m.start().outcome(), WAIT);
        assert!(!m.start().is_complete());
        // RFC 3660: a timer with no digits runs as T(critical).
        assert_eq!(map("(T|xxxx)").start().outcome(), WAIT_CRITICAL);
        assert_eq!(map("(T|xxxx)").match_str("T"), Outcome::Full);
        assert_eq!(map("(T|xxxx)").match_str(""), WAIT_CRITICAL);
    }

    #[test]
    fn complete_but_extendable_follows_the_policy() {
        // Shortest, the default: report at once.
        assert_eq!(map("(xxx|xxxx)").match_str("123"), Outcome::Full);
        // Longest: keep collecting and say it is complete.
        let m = longest("(xxx|xxxx)");
        let (state, outcome) = m.step(m.start(), Symbol::from_char('1').unwrap());
        assert_eq!(outcome, WAIT);
        assert!(!state.is_complete());
        let expected = Outcome::Partial {
            timer: Timer::Partial,
            complete: true,
        };
        assert_eq!(m.match_str("123"), expected);
        assert_eq!(m.match_str("1234"), Outcome::Full);
        // The timer does not complete "123T": the gateway decides with `complete`.
        assert_eq!(m.match_str("123T"), Outcome::NoMatch);
    }

    #[test]
    fn critical_timer_when_t_completes() {
        for m in [map("(xxxT|xxxx)"), longest("(xxxT|xxxx)")] {
            assert_eq!(outcomes(&m, "123"), [WAIT, WAIT, WAIT_CRITICAL]);
            assert_eq!(m.match_str("123T"), Outcome::Full);
            assert_eq!(m.match_str("1234"), Outcome::Full);
            assert_eq!(m.match_str("12T"), Outcome::NoMatch);
        }
        let complete_and_critical = Outcome::Partial {
            timer: Timer::Critical,
            complete: true,
        };
        assert_eq!(
            longest("(xxx|xxxT|xxxx)").match_str("123"),
            complete_and_critical
        );
        assert_eq!(map("(xxx|xxxT|xxxx)").match_str("123"), Outcome::Full);
    }

    #[test]
    fn rfc_shortest_match_examples() {
        // RFC 3435 §2.1.5: "411" completely matches x11 and is sent.
        let m = map("(xxxxxxx|x11)");
        assert_eq!(m.match_str("41"), WAIT);
        assert_eq!(m.match_str("411"), Outcome::Full);
        assert_eq!(m.match_str("4125"), WAIT);
        // "0" matches at once, so "00" can never be produced.
        let m = map("(0[12].|00|1[12].1|2x.#)");
        assert_eq!(m.match_str("0"), Outcome::Full);
        assert_eq!(m.match_str("1"), WAIT);
        assert_eq!(m.match_str("12"), WAIT);
        assert_eq!(m.match_str("11"), Outcome::Full);
        assert_eq!(m.match_str("121"), Outcome::Full);
        for partial in ["2", "23", "234", "2345"] {
            assert_eq!(m.match_str(partial), WAIT, "{partial}");
        }
        assert_eq!(m.match_str("2345#"), Outcome::Full);
        assert_eq!(m.match_str("2#"), Outcome::Full);
        // Read literally, "0" would wait for more.
        let complete = Outcome::Partial {
            timer: Timer::Partial,
            complete: true,
        };
        assert_eq!(longest("(0[12].|00|1[12].1|2x.#)").match_str("0"), complete);
    }

    #[test]
    fn dot_loops() {
        let m = map("9011x.T");
        let mut dialed = String::from("9011");
        assert_eq!(m.match_str(&dialed), WAIT_CRITICAL);
        for digit in "1234567890123456789".chars() {
            dialed.push(digit);
            assert_eq!(m.match_str(&dialed), WAIT_CRITICAL, "{dialed}");
        }
        dialed.push('T');
        assert_eq!(m.match_str(&dialed), Outcome::Full);
        // A repeated range and a repeated letter.
        let m = map("([12].3|4#.5)");
        assert_eq!(m.match_str("3"), Outcome::Full);
        assert_eq!(m.match_str("1212123"), Outcome::Full);
        assert_eq!(m.match_str("45"), Outcome::Full);
        assert_eq!(m.match_str("4###5"), Outcome::Full);
        assert_eq!(m.match_str("4##"), WAIT);
        assert_eq!(m.match_str("4#1"), Outcome::NoMatch);
    }

    #[test]
    fn ranges_mix_spans_and_letters() {
        let m = map("[0-59#*]");
        for yes in ["0", "3", "5", "9", "#", "*"] {
            assert_eq!(m.match_str(yes), Outcome::Full, "{yes}");
        }
        for no in ["6", "7", "8", "A", "T"] {
            assert_eq!(m.match_str(no), Outcome::NoMatch, "{no}");
        }
        let m = map("([2-46-8AT]x|[d]#)");
        assert_eq!(m.match_str("21"), Outcome::Full);
        assert_eq!(m.match_str("51"), Outcome::NoMatch);
        assert_eq!(m.match_str("A1"), Outcome::Full);
        assert_eq!(m.match_str("T1"), Outcome::Full);
        assert_eq!(m.match_str("D#"), Outcome::Full);
    }

    #[test]
    fn letters_are_case_insensitive() {
        let upper = map("(0T|*XX|[ABCD]1|9011X.T)");
        let lower = map("(0t|*xx|[abcd]1|9011x.t)");
        assert_eq!(upper, lower);
        for dialed in ["0T", "0t", "*12", "a1", "D1", "90114t"] {
            assert_eq!(upper.match_str(dialed), Outcome::Full, "{dialed}");
            assert_eq!(lower.match_str(dialed), Outcome::Full, "{dialed}");
        }
        assert_eq!(Symbol::from_char('b'), Symbol::from_char('B'));
        assert_eq!(Symbol::from_char('x'), None);
        assert_eq!(Symbol::from_char('€'), None);
    }

    #[test]
    fn symbols_round_trip() {
        let all = "0123456789*#ABCDEFGHIJKLMNOPQRSTUVWYZ";
        let symbols: Vec<Symbol> = all.chars().map(|c| Symbol::from_char(c).unwrap()).collect();
        assert_eq!(symbols.len(), SYMBOL_COUNT);
        for (index, symbol) in symbols.iter().enumerate() {
            assert_eq!(usize::from(symbol.0), index);
            assert_eq!(Symbol::from_char(symbol.as_char()), Some(*symbol));
        }
        assert_eq!(Symbol::TIMER.as_char(), 'T');
        assert_eq!(Symbol::TIMER.to_string(), "T");
        let extensions: String = symbols
            .iter()
            .filter(|s| s.is_extension())
            .map(|s| s.as_char())
            .collect();
        assert_eq!(extensions, "EFGHIJKLMNOPQRSUVWYZ");
    }

    #[test]
    fn whitespace_around_punctuation() {
        let spaced = " ( 0T | 00T |\t[ 1-7 ] xxx|8 [0-9]\t.T ) ";
        let tight = "(0T|00T|[1-7]xxx|8[0-9].T)";
        assert_eq!(map(spaced), map(tight));
        assert_eq!(dm_text(spaced).unwrap(), dm_text(tight).unwrap());
        assert_eq!(map(spaced).match_str("2345"), Outcome::Full);
        assert_eq!(map("  1234\t").match_str("1234"), Outcome::Full);
        for (text, offset) in [
            ("1 2", 1),
            ("(12|3 4)", 5),
            ("[1 2]", 2),
            ("x .", 1),
            ("[1- 2]", 3),
        ] {
            assert_eq!(
                error(text),
                DigitMapError::new(offset, DigitMapErrorKind::UnexpectedWhitespace),
                "{text}"
            );
        }
    }

    #[test]
    fn every_error_kind_and_offset() {
        use DigitMapErrorKind::*;
        let cases: &[(&str, usize, DigitMapErrorKind, &str)] = &[
            ("", 0, Empty, "empty digit map at offset 0"),
            (" \t", 0, Empty, "empty digit map at offset 0"),
            ("(", 0, Unbalanced('('), "unbalanced '(' at offset 0"),
            ("(1|2", 0, Unbalanced('('), "unbalanced '(' at offset 0"),
            ("12)", 2, Unbalanced(')'), "unbalanced ')' at offset 2"),
            ("(1))", 3, Unbalanced(')'), "unbalanced ')' at offset 3"),
            ("[12", 0, Unbalanced('['), "unbalanced '[' at offset 0"),
            ("(1[2|3])", 2, Unbalanced('['), "unbalanced '[' at offset 2"),
            ("12]", 2, Unbalanced(']'), "unbalanced ']' at offset 2"),
            (
                "(0T|00T|)",
                8,
                EmptyAlternative,
                "empty alternative at offset 8",
            ),
            (
                "(1||2)",
                3,
                EmptyAlternative,
                "empty alternative at offset 3",
            ),
            ("()", 1, EmptyAlternative, "empty alternative at offset 1"),
            ("(|1)", 1, EmptyAlternative, "empty alternative at offset 1"),
            ("1[]", 1, EmptyRange, "empty range '[]' at offset 1"),
            (
                "(12[9-1])",
                4,
                BadRange {
                    low: '9',
                    high: Some('1'),
                },
                "bad range '9-1' at offset 4",
            ),
            (
                "[1-]",
                1,
                BadRange {
                    low: '1',
                    high: None,
                },
                "bad range '1-' at offset 1",
            ),
            (
                "[1-",
                1,
                BadRange {
                    low: '1',
                    high: None,
                },
                "bad range '1-' at offset 1",
            ),
            (
                "[a-d]",
                1,
                BadRange {
                    low: 'a',
                    high: Some('d'),
                },
                "bad range 'a-d' at offset 1",
            ),
            (
                ".1",
                0,
                DanglingDot,
                "'.' with nothing to repeat at offset 0",
            ),
            (
                "(1|.2)",
                3,
                DanglingDot,
                "'.' with nothing to repeat at offset 3",
            ),
            (
                "1..",
                2,
                DanglingDot,
                "'.' with nothing to repeat at offset 2",
            ),
            (
                "1|2",
                1,
                BarOutsideParentheses,
                "'|' outside parentheses at offset 1",
            ),
            (
                "(1234+)",
                5,
                UnexpectedChar('+'),
                "unexpected character '+' at offset 5",
            ),
            (
                "((1))",
                1,
                UnexpectedChar('('),
                "unexpected character '(' at offset 1",
            ),
            (
                "(1)2",
                3,
                UnexpectedChar('2'),
                "unexpected character '2' at offset 3",
            ),
            (
                "[x]",
                1,
                UnexpectedChar('x'),
                "unexpected character 'x' at offset 1",
            ),
            (
                "[-1]",
                1,
                UnexpectedChar('-'),
                "unexpected character '-' at offset 1",
            ),
            (
                "[1-2-3]",
                4,
                UnexpectedChar('-'),
                "unexpected character '-' at offset 4",
            ),
            (
                "[[1]]",
                1,
                UnexpectedChar('['),
                "unexpected character '[' at offset 1",
            ),
            (
                "1€2",
                1,
                UnexpectedChar('€'),
                "unexpected character '€' at offset 1",
            ),
            (
                "12\r\n",
                2,
                UnexpectedChar('\r'),
                "unexpected character '\\r' at offset 2",
            ),
            (
                "1 2",
                1,
                UnexpectedWhitespace,
                "unexpected whitespace at offset 1",
            ),
        ];
        for &(text, offset, reason, message) in cases {
            let err = validate(text, &DigitMapOptions::default()).expect_err(text);
            assert_eq!(err, DigitMapError::new(offset, reason), "{text:?}");
            assert_eq!(err.to_string(), message, "{text:?}");
            assert_eq!(err.return_code(), 537);
            assert_eq!(compile(text).unwrap_err(), err, "{text:?}");
        }
    }

    #[test]
    fn fixed_descriptions_are_distinct() {
        use DigitMapErrorKind::*;
        let kinds = [
            Empty,
            TooLong { limit: 1 },
            TooManyAlternatives { limit: 1 },
            Unbalanced('('),
            EmptyAlternative,
            EmptyRange,
            BadRange {
                low: '1',
                high: None,
            },
            DanglingDot,
            BarOutsideParentheses,
            UnexpectedChar('q'),
            UnexpectedWhitespace,
            UnsupportedExtension('L'),
            TooComplex { limit: 1 },
        ];
        let mut fixed: Vec<&str> = kinds.iter().map(DigitMapErrorKind::as_str).collect();
        fixed.sort_unstable();
        fixed.dedup();
        assert_eq!(fixed.len(), kinds.len());
        assert!(fixed.iter().all(|text| text.contains("digit map")));
    }

    #[test]
    fn extension_letters_are_optional() {
        let strict = DigitMapOptions {
            extension_letters: false,
            ..DigitMapOptions::default()
        };
        for text in ["(L|1)", "(l|1)", "(1|[1L])"] {
            let err = validate(text, &strict).unwrap_err();
            assert_eq!(err.reason, DigitMapErrorKind::UnsupportedExtension('L'));
            assert!(
                err.to_string()
                    .starts_with("unsupported digit map extension letter 'L' at offset ")
            );
            assert_eq!(err.return_code(), 537);
            assert!(DigitMap::parse(text, &strict).is_err());
        }
        // T, A-D and x are basic letters.
        assert!(validate("(T|[A-D]|[ABCD]x)", &strict).is_err());
        assert!(validate("(T|[ABCD]x)", &strict).is_ok());
        // Supported by default, and matched like any letter.
        let m = map("(1L|*EZ)");
        assert_eq!(m.match_str("1L"), Outcome::Full);
        assert_eq!(m.match_str("1l"), Outcome::Full);
        assert_eq!(m.match_str("*ez"), Outcome::Full);
        assert_eq!(m.match_str("1E"), Outcome::NoMatch);
    }

    #[test]
    fn limits() {
        let long = "1".repeat(MAX_LEN + 1);
        let err = error(&long);
        assert_eq!(err.offset, MAX_LEN);
        assert_eq!(
            err.to_string(),
            "digit map longer than 8192 bytes at offset 8192"
        );
        assert!(validate(&"1".repeat(MAX_LEN), &DigitMapOptions::default()).is_ok());

        let many = format!("({})", vec!["1"; MAX_ALTERNATIVES + 1].join("|"));
        let err = error(&many);
        assert_eq!(err.offset, 2 * MAX_ALTERNATIVES);
        assert_eq!(
            err.to_string(),
            "more than 1024 alternatives at offset 2048"
        );
        let most = format!("({})", vec!["1"; MAX_ALTERNATIVES].join("|"));
        assert_eq!(map(&most).alternative_count(), MAX_ALTERNATIVES);

        // Remembering which of the last 17 digits were 1 takes 2^17 states.
        let hard = format!("x.1{}", "x".repeat(16));
        assert!(validate(&hard, &DigitMapOptions::default()).is_ok());
        let err = compile(&hard).unwrap_err();
        assert_eq!(
            err.reason,
            DigitMapErrorKind::TooComplex { limit: MAX_STATES }
        );
        assert_eq!(
            err.to_string(),
            "digit map too complex (more than 65536 states)"
        );
        assert_eq!(err.return_code(), 537);
        // The same shape one digit shorter still compiles.
        let fine = map(&format!("x.1{}", "x".repeat(8)));
        assert_eq!(fine.match_str("5551000000000"), WAIT);
        assert_eq!(fine.match_str("555123456789"), Outcome::Full);
    }

    #[test]
    fn hostile_maps_fail_fast() {
        // Many alternatives that each loop: the subset sets stay large.
        let text = format!("({})", vec!["x.1x.2x.3x.4"; 600].join("|"));
        let started = std::time::Instant::now();
        let _ = compile(&text);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn text_is_borrowed_and_canonical() {
        let text = dm_text(" ( 0t | [1-7]XXX |9011x.t) ").unwrap();
        assert_eq!(text.as_str(), " ( 0t | [1-7]XXX |9011x.t) ");
        assert_eq!(text.to_string(), "(0T|[1-7]xxx|9011x.T)");
        let alternatives: Vec<&str> = text.alternatives().collect();
        assert_eq!(alternatives, ["0t", "[1-7]XXX", "9011x.t"]);

        let bare = dm_text("1234").unwrap();
        assert_eq!(bare.to_string(), "1234");
        assert_eq!(dm_text(" ( 12x4 ) ").unwrap().to_string(), "12x4");
        assert_eq!(bare, dm_text("( 1234 )").unwrap());
        assert_eq!(bare.alternatives().collect::<Vec<_>>(), ["1234"]);
        assert_ne!(bare, dm_text("(12345)").unwrap());
        assert_ne!(dm_text("[1-3]").unwrap(), dm_text("[123]").unwrap());

        let hash = |t: DigitMapText<'_>| {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            t.hash(&mut hasher);
            hasher.finish()
        };
        assert_eq!(hash(bare), hash(dm_text("(1234)").unwrap()));
        assert_eq!(
            map(" ( 0t | [1-7]XXX |9011x.t) ").to_string(),
            text.to_string()
        );
    }

    #[test]
    fn display_round_trips() {
        for text in [RFC_MAP, "1234", " ( x. | [ 1-2 ] T ) ", "(0t|*xx|[a#*]L)"] {
            let m = map(text);
            let again = map(&m.to_string());
            assert_eq!(again, m);
            assert_eq!(again.to_string(), m.to_string());
            assert_eq!(m.to_string().parse::<DigitMap>().unwrap(), m);
        }
    }

    #[test]
    fn foreign_states_do_not_panic() {
        let big = map(RFC_MAP);
        let small = map("1");
        let mut state = big.start();
        for c in "912345678".chars() {
            state = big.step(state, Symbol::from_char(c).unwrap()).0;
        }
        for symbol in "0123456789*#ABCDTLZ".chars().filter_map(Symbol::from_char) {
            let _ = small.step(state, symbol);
            let _ = small.step(MatchState(u32::MAX), symbol);
        }
    }

    #[test]
    fn debug_is_short() {
        let m = map(RFC_MAP);
        let debug = format!("{m:?}");
        assert!(debug.starts_with("DigitMap { map: \"(0T|00T|"));
        assert!(m.state_count() > 2);
        assert_eq!(m.alternative_count(), 8);
        assert_eq!(m.policy(), MatchPolicy::Shortest);
        assert_eq!(Timer::Partial.default_duration().as_secs(), 16);
        assert_eq!(Timer::Critical.default_duration().as_secs(), 4);
        assert!(Outcome::Full.is_final() && Outcome::NoMatch.is_final());
        assert!(!WAIT.is_final());
    }

    // -- Naive reference matcher ------------------------------------------

    /// One generated element: its text and the symbols it matches.
    #[derive(Clone, Debug)]
    struct Element {
        text: String,
        set: Vec<char>,
        repeat: bool,
    }

    fn element() -> impl Strategy<Value = Element> {
        let letter = prop::sample::select(vec!['0', '1', '2', '9', '#', '*', 'T', 'A', 't', 'a']);
        let single = letter.prop_map(|c| Element {
            text: c.to_string(),
            set: vec![c.to_ascii_uppercase()],
            repeat: false,
        });
        let wildcard = Just(Element {
            text: "x".into(),
            set: "0123456789".chars().collect(),
            repeat: false,
        });
        let item = prop::sample::select(vec!["0-1", "1-2", "2-9", "0", "9", "#", "T", "*", "a"]);
        let range = prop::collection::vec(item, 1..3).prop_map(|items| {
            let mut set = Vec::new();
            for item in &items {
                let chars: Vec<char> = item.chars().collect();
                if let [low, '-', high] = chars[..] {
                    set.extend(low..=high);
                } else {
                    set.push(chars[0].to_ascii_uppercase());
                }
            }
            Element {
                text: format!("[{}]", items.concat()),
                set,
                repeat: false,
            }
        });
        (
            prop_oneof![4 => single, 2 => wildcard, 2 => range],
            prop::bool::weighted(0.25),
        )
            .prop_map(|(mut element, repeat)| {
                element.repeat = repeat;
                if repeat {
                    element.text.push('.');
                }
                element
            })
    }

    fn alternatives() -> impl Strategy<Value = Vec<Vec<Element>>> {
        prop::collection::vec(prop::collection::vec(element(), 1..6), 1..5)
    }

    fn render(alternatives: &[Vec<Element>]) -> String {
        let alternatives: Vec<String> = alternatives
            .iter()
            .map(|elements| elements.iter().map(|e| e.text.as_str()).collect())
            .collect();
        format!("({})", alternatives.join(" | "))
    }

    /// Every element index reachable after consuming all of `dialed`.
    fn reach(elements: &[Element], at: usize, dialed: &[char], out: &mut Vec<usize>) {
        if dialed.is_empty() {
            out.push(at);
        }
        let Some(element) = elements.get(at) else {
            return;
        };
        if element.repeat {
            reach(elements, at + 1, dialed, out);
        }
        if let Some((first, rest)) = dialed.split_first()
            && element.set.contains(first)
        {
            let next = if element.repeat { at } else { at + 1 };
            reach(elements, next, rest, out);
        }
    }

    fn naive_outcome(
        alternatives: &[Vec<Element>],
        dialed: &[char],
        policy: MatchPolicy,
    ) -> Outcome {
        let mut complete = false;
        let mut extendable = false;
        let mut critical = false;
        let mut with_timer = dialed.to_vec();
        with_timer.push('T');
        for elements in alternatives {
            let mut ends = Vec::new();
            reach(elements, 0, dialed, &mut ends);
            complete |= ends.contains(&elements.len());
            extendable |= ends.iter().any(|&end| end < elements.len());
            let mut ends = Vec::new();
            reach(elements, 0, &with_timer, &mut ends);
            critical |= ends.contains(&elements.len());
        }
        let timer = if critical {
            Timer::Critical
        } else {
            Timer::Partial
        };
        if extendable && (policy == MatchPolicy::Longest || !complete) {
            Outcome::Partial { timer, complete }
        } else if complete {
            Outcome::Full
        } else {
            Outcome::NoMatch
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn dfa_agrees_with_backtracking(
            alternatives in alternatives(),
            dialed in prop::collection::vec(prop::sample::select(vec!['0', '1', '2', '5', '9', '#', '*', 'T', 'A']), 0..12),
        ) {
            let text = render(&alternatives);
            for policy in [MatchPolicy::Shortest, MatchPolicy::Longest] {
                let opts = DigitMapOptions { policy, ..DigitMapOptions::default() };
                let m = DigitMap::parse(&text, &opts).unwrap();
                let mut state = m.start();
                prop_assert_eq!(state.outcome(), naive_outcome(&alternatives, &[], policy));
                for len in 1..=dialed.len() {
                    let symbol = Symbol::from_char(dialed[len - 1]).unwrap();
                    let (next, outcome) = m.step(state, symbol);
                    state = next;
                    let expected = naive_outcome(&alternatives, &dialed[..len], policy);
                    prop_assert_eq!(outcome, expected, "{} after {:?}", text, &dialed[..len]);
                    prop_assert_eq!(state.outcome(), outcome);
                }
                let whole: String = dialed.iter().collect();
                prop_assert_eq!(m.match_str(&whole), state.outcome());
            }
        }

        #[test]
        fn validate_agrees_with_compile(text in "[0-9a-dA-DtTxXLz#*.()|\\[\\]\\- \tq€]{0,24}") {
            for extension_letters in [true, false] {
                let opts = DigitMapOptions { extension_letters, ..DigitMapOptions::default() };
                let checked = validate(&text, &opts);
                let compiled = DigitMap::parse(&text, &opts);
                prop_assert_eq!(checked, compiled.as_ref().map(|_| ()).map_err(|e| *e));
                prop_assert_eq!(checked, DigitMapText::parse(&text, &opts).map(|_| ()));
                if let Ok(m) = compiled {
                    let canonical = DigitMapText::parse(&text, &opts).unwrap().to_string();
                    prop_assert_eq!(&canonical, m.as_str());
                    let again = DigitMap::parse(&canonical, &opts).unwrap();
                    prop_assert_eq!(&again, &m);
                    prop_assert_eq!(
                        dm_text(&canonical).unwrap(),
                        dm_text(&text).unwrap()
                    );
                    let alternatives = dm_text(&text).unwrap().alternatives().count();
                    prop_assert_eq!(alternatives, m.alternative_count());
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            let checked = validate(&text, &DigitMapOptions::default());
            prop_assert_eq!(checked, compile(&text).map(|_| ()));
        }

        #[test]
        fn arbitrary_bytes_near_the_alphabet_never_panic(
            bytes in prop::collection::vec(prop::sample::select(b"0123456789xXtT#*.()|[]- \tAaLl".to_vec()), 0..64)
        ) {
            let text = String::from_utf8(bytes).unwrap();
            let checked = validate(&text, &DigitMapOptions::default());
            prop_assert_eq!(checked, compile(&text).map(|_| ()));
        }
    }
}
