//! Return codes (RFC 3435 §2.4, RFC 3661).
//!
//! A response line starts with a three-digit code. `000` acknowledges a
//! response, `1xx` are provisional, `2xx` success, `4xx` transient errors,
//! `5xx` permanent errors and `8xx` package-specific codes (which carry a
//! `/package` suffix on the wire).

use core::fmt;

/// A three-digit MGCP return code.
///
/// Any value from 0 to 999 can be represented so that codes a newer peer
/// sends still round-trip; [`ReturnCode::phrase`] knows the defined ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReturnCode(u16);

/// The class a return code belongs to (RFC 3435 §3.3, §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReturnClass {
    /// `000`: response acknowledgement.
    Acknowledgement,
    /// `1xx`: the transaction is in progress; a final response follows.
    Provisional,
    /// `2xx`: the transaction was executed.
    Success,
    /// `4xx`: the transaction failed for a transient reason.
    TransientError,
    /// `5xx`: the transaction failed permanently.
    PermanentError,
    /// `8xx`: package-specific codes.
    Package,
    /// Any other value (`3xx`, `6xx`, `7xx`, `9xx`, other `0xx`).
    Unassigned,
}

macro_rules! return_codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $phrase:literal; )*) => {
        impl ReturnCode {
            $( $(#[$doc])* pub const $name: ReturnCode = ReturnCode($code); )*

            /// The phrase RFC 3435 gives for a defined code, `None` otherwise.
            pub fn phrase(self) -> Option<&'static str> {
                match self.0 {
                    $( $code => Some($phrase), )*
                    _ => None,
                }
            }
        }

        /// Every return code RFC 3435 and RFC 3661 define, in numeric order.
        pub const DEFINED: &[ReturnCode] = &[ $( ReturnCode::$name, )* ];
    };
}

return_codes! {
    /// 000: response acknowledgement.
    ACK = 0, "Response acknowledgement";
    /// 100: the transaction is currently being executed.
    EXECUTING = 100, "The transaction is currently being executed";
    /// 101: the transaction has been queued for execution.
    QUEUED = 101, "The transaction has been queued for execution";
    /// 200: the requested transaction was executed normally.
    OK = 200, "The requested transaction was executed normally";
    /// 250: the connection was deleted.
    CONNECTION_DELETED = 250, "The connection was deleted";
    /// 400: transient error.
    TRANSIENT_ERROR = 400, "The transaction could not be executed, due to some unspecified transient error";
    /// 401: the phone is already off hook.
    ALREADY_OFF_HOOK = 401, "The phone is already off hook";
    /// 402: the phone is already on hook.
    ALREADY_ON_HOOK = 402, "The phone is already on hook";
    /// 403: insufficient resources available now.
    INSUFFICIENT_RESOURCES_NOW = 403, "The transaction could not be executed, because the endpoint does not have sufficient resources at this time";
    /// 404: insufficient bandwidth at this time.
    INSUFFICIENT_BANDWIDTH_NOW = 404, "Insufficient bandwidth at this time";
    /// 405: the endpoint is restarting.
    ENDPOINT_RESTARTING_NOW = 405, "The transaction could not be executed, because the endpoint is \"restarting\"";
    /// 406: transaction time-out.
    TRANSACTION_TIMEOUT = 406, "Transaction time-out. The transaction did not complete in a reasonable period of time and has been aborted";
    /// 407: transaction aborted.
    TRANSACTION_ABORTED = 407, "Transaction aborted. The transaction was aborted by some external action, e.g., a ModifyConnection command aborted by a DeleteConnection command";
    /// 409: internal overload.
    OVERLOAD = 409, "The transaction could not be executed because of internal overload";
    /// 410: no endpoint available.
    NO_ENDPOINT_AVAILABLE = 410, "No endpoint available. A valid \"any of\" wildcard was used, however there was no endpoint available to satisfy the request";
    /// 500: the endpoint is unknown.
    UNKNOWN_ENDPOINT = 500, "The transaction could not be executed, because the endpoint is unknown";
    /// 501: the endpoint is not ready.
    ENDPOINT_NOT_READY = 501, "The transaction could not be executed, because the endpoint is not ready";
    /// 502: insufficient resources (permanent).
    INSUFFICIENT_RESOURCES = 502, "The transaction could not be executed, because the endpoint does not have sufficient resources (permanent condition)";
    /// 503: "all of" wildcard too complicated.
    WILDCARD_TOO_COMPLICATED = 503, "\"All of\" wildcard too complicated";
    /// 504: unknown or unsupported command.
    UNKNOWN_COMMAND = 504, "Unknown or unsupported command";
    /// 505: unsupported RemoteConnectionDescriptor.
    UNSUPPORTED_REMOTE_DESCRIPTOR = 505, "Unsupported RemoteConnectionDescriptor";
    /// 506: unable to satisfy both LocalConnectionOptions and RemoteConnectionDescriptor.
    UNSATISFIABLE_OPTIONS = 506, "Unable to satisfy both LocalConnectionOptions and RemoteConnectionDescriptor";
    /// 507: unsupported functionality.
    UNSUPPORTED_FUNCTIONALITY = 507, "Unsupported functionality";
    /// 508: unknown or unsupported quarantine handling.
    BAD_QUARANTINE_HANDLING = 508, "Unknown or unsupported quarantine handling";
    /// 509: error in RemoteConnectionDescriptor.
    REMOTE_DESCRIPTOR_ERROR = 509, "Error in RemoteConnectionDescriptor";
    /// 510: protocol error.
    PROTOCOL_ERROR = 510, "The transaction could not be executed, because some unspecified protocol error was detected";
    /// 511: unrecognized extension.
    UNRECOGNIZED_EXTENSION = 511, "The transaction could not be executed, because the command contained an unrecognized extension";
    /// 512: the gateway cannot detect a requested event.
    CANNOT_DETECT_EVENT = 512, "The transaction could not be executed, because the gateway is not equipped to detect one of the requested events";
    /// 513: the gateway cannot generate a requested signal.
    CANNOT_GENERATE_SIGNAL = 513, "The transaction could not be executed, because the gateway is not equipped to generate one of the requested signals";
    /// 514: the gateway cannot send the announcement.
    CANNOT_SEND_ANNOUNCEMENT = 514, "The transaction could not be executed, because the gateway cannot send the specified announcement";
    /// 515: incorrect connection-id.
    INCORRECT_CONNECTION_ID = 515, "The transaction refers to an incorrect connection-id (may have been already deleted)";
    /// 516: unknown call-id.
    UNKNOWN_CALL_ID = 516, "The transaction refers to an unknown call-id, or the call-id supplied is incorrect";
    /// 517: unsupported or invalid mode.
    INVALID_MODE = 517, "Unsupported or invalid mode";
    /// 518: unsupported or unknown package.
    UNKNOWN_PACKAGE = 518, "Unsupported or unknown package";
    /// 519: the endpoint does not have a digit map.
    NO_DIGIT_MAP = 519, "Endpoint does not have a digit map";
    /// 520: the endpoint is restarting.
    ENDPOINT_RESTARTING = 520, "The transaction could not be executed, because the endpoint is \"restarting\"";
    /// 521: endpoint redirected to another call agent.
    REDIRECTED = 521, "Endpoint redirected to another Call Agent";
    /// 522: no such event or signal.
    NO_SUCH_EVENT_OR_SIGNAL = 522, "No such event or signal";
    /// 523: unknown action or illegal combination of actions.
    BAD_ACTION = 523, "Unknown action or illegal combination of actions";
    /// 524: internal inconsistency in LocalConnectionOptions.
    INCONSISTENT_OPTIONS = 524, "Internal inconsistency in LocalConnectionOptions";
    /// 525: unknown extension in LocalConnectionOptions.
    UNKNOWN_OPTION_EXTENSION = 525, "Unknown extension in LocalConnectionOptions";
    /// 526: insufficient bandwidth.
    INSUFFICIENT_BANDWIDTH = 526, "Insufficient bandwidth";
    /// 527: missing RemoteConnectionDescriptor.
    MISSING_REMOTE_DESCRIPTOR = 527, "Missing RemoteConnectionDescriptor";
    /// 528: incompatible protocol version.
    INCOMPATIBLE_VERSION = 528, "Incompatible protocol version";
    /// 529: internal hardware failure.
    HARDWARE_FAILURE = 529, "Internal hardware failure";
    /// 530: CAS signaling protocol error.
    CAS_ERROR = 530, "CAS signaling protocol error";
    /// 531: failure of a grouping of trunks.
    TRUNK_GROUP_FAILURE = 531, "Failure of a grouping of trunks (e.g., facility failure)";
    /// 532: unsupported value(s) in LocalConnectionOptions.
    UNSUPPORTED_OPTION_VALUE = 532, "Unsupported value(s) in LocalConnectionOptions";
    /// 533: response too large.
    RESPONSE_TOO_LARGE = 533, "Response too large";
    /// 534: codec negotiation failure.
    CODEC_NEGOTIATION_FAILURE = 534, "Codec negotiation failure";
    /// 535: packetization period not supported.
    PACKETIZATION_NOT_SUPPORTED = 535, "Packetization period not supported";
    /// 536: unknown or unsupported RestartMethod.
    BAD_RESTART_METHOD = 536, "Unknown or unsupported RestartMethod";
    /// 537: unknown or unsupported digit map extension.
    BAD_DIGIT_MAP = 537, "Unknown or unsupported digit map extension";
    /// 538: event/signal parameter error.
    EVENT_PARAMETER_ERROR = 538, "Event/signal parameter error (e.g., missing, erroneous, unsupported, unknown, etc.)";
    /// 539: invalid or unsupported command parameter.
    BAD_PARAMETER = 539, "Invalid or unsupported command parameter";
    /// 540: per endpoint connection limit exceeded.
    CONNECTION_LIMIT = 540, "Per endpoint connection limit exceeded";
    /// 541: invalid or unsupported LocalConnectionOptions.
    BAD_LOCAL_OPTIONS = 541, "Invalid or unsupported LocalConnectionOptions";
}

impl ReturnCode {
    /// A code from its numeric value; `None` above 999.
    pub const fn new(value: u16) -> Option<ReturnCode> {
        if value <= 999 {
            Some(ReturnCode(value))
        } else {
            None
        }
    }

    /// The numeric value.
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The class of the code.
    pub const fn class(self) -> ReturnClass {
        match self.0 {
            0 => ReturnClass::Acknowledgement,
            100..=199 => ReturnClass::Provisional,
            200..=299 => ReturnClass::Success,
            400..=499 => ReturnClass::TransientError,
            500..=599 => ReturnClass::PermanentError,
            800..=899 => ReturnClass::Package,
            _ => ReturnClass::Unassigned,
        }
    }

    /// True for `1xx`.
    pub const fn is_provisional(self) -> bool {
        matches!(self.class(), ReturnClass::Provisional)
    }

    /// True for `2xx`.
    pub const fn is_success(self) -> bool {
        matches!(self.class(), ReturnClass::Success)
    }

    /// True for codes that end a transaction: everything but `1xx` and `000`.
    pub const fn is_final(self) -> bool {
        !matches!(
            self.class(),
            ReturnClass::Provisional | ReturnClass::Acknowledgement
        )
    }

    /// True for `4xx`, `5xx` and `8xx`.
    pub const fn is_error(self) -> bool {
        matches!(
            self.class(),
            ReturnClass::TransientError | ReturnClass::PermanentError | ReturnClass::Package
        )
    }

    /// The short commentary we put on response lines: `OK` for success
    /// codes, the RFC phrase's first clause otherwise.
    pub fn short_text(self) -> &'static str {
        match self.0 {
            0..=299 => "OK",
            _ => "FAIL",
        }
    }
}

impl fmt::Display for ReturnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defined_codes_are_sorted_unique_and_have_phrases() {
        for pair in DEFINED.windows(2) {
            assert!(pair[0] < pair[1], "{} before {}", pair[0], pair[1]);
        }
        for code in DEFINED {
            assert!(code.phrase().is_some(), "{code}");
        }
        assert_eq!(DEFINED.len(), 57);
    }

    #[test]
    fn classes() {
        assert_eq!(ReturnCode::ACK.class(), ReturnClass::Acknowledgement);
        assert!(ReturnCode::EXECUTING.is_provisional());
        assert!(!ReturnCode::QUEUED.is_final());
        assert!(ReturnCode::CONNECTION_DELETED.is_success());
        assert!(ReturnCode::OVERLOAD.is_error());
        assert_eq!(ReturnCode::new(801).unwrap().class(), ReturnClass::Package);
        assert_eq!(
            ReturnCode::new(300).unwrap().class(),
            ReturnClass::Unassigned
        );
        assert!(ReturnCode::new(1000).is_none());
    }

    #[test]
    fn displays_three_digits() {
        assert_eq!(ReturnCode::ACK.to_string(), "000");
        assert_eq!(ReturnCode::new(7).unwrap().to_string(), "007");
        assert_eq!(ReturnCode::BAD_LOCAL_OPTIONS.to_string(), "541");
    }
}
