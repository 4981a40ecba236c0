//! Messages: commands and responses (RFC 3435 §3.2, §3.3), their header
//! lines, parameters and session descriptions.

use core::fmt;

use crate::inline_vec::{Items, Iter};

use crate::digit_map::DigitMapText;
use crate::endpoint_name::{EndpointName, NotifiedEntity};
use crate::params::*;
use crate::return_code::ReturnCode;
use crate::sdp::SessionDescription;
use crate::transaction_id::TransactionId;
use crate::verb::Verb;

/// How many parameters a message holds before they spill to the heap.
pub const INLINE_PARAMS: usize = 10;

/// A parsed or built message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// A command.
    Command(Command<'a>),
    /// A response (including provisional responses and the `000`
    /// response acknowledgement).
    Response(Response<'a>),
}

impl<'a> Message<'a> {
    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        match self {
            Message::Command(c) => c.transaction_id,
            Message::Response(r) => r.transaction_id,
        }
    }

    /// The parameters.
    pub fn params(&self) -> &Params<'a> {
        match self {
            Message::Command(c) => &c.params,
            Message::Response(r) => &r.params,
        }
    }

    /// The session descriptions.
    pub fn sdp(&self) -> &Descriptions<'a> {
        match self {
            Message::Command(c) => &c.sdp,
            Message::Response(r) => &r.sdp,
        }
    }

    /// The command, if this is one.
    pub fn as_command(&self) -> Option<&Command<'a>> {
        match self {
            Message::Command(c) => Some(c),
            Message::Response(_) => None,
        }
    }

    /// The response, if this is one.
    pub fn as_response(&self) -> Option<&Response<'a>> {
        match self {
            Message::Command(_) => None,
            Message::Response(r) => Some(r),
        }
    }
}

/// The protocol name and version of a command line: `MGCP 1.0`,
/// `MGCP 0.1` (Cisco IOS), `MGCP 1.0 NCS 1.0` (PacketCable profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProtocolVersion<'a> {
    /// Major version.
    pub major: u16,
    /// Minor version.
    pub minor: u16,
    /// The profile after the version, e.g. `NCS 1.0`.
    pub profile: Option<&'a str>,
}

impl ProtocolVersion<'_> {
    /// `MGCP 1.0`.
    pub const MGCP_1_0: ProtocolVersion<'static> = ProtocolVersion {
        major: 1,
        minor: 0,
        profile: None,
    };

    /// True for the versions this library speaks: 1.0 (RFC 3435/2705)
    /// and 0.1 (the Cisco IOS dialect, also RFC 2705 syntax).
    pub fn is_supported(&self) -> bool {
        matches!((self.major, self.minor), (1, 0) | (0, 1))
    }
}

impl Default for ProtocolVersion<'_> {
    fn default() -> Self {
        ProtocolVersion::MGCP_1_0
    }
}

impl fmt::Display for ProtocolVersion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MGCP {}.{}", self.major, self.minor)?;
        if let Some(p) = self.profile {
            write!(f, " {p}")?;
        }
        Ok(())
    }
}

/// A command: `VERB tid endpoint MGCP 1.0`, parameter lines, and optional
/// session descriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command<'a> {
    /// The verb.
    pub verb: Verb,
    /// The transaction id.
    pub transaction_id: TransactionId,
    /// The endpoint the command is addressed to (or, for NTFY and RSIP,
    /// comes from).
    pub endpoint: EndpointName<'a>,
    /// The protocol version.
    pub version: ProtocolVersion<'a>,
    /// Parameter lines in order.
    pub params: Params<'a>,
    /// Session descriptions after the empty line.
    pub sdp: Descriptions<'a>,
}

impl<'a> Command<'a> {
    /// A command with no parameters, speaking MGCP 1.0.
    pub fn new(verb: Verb, transaction_id: TransactionId, endpoint: EndpointName<'a>) -> Self {
        Command {
            verb,
            transaction_id,
            endpoint,
            version: ProtocolVersion::MGCP_1_0,
            params: Params::new(),
            sdp: Descriptions::new(),
        }
    }

    /// Adds a parameter line (builder style).
    pub fn with(mut self, param: Param<'a>) -> Self {
        self.params.push(param);
        self
    }

    /// Adds a session description (builder style).
    pub fn with_sdp(mut self, sdp: SessionDescription<'a>) -> Self {
        self.sdp.push(sdp);
        self
    }
}

/// A response: `code tid [/package] [commentary]`, parameter lines, and
/// optional session descriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<'a> {
    /// The return code.
    pub code: ReturnCode,
    /// The transaction id of the command answered.
    pub transaction_id: TransactionId,
    /// The package of an 8xx code.
    pub package: Option<&'a str>,
    /// The commentary after the code, e.g. `OK`.
    pub commentary: Option<&'a str>,
    /// Parameter lines in order.
    pub params: Params<'a>,
    /// Session descriptions after the empty line (AuditConnection
    /// responses carry the local one, then the remote one).
    pub sdp: Descriptions<'a>,
}

impl<'a> Response<'a> {
    /// A response with the conventional commentary (`OK` or `FAIL`).
    pub fn new(code: ReturnCode, transaction_id: TransactionId) -> Self {
        Response {
            code,
            transaction_id,
            package: None,
            commentary: Some(code.short_text()),
            params: Params::new(),
            sdp: Descriptions::new(),
        }
    }

    /// Adds a parameter line (builder style).
    pub fn with(mut self, param: Param<'a>) -> Self {
        self.params.push(param);
        self
    }

    /// Adds a session description (builder style).
    pub fn with_sdp(mut self, sdp: SessionDescription<'a>) -> Self {
        self.sdp.push(sdp);
        self
    }

    /// Replaces the commentary (builder style).
    pub fn with_commentary(mut self, commentary: Option<&'a str>) -> Self {
        self.commentary = commentary;
        self
    }
}

/// The parameter lines of a message, in order, with typed getters.
///
/// Getters return the first occurrence; use [`Params::all`] for
/// parameters that may repeat (Capabilities, SpecificEndpointId and
/// ConnectionId in audit responses).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Params<'a>(Items<Param<'a>, INLINE_PARAMS>);

/// The session descriptions of a message (AuditConnection responses carry
/// two: local, then remote).
pub type Descriptions<'a> = Items<SessionDescription<'a>, 2>;

macro_rules! getter {
    ($(#[$doc:meta])* $fn:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $fn(&self) -> Option<$ty> {
            self.0.iter().find_map(|p| match p {
                Param::$variant(v) => Some(*v),
                _ => None,
            })
        }
    };
}

impl<'a> Params<'a> {
    /// No parameters.
    pub fn new() -> Self {
        Params(Items::new())
    }

    /// Appends a parameter.
    pub fn push(&mut self, param: Param<'a>) {
        self.0.push(param);
    }

    /// The parameters in order.
    pub fn iter(&self) -> Iter<'_, Param<'a>> {
        self.0.iter()
    }

    /// How many lines.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there is no parameter line.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first parameter with this name.
    pub fn get(&self, name: ParamName<'_>) -> Option<&Param<'a>> {
        self.0.iter().find(|p| same_name(p.name(), name))
    }

    /// Every parameter with this name, in order.
    pub fn all<'s>(&'s self, name: ParamName<'s>) -> impl Iterator<Item = &'s Param<'a>> + 's {
        self.0.iter().filter(move |p| same_name(p.name(), name))
    }

    /// True when a parameter with this name is present.
    pub fn contains(&self, name: ParamName<'_>) -> bool {
        self.get(name).is_some()
    }

    /// Removes every parameter with this name.
    pub fn remove(&mut self, name: ParamName<'_>) {
        self.0.retain(|p| !same_name(p.name(), name));
    }

    getter!(/// `K:`.
        response_ack, ResponseAck, ResponseAck<'a>);
    getter!(/// `B:`.
        bearer_information, BearerInformation, BearerInformation<'a>);
    getter!(/// `C:`.
        call_id, CallId, &'a str);
    getter!(/// `I:` (a single id).
        connection_id, ConnectionId, &'a str);
    getter!(/// `I2:`.
        second_connection_id, SecondConnectionId, &'a str);
    getter!(/// `M:` (a single mode).
        connection_mode, ConnectionMode, ConnectionMode<'a>);
    getter!(/// `P:`.
        connection_parameters, ConnectionParameters, ConnectionParameters<'a>);
    getter!(/// `T:`.
        detect_events, DetectEvents, DetectEvents<'a>);
    /// `D:`, when present and not empty.
    pub fn digit_map(&self) -> Option<DigitMapText<'a>> {
        self.0.iter().find_map(|p| match p {
            Param::DigitMap(v) => *v,
            _ => None,
        })
    }
    getter!(/// `ES:`.
        event_states, EventStates, EventStates<'a>);
    getter!(/// `L:`.
        local_connection_options, LocalConnectionOptions, LocalConnectionOptions<'a>);
    getter!(/// `MD:`.
        max_mgcp_datagram, MaxMgcpDatagram, u32);
    getter!(/// `N:`.
        notified_entity, NotifiedEntity, NotifiedEntity<'a>);
    getter!(/// `O:`.
        observed_events, ObservedEvents, ObservedEvents<'a>);
    getter!(/// `PL:`.
        package_list, PackageList, PackageList<'a>);
    getter!(/// `Q:`.
        quarantine_handling, QuarantineHandling, QuarantineHandling);
    getter!(/// `E:`.
        reason_code, ReasonCode, ReasonCode<'a>);
    getter!(/// `R:`.
        requested_events, RequestedEvents, RequestedEvents<'a>);
    getter!(/// `F:`.
        requested_info, RequestedInfo, RequestedInfo<'a>);
    getter!(/// `X:`.
        request_id, RequestIdentifier, &'a str);
    getter!(/// `RD:` (seconds).
        restart_delay, RestartDelay, u32);
    getter!(/// `RM:`.
        restart_method, RestartMethod, RestartMethod<'a>);
    getter!(/// `Z2:`.
        second_endpoint_id, SecondEndpointId, EndpointName<'a>);
    getter!(/// `S:`.
        signal_requests, SignalRequests, SignalRequests<'a>);
    getter!(/// `Z:`.
        specific_endpoint_id, SpecificEndpointId, EndpointName<'a>);

    /// Every `A:` line (one per capability set).
    pub fn capabilities(&self) -> impl Iterator<Item = Capabilities<'a>> + '_ {
        self.0.iter().filter_map(|p| match p {
            Param::Capabilities(c) => Some(*c),
            _ => None,
        })
    }

    /// The value of an extension or unknown line (case-insensitive name).
    pub fn other(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find_map(|p| match p {
            Param::Other { name: n, value } if n.eq_ignore_ascii_case(name) => Some(*value),
            _ => None,
        })
    }
}

fn same_name(a: ParamName<'_>, b: ParamName<'_>) -> bool {
    match (a, b) {
        (ParamName::Other(x), ParamName::Other(y)) => x.eq_ignore_ascii_case(y),
        (x, y) => x == y,
    }
}

impl<'a> FromIterator<Param<'a>> for Params<'a> {
    fn from_iter<I: IntoIterator<Item = Param<'a>>>(iter: I) -> Self {
        Params(iter.into_iter().collect())
    }
}

impl<'a, 's> IntoIterator for &'s Params<'a> {
    type Item = &'s Param<'a>;
    type IntoIter = Iter<'s, Param<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_stay_small() {
        // A message is moved by value; keep it within a few cache lines.
        assert!(
            core::mem::size_of::<Param<'_>>() <= 64,
            "{}",
            core::mem::size_of::<Param<'_>>()
        );
        assert!(
            core::mem::size_of::<Message<'_>>() <= 1024,
            "{}",
            core::mem::size_of::<Message<'_>>()
        );
    }

    #[test]
    fn getters_find_first_and_all() {
        let ep = EndpointName::parse("aaln/1@gw").unwrap();
        let c = Command::new(Verb::Auep, TransactionId::new(1).unwrap(), ep)
            .with(Param::CallId("1"))
            .with(Param::Other {
                name: "X-Foo",
                value: "a",
            })
            .with(Param::CallId("2"));
        assert_eq!(c.params.call_id(), Some("1"));
        assert_eq!(c.params.all(ParamName::CallId).count(), 2);
        assert_eq!(c.params.other("x-foo"), Some("a"));
        assert!(c.params.contains(ParamName::Other("X-FOO")));
    }
}
