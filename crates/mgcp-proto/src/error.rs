//! Parse errors that know where they happened and what to answer.

use core::fmt;

use crate::return_code::ReturnCode;
use crate::transaction_id::TransactionId;
use crate::verb::Verb;

/// A message that could not be parsed.
///
/// Carries the line and column (1-based, within the message), the rule that
/// was broken, the return code a receiver should answer and, when the first
/// line was readable, the transaction id and verb so that the answer can be
/// correlated (RFC 3435 §3.5: every command gets a response).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Line within the message, from 1.
    pub line: u32,
    /// Column within the line, from 1 (counted in bytes).
    pub column: u32,
    /// The transaction id, when the first line was readable.
    pub transaction_id: Option<TransactionId>,
    /// The verb, when the message is a command with a readable verb.
    pub verb: Option<Verb>,
    /// True when the first line showed a response (so no answer is due).
    pub is_response: bool,
}

impl ParseError {
    /// The return code a receiver should send back.
    pub fn return_code(&self) -> ReturnCode {
        self.kind.return_code()
    }

    /// True when the receiver can and should answer: the message is a
    /// command whose transaction id was read.
    pub fn is_answerable(&self) -> bool {
        !self.is_response && self.transaction_id.is_some_and(|t| t.value() != 0)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {} (return code {})",
            self.line,
            self.column,
            self.kind,
            self.return_code()
        )
    }
}

/// What was wrong with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The datagram or message is empty.
    Empty,
    /// The message is not UTF-8 text.
    NotText,
    /// The message is larger than the configured limit.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A line ends with a bare CR and the option allowing it is off.
    BareCarriageReturn,
    /// A control character other than TAB inside a header line.
    ControlCharacter,
    /// The first line is neither a command line nor a response line.
    BadFirstLine(&'static str),
    /// The verb is not one of the nine RFC verbs nor an extension verb.
    UnknownVerb,
    /// The transaction id is not 1 to 999999999.
    BadTransactionId,
    /// The endpoint name is malformed.
    BadEndpointName(crate::endpoint_name::NameError),
    /// The protocol name is not MGCP, or the version is not one we speak.
    UnsupportedVersion,
    /// The response code is not three digits.
    BadReturnCode,
    /// A header line is not `name: value`.
    BadParameterLine(&'static str),
    /// A parameter value broke its grammar.
    BadParameterValue {
        /// The parameter's code as written.
        name: String,
        /// The rule broken.
        reason: &'static str,
        /// The code to answer.
        code: ReturnCode,
    },
    /// Too many parameter lines.
    TooManyParameters {
        /// The limit.
        limit: usize,
    },
    /// A session description broke SDP syntax.
    BadSdp(String),
}

impl ErrorKind {
    /// The return code a receiver should answer (RFC 3435 §2.4, RFC 3661).
    pub fn return_code(&self) -> ReturnCode {
        match self {
            ErrorKind::UnknownVerb => ReturnCode::UNKNOWN_COMMAND,
            ErrorKind::UnsupportedVersion => ReturnCode::INCOMPATIBLE_VERSION,
            ErrorKind::BadParameterValue { code, .. } => *code,
            ErrorKind::BadSdp(_) => ReturnCode::REMOTE_DESCRIPTOR_ERROR,
            ErrorKind::TooLarge { .. } | ErrorKind::TooManyParameters { .. } => {
                ReturnCode::PROTOCOL_ERROR
            }
            _ => ReturnCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Empty => f.write_str("empty message"),
            ErrorKind::NotText => f.write_str("message is not UTF-8 text"),
            ErrorKind::TooLarge { limit } => write!(f, "message larger than {limit} bytes"),
            ErrorKind::BareCarriageReturn => {
                f.write_str("line ends with CR alone (lines end with CRLF or LF)")
            }
            ErrorKind::ControlCharacter => f.write_str("control character in header line"),
            ErrorKind::BadFirstLine(why) => write!(f, "bad first line: {why}"),
            ErrorKind::UnknownVerb => f.write_str(
                "unknown verb (not one of the nine RFC 3435 verbs nor an extension verb)",
            ),
            ErrorKind::BadTransactionId => {
                f.write_str("transaction id must be 1 to 999999999 (1 to 9 digits)")
            }
            ErrorKind::BadEndpointName(e) => write!(f, "bad endpoint name: {e}"),
            ErrorKind::UnsupportedVersion => {
                f.write_str("protocol must be MGCP 1.0 or MGCP 0.1 (with an optional profile)")
            }
            ErrorKind::BadReturnCode => f.write_str("return code must be three digits"),
            ErrorKind::BadParameterLine(why) => write!(f, "bad parameter line: {why}"),
            ErrorKind::BadParameterValue { name, reason, .. } => {
                write!(f, "bad value for parameter {name}: {reason}")
            }
            ErrorKind::TooManyParameters { limit } => {
                write!(f, "more than {limit} parameter lines")
            }
            ErrorKind::BadSdp(why) => write!(f, "bad session description: {why}"),
        }
    }
}
