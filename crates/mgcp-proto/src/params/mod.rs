//! Parameter lines (RFC 3435 §3.2.2): names, typed values and the
//! per-parameter parsers.
//!
//! A parameter line is `name: value`. [`ParamName`] knows every code of
//! RFC 3435; [`Param`] holds a typed, validated value that borrows from the
//! message text. Vendor and package extension lines (`X-...`, `X+...`,
//! `pkg/name`) and, in responses, unknown lines are kept verbatim in order
//! so they round-trip.

pub mod bearer_information;
pub mod connection_mode;
pub mod connection_parameters;
pub mod event_list;
pub mod local_connection_options;
pub mod package_list;
pub mod quarantine_handling;
pub mod reason_code;
pub mod requested_events;
pub mod requested_info;
pub mod response_ack;
pub mod restart_method;

use core::fmt;

use crate::digit_map::DigitMapText;
use crate::endpoint_name::{EndpointName, NotifiedEntity};
use crate::return_code::ReturnCode;
use crate::text;

pub use bearer_information::{BearerEncoding, BearerInformation};
pub use connection_mode::{ConnectionMode, ConnectionModes};
pub use connection_parameters::{ConnectionParameter, ConnectionParameters, Statistic};
pub use event_list::{DetectEvents, EventList, EventStates, ObservedEvents, SignalRequests};
pub use local_connection_options::{
    Capabilities, GainControl, LocalConnectionOptions, LocalOption, Range, Switch, ValueList,
};
pub use package_list::PackageList;
pub use quarantine_handling::{LoopControl, ProcessControl, QuarantineHandling};
pub use reason_code::ReasonCode;
pub use requested_events::{
    Actions, EmbeddedRequest, RequestedAction, RequestedEvent, RequestedEvents,
};
pub use requested_info::RequestedInfo;
pub use response_ack::ResponseAck;
pub use restart_method::RestartMethod;

/// The name of a parameter line, or of an item of RequestedInfo (`F:`),
/// which may also name the two connection descriptors (`RC`, `LC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamName<'a> {
    /// `K`: ResponseAck.
    ResponseAck,
    /// `B`: BearerInformation.
    BearerInformation,
    /// `C`: CallId.
    CallId,
    /// `A`: Capabilities.
    Capabilities,
    /// `I`: ConnectionId.
    ConnectionId,
    /// `I2`: SecondConnectionId.
    SecondConnectionId,
    /// `M`: ConnectionMode.
    ConnectionMode,
    /// `P`: ConnectionParameters.
    ConnectionParameters,
    /// `T`: DetectEvents.
    DetectEvents,
    /// `D`: DigitMap.
    DigitMap,
    /// `ES`: EventStates.
    EventStates,
    /// `L`: LocalConnectionOptions.
    LocalConnectionOptions,
    /// `MD`: MaxMGCPDatagram.
    MaxMgcpDatagram,
    /// `N`: NotifiedEntity.
    NotifiedEntity,
    /// `O`: ObservedEvents.
    ObservedEvents,
    /// `PL`: PackageList.
    PackageList,
    /// `Q`: QuarantineHandling.
    QuarantineHandling,
    /// `E`: ReasonCode.
    ReasonCode,
    /// `R`: RequestedEvents.
    RequestedEvents,
    /// `F`: RequestedInfo.
    RequestedInfo,
    /// `X`: RequestIdentifier.
    RequestIdentifier,
    /// `RD`: RestartDelay.
    RestartDelay,
    /// `RM`: RestartMethod.
    RestartMethod,
    /// `Z2`: SecondEndpointId.
    SecondEndpointId,
    /// `S`: SignalRequests.
    SignalRequests,
    /// `Z`: SpecificEndpointId.
    SpecificEndpointId,
    /// `RC`: RemoteConnectionDescriptor (only in RequestedInfo).
    RemoteConnectionDescriptor,
    /// `LC`: LocalConnectionDescriptor (only in RequestedInfo).
    LocalConnectionDescriptor,
    /// Any other name: `X-...`/`X+...` vendor extensions, `pkg/name`
    /// package extensions, or unknown names, as written.
    Other(&'a str),
}

/// Every named parameter, with its wire code, in RFC 3435 table order.
const CODES: [(&str, ParamName<'static>); 28] = [
    ("B", ParamName::BearerInformation),
    ("C", ParamName::CallId),
    ("A", ParamName::Capabilities),
    ("I", ParamName::ConnectionId),
    ("M", ParamName::ConnectionMode),
    ("P", ParamName::ConnectionParameters),
    ("T", ParamName::DetectEvents),
    ("D", ParamName::DigitMap),
    ("ES", ParamName::EventStates),
    ("L", ParamName::LocalConnectionOptions),
    ("MD", ParamName::MaxMgcpDatagram),
    ("N", ParamName::NotifiedEntity),
    ("O", ParamName::ObservedEvents),
    ("PL", ParamName::PackageList),
    ("Q", ParamName::QuarantineHandling),
    ("E", ParamName::ReasonCode),
    ("R", ParamName::RequestedEvents),
    ("F", ParamName::RequestedInfo),
    ("X", ParamName::RequestIdentifier),
    ("K", ParamName::ResponseAck),
    ("RD", ParamName::RestartDelay),
    ("RM", ParamName::RestartMethod),
    ("I2", ParamName::SecondConnectionId),
    ("Z2", ParamName::SecondEndpointId),
    ("S", ParamName::SignalRequests),
    ("Z", ParamName::SpecificEndpointId),
    ("RC", ParamName::RemoteConnectionDescriptor),
    ("LC", ParamName::LocalConnectionDescriptor),
];

impl<'a> ParamName<'a> {
    /// Recognises a code case-insensitively; anything else is `Other`.
    #[inline]
    pub fn from_code(code: &'a str) -> ParamName<'a> {
        let b = code.as_bytes();
        let up = |i: usize| b[i].to_ascii_uppercase();
        match b.len() {
            1 => match up(0) {
                b'B' => ParamName::BearerInformation,
                b'C' => ParamName::CallId,
                b'A' => ParamName::Capabilities,
                b'I' => ParamName::ConnectionId,
                b'M' => ParamName::ConnectionMode,
                b'P' => ParamName::ConnectionParameters,
                b'T' => ParamName::DetectEvents,
                b'D' => ParamName::DigitMap,
                b'L' => ParamName::LocalConnectionOptions,
                b'N' => ParamName::NotifiedEntity,
                b'O' => ParamName::ObservedEvents,
                b'Q' => ParamName::QuarantineHandling,
                b'E' => ParamName::ReasonCode,
                b'R' => ParamName::RequestedEvents,
                b'F' => ParamName::RequestedInfo,
                b'X' => ParamName::RequestIdentifier,
                b'K' => ParamName::ResponseAck,
                b'S' => ParamName::SignalRequests,
                b'Z' => ParamName::SpecificEndpointId,
                _ => ParamName::Other(code),
            },
            2 => match [up(0), up(1)] {
                [b'E', b'S'] => ParamName::EventStates,
                [b'M', b'D'] => ParamName::MaxMgcpDatagram,
                [b'P', b'L'] => ParamName::PackageList,
                [b'R', b'D'] => ParamName::RestartDelay,
                [b'R', b'M'] => ParamName::RestartMethod,
                [b'I', b'2'] => ParamName::SecondConnectionId,
                [b'Z', b'2'] => ParamName::SecondEndpointId,
                [b'R', b'C'] => ParamName::RemoteConnectionDescriptor,
                [b'L', b'C'] => ParamName::LocalConnectionDescriptor,
                _ => ParamName::Other(code),
            },
            _ => ParamName::Other(code),
        }
    }

    /// The wire code (upper-case), or the extension name as written.
    pub fn code(&self) -> &'a str {
        match self {
            ParamName::Other(name) => name,
            known => CODES
                .iter()
                .find(|(_, n)| n == known)
                .map_or("?", |(c, _)| c),
        }
    }

    /// The long name RFC 3435 uses, e.g. `LocalConnectionOptions`.
    pub fn long_name(&self) -> &'a str {
        match self {
            ParamName::ResponseAck => "ResponseAck",
            ParamName::BearerInformation => "BearerInformation",
            ParamName::CallId => "CallId",
            ParamName::Capabilities => "Capabilities",
            ParamName::ConnectionId => "ConnectionId",
            ParamName::SecondConnectionId => "SecondConnectionId",
            ParamName::ConnectionMode => "ConnectionMode",
            ParamName::ConnectionParameters => "ConnectionParameters",
            ParamName::DetectEvents => "DetectEvents",
            ParamName::DigitMap => "DigitMap",
            ParamName::EventStates => "EventStates",
            ParamName::LocalConnectionOptions => "LocalConnectionOptions",
            ParamName::MaxMgcpDatagram => "MaxMGCPDatagram",
            ParamName::NotifiedEntity => "NotifiedEntity",
            ParamName::ObservedEvents => "ObservedEvents",
            ParamName::PackageList => "PackageList",
            ParamName::QuarantineHandling => "QuarantineHandling",
            ParamName::ReasonCode => "ReasonCode",
            ParamName::RequestedEvents => "RequestedEvents",
            ParamName::RequestedInfo => "RequestedInfo",
            ParamName::RequestIdentifier => "RequestIdentifier",
            ParamName::RestartDelay => "RestartDelay",
            ParamName::RestartMethod => "RestartMethod",
            ParamName::SecondEndpointId => "SecondEndpointId",
            ParamName::SignalRequests => "SignalRequests",
            ParamName::SpecificEndpointId => "SpecificEndpointId",
            ParamName::RemoteConnectionDescriptor => "RemoteConnectionDescriptor",
            ParamName::LocalConnectionDescriptor => "LocalConnectionDescriptor",
            ParamName::Other(name) => name,
        }
    }

    /// True for vendor extensions `X-...` and `X+...` and package
    /// extensions `pkg/name`.
    pub fn is_extension(&self) -> bool {
        match self {
            ParamName::Other(n) => is_extension_name(n),
            _ => false,
        }
    }

    /// True for `X+...`: an extension the receiver must understand or
    /// reject with 511 (RFC 3435 §3.2.2).
    pub fn is_critical_extension(&self) -> bool {
        matches!(self, ParamName::Other(n) if n.starts_with("X+") || n.starts_with("x+"))
    }
}

impl fmt::Display for ParamName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// `X-name`, `X+name` or `package/name`.
fn is_extension_name(n: &str) -> bool {
    let b = n.as_bytes();
    if b.len() > 2 && (b[0] == b'X' || b[0] == b'x') && (b[1] == b'-' || b[1] == b'+') {
        return crate::event::is_token(&n[2..]);
    }
    n.split_once('/')
        .is_some_and(|(p, r)| crate::event::is_token(p) && crate::event::is_token(r))
}

/// A parameter name token: letters, digits, `-`, `+`, `/`, `_`.
pub(crate) fn is_param_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 64
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'/' | b'_'))
}

/// A typed parameter line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param<'a> {
    /// `K:`.
    ResponseAck(ResponseAck<'a>),
    /// `B:`.
    BearerInformation(BearerInformation<'a>),
    /// `C:`.
    CallId(&'a str),
    /// `A:`.
    Capabilities(Capabilities<'a>),
    /// `I:` holding one connection id.
    ConnectionId(&'a str),
    /// `I:` holding several ids (AuditEndpoint responses), comma-separated.
    ConnectionIds(IdList<'a>),
    /// `I2:`.
    SecondConnectionId(&'a str),
    /// `M:` holding one mode.
    ConnectionMode(ConnectionMode<'a>),
    /// `M:` holding a list of modes (Cisco audit responses).
    ConnectionModes(ConnectionModes<'a>),
    /// `P:`.
    ConnectionParameters(ConnectionParameters<'a>),
    /// `T:`.
    DetectEvents(DetectEvents<'a>),
    /// `D:`; `None` for an empty value (an audit reporting that the
    /// endpoint has no digit map).
    DigitMap(Option<DigitMapText<'a>>),
    /// `ES:`.
    EventStates(EventStates<'a>),
    /// `L:`.
    LocalConnectionOptions(LocalConnectionOptions<'a>),
    /// `MD:`.
    MaxMgcpDatagram(u32),
    /// `N:`.
    NotifiedEntity(NotifiedEntity<'a>),
    /// `O:`.
    ObservedEvents(ObservedEvents<'a>),
    /// `PL:`.
    PackageList(PackageList<'a>),
    /// `Q:`.
    QuarantineHandling(QuarantineHandling),
    /// `E:`.
    ReasonCode(ReasonCode<'a>),
    /// `R:`.
    RequestedEvents(RequestedEvents<'a>),
    /// `F:`.
    RequestedInfo(RequestedInfo<'a>),
    /// `X:`.
    RequestIdentifier(&'a str),
    /// `RD:` (seconds).
    RestartDelay(u32),
    /// `RM:`.
    RestartMethod(RestartMethod<'a>),
    /// `Z2:`.
    SecondEndpointId(EndpointName<'a>),
    /// `S:`.
    SignalRequests(SignalRequests<'a>),
    /// `Z:`.
    SpecificEndpointId(EndpointName<'a>),
    /// Extension or unknown lines, kept verbatim.
    Other {
        /// The name as written.
        name: &'a str,
        /// The value, trimmed.
        value: &'a str,
    },
}

/// A comma-separated list of connection ids.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct IdList<'a> {
    raw: &'a str,
}

impl<'a> IdList<'a> {
    /// Validates a list of 1 to 32 hex digit ids.
    pub fn parse(raw: &'a str) -> Option<IdList<'a>> {
        check_id_list(raw, &crate::ParseOptions::default()).map(|raw| IdList { raw })
    }

    /// The ids in order (none for an empty value: an audited endpoint
    /// without connections).
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let raw = self.raw;
        raw.split(',')
            .filter(move |_| !raw.is_empty())
            .map(text::trim_wsp)
    }
}

impl PartialEq for IdList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for IdList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, id) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(id)?;
        }
        Ok(())
    }
}

impl<'a> Param<'a> {
    /// The parameter's name.
    pub fn name(&self) -> ParamName<'a> {
        match self {
            Param::ResponseAck(_) => ParamName::ResponseAck,
            Param::BearerInformation(_) => ParamName::BearerInformation,
            Param::CallId(_) => ParamName::CallId,
            Param::Capabilities(_) => ParamName::Capabilities,
            Param::ConnectionId(_) | Param::ConnectionIds(_) => ParamName::ConnectionId,
            Param::SecondConnectionId(_) => ParamName::SecondConnectionId,
            Param::ConnectionMode(_) | Param::ConnectionModes(_) => ParamName::ConnectionMode,
            Param::ConnectionParameters(_) => ParamName::ConnectionParameters,
            Param::DetectEvents(_) => ParamName::DetectEvents,
            Param::DigitMap(_) => ParamName::DigitMap,
            Param::EventStates(_) => ParamName::EventStates,
            Param::LocalConnectionOptions(_) => ParamName::LocalConnectionOptions,
            Param::MaxMgcpDatagram(_) => ParamName::MaxMgcpDatagram,
            Param::NotifiedEntity(_) => ParamName::NotifiedEntity,
            Param::ObservedEvents(_) => ParamName::ObservedEvents,
            Param::PackageList(_) => ParamName::PackageList,
            Param::QuarantineHandling(_) => ParamName::QuarantineHandling,
            Param::ReasonCode(_) => ParamName::ReasonCode,
            Param::RequestedEvents(_) => ParamName::RequestedEvents,
            Param::RequestedInfo(_) => ParamName::RequestedInfo,
            Param::RequestIdentifier(_) => ParamName::RequestIdentifier,
            Param::RestartDelay(_) => ParamName::RestartDelay,
            Param::RestartMethod(_) => ParamName::RestartMethod,
            Param::SecondEndpointId(_) => ParamName::SecondEndpointId,
            Param::SignalRequests(_) => ParamName::SignalRequests,
            Param::SpecificEndpointId(_) => ParamName::SpecificEndpointId,
            Param::Other { name, .. } => ParamName::Other(name),
        }
    }

    /// Parses the value of a parameter line whose name is already known.
    ///
    /// `value` is the text after the colon, with WSP trimmed. On error the
    /// result says which rule broke, the return code a receiver should
    /// answer, and the offset of the problem inside `value`.
    pub fn parse(
        name: ParamName<'a>,
        value: &'a str,
        opts: &crate::ParseOptions,
    ) -> Result<Param<'a>, ValueError> {
        use ParamName as N;
        let err = |code: ReturnCode, reason: &'static str| ValueError {
            offset: 0,
            code,
            reason,
        };
        let bad = |reason| err(ReturnCode::BAD_PARAMETER, reason);
        let param = match name {
            N::ResponseAck => {
                Param::ResponseAck(ResponseAck::parse(value).map_err(|e| ValueError {
                    offset: e.offset,
                    code: ReturnCode::PROTOCOL_ERROR,
                    reason: "ResponseAck needs transaction ids or ranges first-last",
                })?)
            }
            N::BearerInformation => Param::BearerInformation(
                BearerInformation::parse(value)
                    .ok_or(bad("BearerInformation must be e:A or e:mu"))?,
            ),
            N::CallId => Param::CallId(
                check_id(value, opts).ok_or(bad("CallId must be 1 to 32 hexadecimal digits"))?,
            ),
            N::Capabilities => Param::Capabilities(parse_options(value)?),
            N::ConnectionId if value.is_empty() => Param::ConnectionIds(IdList { raw: "" }),
            N::ConnectionId if value.contains(',') => Param::ConnectionIds(IdList {
                raw: check_id_list(value, opts).ok_or(err(
                    ReturnCode::INCORRECT_CONNECTION_ID,
                    "bad ConnectionId list",
                ))?,
            }),
            N::ConnectionId => Param::ConnectionId(check_id(value, opts).ok_or(err(
                ReturnCode::INCORRECT_CONNECTION_ID,
                "ConnectionId must be 1 to 32 hexadecimal digits",
            ))?),
            N::SecondConnectionId => {
                Param::SecondConnectionId(check_id(value, opts).ok_or(err(
                    ReturnCode::INCORRECT_CONNECTION_ID,
                    "SecondConnectionId must be 1 to 32 hexadecimal digits",
                ))?)
            }
            N::ConnectionMode => parse_mode(value, opts)?,
            N::ConnectionParameters => Param::ConnectionParameters(
                ConnectionParameters::parse(value).map_err(|offset| ValueError {
                    offset,
                    code: ReturnCode::BAD_PARAMETER,
                    reason: "ConnectionParameters items must be NAME=value",
                })?,
            ),
            N::DetectEvents => Param::DetectEvents(event_list(value)?),
            N::DigitMap if value.is_empty() => Param::DigitMap(None),
            N::DigitMap => Param::DigitMap(Some(
                DigitMapText::parse(value, &opts.digit_map).map_err(|e| ValueError {
                    offset: e.offset,
                    code: ReturnCode::BAD_DIGIT_MAP,
                    reason: e.reason.as_str(),
                })?,
            )),
            N::EventStates => Param::EventStates(event_list(value)?),
            N::LocalConnectionOptions => Param::LocalConnectionOptions(parse_options(value)?),
            N::MaxMgcpDatagram => Param::MaxMgcpDatagram(
                text::parse_decimal(value.as_bytes(), 9)
                    .ok_or(bad("MaxMGCPDatagram must be a number"))?,
            ),
            N::NotifiedEntity => Param::NotifiedEntity(
                NotifiedEntity::parse(value)
                    .map_err(|_| bad("NotifiedEntity must be [name@]domain[:port]"))?,
            ),
            N::ObservedEvents => Param::ObservedEvents(event_list(value)?),
            N::PackageList => Param::PackageList(
                PackageList::parse(value).ok_or(bad("PackageList items must be name:version"))?,
            ),
            N::QuarantineHandling => {
                Param::QuarantineHandling(QuarantineHandling::parse(value).ok_or(err(
                    ReturnCode::BAD_QUARANTINE_HANDLING,
                    "QuarantineHandling must be process|discard and/or step|loop",
                ))?)
            }
            N::ReasonCode => Param::ReasonCode(
                ReasonCode::parse(value).ok_or(bad("ReasonCode must start with 3 digits"))?,
            ),
            N::RequestedEvents => {
                Param::RequestedEvents(RequestedEvents::parse(value).map_err(event_error)?)
            }
            N::RequestedInfo => {
                Param::RequestedInfo(RequestedInfo::parse(value).map_err(|offset| ValueError {
                    offset,
                    code: ReturnCode::BAD_PARAMETER,
                    reason: "RequestedInfo items must be parameter codes",
                })?)
            }
            N::RequestIdentifier => Param::RequestIdentifier(
                check_id(value, opts)
                    .ok_or(bad("RequestIdentifier must be 1 to 32 hexadecimal digits"))?,
            ),
            N::RestartDelay => Param::RestartDelay(
                text::parse_decimal(value.as_bytes(), 6)
                    .ok_or(bad("RestartDelay must be 1 to 6 digits (seconds)"))?,
            ),
            N::RestartMethod => Param::RestartMethod(RestartMethod::parse(value).ok_or(err(
                ReturnCode::BAD_RESTART_METHOD,
                "RestartMethod must be a method name",
            ))?),
            N::SecondEndpointId => Param::SecondEndpointId(
                EndpointName::parse(value)
                    .map_err(|_| bad("SecondEndpointId must be an endpoint name"))?,
            ),
            N::SignalRequests => Param::SignalRequests(event_list(value)?),
            N::SpecificEndpointId => Param::SpecificEndpointId(
                EndpointName::parse(value)
                    .map_err(|_| bad("SpecificEndpointId must be an endpoint name"))?,
            ),
            N::RemoteConnectionDescriptor | N::LocalConnectionDescriptor => {
                return Err(bad("RC and LC are not parameter lines"));
            }
            N::Other(name) => Param::Other { name, value },
        };
        Ok(param)
    }

    /// Writes the value in canonical form.
    pub fn write_value(&self, f: &mut impl fmt::Write) -> fmt::Result {
        match self {
            Param::ResponseAck(v) => write!(f, "{v}"),
            Param::BearerInformation(v) => write!(f, "{v}"),
            Param::CallId(v)
            | Param::ConnectionId(v)
            | Param::SecondConnectionId(v)
            | Param::RequestIdentifier(v) => f.write_str(v),
            Param::Capabilities(v) | Param::LocalConnectionOptions(v) => write!(f, "{v}"),
            Param::ConnectionIds(v) => write!(f, "{v}"),
            Param::ConnectionMode(v) => write!(f, "{v}"),
            Param::ConnectionModes(v) => write!(f, "{v}"),
            Param::ConnectionParameters(v) => write!(f, "{v}"),
            Param::DetectEvents(v)
            | Param::EventStates(v)
            | Param::ObservedEvents(v)
            | Param::SignalRequests(v) => write!(f, "{v}"),
            Param::DigitMap(Some(v)) => write!(f, "{v}"),
            Param::DigitMap(None) => Ok(()),
            Param::MaxMgcpDatagram(v) | Param::RestartDelay(v) => write!(f, "{v}"),
            Param::NotifiedEntity(v) => write!(f, "{v}"),
            Param::PackageList(v) => write!(f, "{v}"),
            Param::QuarantineHandling(v) => write!(f, "{v}"),
            Param::ReasonCode(v) => write!(f, "{v}"),
            Param::RequestedEvents(v) => write!(f, "{v}"),
            Param::RequestedInfo(v) => write!(f, "{v}"),
            Param::RestartMethod(v) => write!(f, "{v}"),
            Param::SecondEndpointId(v) | Param::SpecificEndpointId(v) => write!(f, "{v}"),
            Param::Other { value, .. } => f.write_str(value),
        }
    }
}

impl fmt::Display for Param<'_> {
    /// The whole line without its line ending: `C: A3C47F21456789F0`, or
    /// `S:` with nothing after the colon for an empty value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut value = String::new();
        self.write_value(&mut value)?;
        if value.is_empty() {
            write!(f, "{}:", self.name())
        } else {
            write!(f, "{}: {value}", self.name())
        }
    }
}

/// A bad parameter value: where, which rule, and the code to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueError {
    /// Byte offset of the problem inside the value.
    pub offset: usize,
    /// The return code a receiver should answer.
    pub code: ReturnCode,
    /// The rule that was broken.
    pub reason: &'static str,
}

fn event_error(e: crate::event::EventError) -> ValueError {
    use crate::event::EventErrorKind as K;
    let code = match e.kind {
        K::BadAction => ReturnCode::BAD_ACTION,
        K::BadParameter | K::TrailingText => ReturnCode::EVENT_PARAMETER_ERROR,
        K::BadDigitMap => ReturnCode::BAD_DIGIT_MAP,
        _ => ReturnCode::PROTOCOL_ERROR,
    };
    ValueError {
        offset: e.offset,
        code,
        reason: event_reason(e.kind),
    }
}

fn event_reason(kind: crate::event::EventErrorKind) -> &'static str {
    use crate::event::EventErrorKind as K;
    match kind {
        K::Empty => "empty event name in list",
        K::BadPackage => "bad package name",
        K::BadEvent => "bad event name",
        K::BadConnection => "bad connection after '@'",
        K::BadRange => "bad event range [...]",
        K::Unbalanced => "unbalanced parentheses or quotes",
        K::TrailingText => "text after ')'",
        K::BadParameter => "bad event or signal parameter",
        K::BadAction => "unknown action",
        K::BadEmbedded => "bad embedded request E(...)",
        K::BadDigitMap => "bad digit map in embedded request",
    }
}

fn event_list(value: &str) -> Result<EventList<'_>, ValueError> {
    EventList::parse(value).map_err(event_error)
}

fn parse_options(value: &str) -> Result<LocalConnectionOptions<'_>, ValueError> {
    LocalConnectionOptions::parse(value).map_err(|e| ValueError {
        offset: e.offset,
        code: ReturnCode::BAD_LOCAL_OPTIONS,
        reason: e.reason,
    })
}

fn parse_mode<'a>(value: &'a str, opts: &crate::ParseOptions) -> Result<Param<'a>, ValueError> {
    let bad = ValueError {
        offset: 0,
        code: ReturnCode::INVALID_MODE,
        reason: "ConnectionMode must be a mode such as sendrecv",
    };
    if value.contains([',', ';']) {
        if !opts.mode_lists {
            return Err(bad);
        }
        return ConnectionModes::parse(value)
            .map(Param::ConnectionModes)
            .ok_or(bad);
    }
    ConnectionMode::parse(value)
        .map(Param::ConnectionMode)
        .ok_or(bad)
}

/// CallId, ConnectionId and RequestIdentifier: 1 to 32 hex digits, or
/// with [`crate::ParseOptions::loose_identifiers`] any 1 to 32 visible
/// characters except `,`.
fn check_id<'a>(value: &'a str, opts: &crate::ParseOptions) -> Option<&'a str> {
    if text::is_hex_id(value, 32) {
        return Some(value);
    }
    let loose = opts.loose_identifiers
        && !value.is_empty()
        && value.len() <= 32
        && value.bytes().all(|b| b.is_ascii_graphic() && b != b',');
    loose.then_some(value)
}

fn check_id_list<'a>(value: &'a str, opts: &crate::ParseOptions) -> Option<&'a str> {
    value
        .split(',')
        .all(|id| check_id(text::trim_wsp(id), opts).is_some())
        .then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for (code, name) in CODES {
            assert_eq!(ParamName::from_code(code), name);
            assert_eq!(ParamName::from_code(&code.to_lowercase()), name);
            assert_eq!(name.code(), code);
        }
        assert_eq!(
            ParamName::from_code("X-Osmo-CP"),
            ParamName::Other("X-Osmo-CP")
        );
        assert!(ParamName::from_code("X-Osmo-CP").is_extension());
        assert!(ParamName::from_code("X+crit").is_critical_extension());
        assert!(ParamName::from_code("pkg/foo").is_extension());
        assert!(!ParamName::from_code("QQ").is_extension());
    }

    #[test]
    fn values_and_codes() {
        let o = crate::ParseOptions::default();
        let p = Param::parse(ParamName::CallId, "A3C47F21456789F0", &o).unwrap();
        assert_eq!(p, Param::CallId("A3C47F21456789F0"));
        assert_eq!(p.to_string(), "C: A3C47F21456789F0");
        let e = Param::parse(ParamName::ConnectionMode, "bogus", &o).unwrap_err();
        assert_eq!(e.code, ReturnCode::INVALID_MODE);
        let e = Param::parse(ParamName::LocalConnectionOptions, "p:x", &o).unwrap_err();
        assert_eq!(e.code, ReturnCode::BAD_LOCAL_OPTIONS);
        let e = Param::parse(ParamName::RequestedEvents, "L/hu(Z)", &o).unwrap_err();
        assert_eq!(e.code, ReturnCode::BAD_ACTION);
        let e = Param::parse(ParamName::QuarantineHandling, "x", &o).unwrap_err();
        assert_eq!(e.code, ReturnCode::BAD_QUARANTINE_HANDLING);
        let e = Param::parse(ParamName::DigitMap, "(1|", &o).unwrap_err();
        assert_eq!(e.code, ReturnCode::BAD_DIGIT_MAP);
        let e = Param::parse(ParamName::CallId, "not-hex", &o).unwrap_err();
        assert_eq!(e.code, ReturnCode::BAD_PARAMETER);
        let p = Param::parse(ParamName::SignalRequests, "", &o).unwrap();
        assert_eq!(p.to_string(), "S:");
    }

    #[test]
    fn lists_in_audit_responses() {
        let o = crate::ParseOptions::lenient();
        let p = Param::parse(ParamName::ConnectionId, "1A, 2B,3C", &o).unwrap();
        let Param::ConnectionIds(ids) = p else {
            panic!("{p:?}")
        };
        assert_eq!(ids.iter().collect::<Vec<_>>(), vec!["1A", "2B", "3C"]);
        let p = Param::parse(ParamName::ConnectionMode, "sendonly, recvonly", &o).unwrap();
        assert!(matches!(p, Param::ConnectionModes(_)));
        let strict = crate::ParseOptions::default();
        assert!(Param::parse(ParamName::ConnectionMode, "sendonly, recvonly", &strict).is_err());
    }
}
