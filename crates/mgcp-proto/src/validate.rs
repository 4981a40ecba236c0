//! Which parameters a command must, may and must not carry (RFC 3435
//! §3.2.2, the table "association between parameters and commands"), and
//! the other structural rules a receiver checks before executing a command.
//!
//! Parsing checks each line's grammar; this module checks the message as a
//! whole. A gateway calls [`validate_command`] and answers the returned
//! code when it fails.

use core::fmt;

use crate::message::Command;
use crate::params::{Param, ParamName};
use crate::return_code::ReturnCode;
use crate::verb::Verb;

/// Whether a parameter is mandatory, optional or forbidden in a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Must be present.
    Mandatory,
    /// May be present.
    Optional,
    /// Must not be present.
    Forbidden,
}

use Presence::{Forbidden as F, Mandatory as M, Optional as O};

/// Column order of the table: EPCF CRCX MDCX DLCX RQNT NTFY AUEP AUCX RSIP.
const fn column(verb: Verb) -> Option<usize> {
    match verb {
        Verb::Epcf => Some(0),
        Verb::Crcx => Some(1),
        Verb::Mdcx => Some(2),
        Verb::Dlcx => Some(3),
        Verb::Rqnt => Some(4),
        Verb::Ntfy => Some(5),
        Verb::Auep => Some(6),
        Verb::Aucx => Some(7),
        Verb::Rsip => Some(8),
        Verb::Extension(_) => None,
    }
}

/// RFC 3435 §3.2.2's table for commands. Rows marked with an asterisk in
/// the RFC are conditional; the conditions are checked in
/// [`validate_command`].
const TABLE: [(ParamName<'static>, [Presence; 9]); 28] = [
    (ParamName::BearerInformation, [O, O, O, O, O, F, F, F, F]),
    (ParamName::CallId, [F, M, M, O, F, F, F, F, F]),
    (ParamName::Capabilities, [F, F, F, F, F, F, F, F, F]),
    (ParamName::ConnectionId, [F, F, M, O, F, F, F, M, F]),
    (ParamName::ConnectionMode, [F, M, O, F, F, F, F, F, F]),
    (ParamName::ConnectionParameters, [F, F, F, O, F, F, F, F, F]),
    (ParamName::DetectEvents, [F, O, O, O, O, F, F, F, F]),
    (ParamName::DigitMap, [F, O, O, O, O, F, F, F, F]),
    (ParamName::EventStates, [F, F, F, F, F, F, F, F, F]),
    (
        ParamName::LocalConnectionOptions,
        [F, O, O, F, F, F, F, F, F],
    ),
    (ParamName::MaxMgcpDatagram, [F, F, F, F, F, F, F, F, F]),
    (ParamName::NotifiedEntity, [F, O, O, O, O, O, F, F, F]),
    (ParamName::ObservedEvents, [F, F, F, F, F, M, F, F, F]),
    (ParamName::PackageList, [F, F, F, F, F, F, F, F, F]),
    (ParamName::QuarantineHandling, [F, O, O, O, O, F, F, F, F]),
    (ParamName::ReasonCode, [F, F, F, O, F, F, F, F, O]),
    (ParamName::RequestedEvents, [F, O, O, O, O, F, F, F, F]),
    (ParamName::RequestIdentifier, [F, O, O, O, M, M, F, F, F]),
    (ParamName::RequestedInfo, [F, F, F, F, F, F, O, M, F]),
    (ParamName::ResponseAck, [O, O, O, O, O, O, O, O, O]),
    (ParamName::RestartDelay, [F, F, F, F, F, F, F, F, O]),
    (ParamName::RestartMethod, [F, F, F, F, F, F, F, F, M]),
    (ParamName::SecondConnectionId, [F, F, F, F, F, F, F, F, F]),
    (ParamName::SecondEndpointId, [F, O, F, F, F, F, F, F, F]),
    (ParamName::SignalRequests, [F, O, O, O, O, F, F, F, F]),
    (ParamName::SpecificEndpointId, [F, F, F, F, F, F, F, F, F]),
    (
        ParamName::RemoteConnectionDescriptor,
        [F, O, O, F, F, F, F, F, F],
    ),
    (
        ParamName::LocalConnectionDescriptor,
        [F, F, F, F, F, F, F, F, F],
    ),
];

/// The presence rule for `name` in a command with `verb`. Extension verbs
/// and extension parameters are `Optional`.
pub fn presence(verb: Verb, name: ParamName<'_>) -> Presence {
    let Some(col) = column(verb) else {
        return Presence::Optional;
    };
    TABLE
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(Presence::Optional, |(_, row)| row[col])
}

/// A rule a command broke, with the code to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The return code to answer.
    pub code: ReturnCode,
    /// The parameter concerned, as written.
    pub param: Option<String>,
    /// The rule broken.
    pub reason: &'static str,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.param {
            Some(p) => write!(f, "{p}: {} (return code {})", self.reason, self.code),
            None => write!(f, "{} (return code {})", self.reason, self.code),
        }
    }
}

/// Settings for [`validate_command`].
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions<'a> {
    /// `X+` extensions this receiver understands; other `X+` lines are
    /// rejected with 511 (RFC 3435 §3.2.2). `X-` lines are always ignored
    /// when not understood.
    pub known_critical_extensions: &'a [&'a str],
}

/// Checks a command against RFC 3435 §3.2.2: mandatory parameters present,
/// forbidden ones absent, no parameter repeated, no unknown parameter,
/// RequestIdentifier present with an encapsulated notification request,
/// and SecondEndpointId not combined with a RemoteConnectionDescriptor.
pub fn validate_command(cmd: &Command<'_>, opts: &ValidateOptions<'_>) -> Result<(), Violation> {
    let violation = |code, param: Option<ParamName<'_>>, reason| Violation {
        code,
        param: param.map(|p| p.code().to_string()),
        reason,
    };
    for (i, p) in cmd.params.iter().enumerate() {
        let name = p.name();
        if cmd.verb.is_rfc() {
            check_extension(name, opts)
                .map_err(|(code, reason)| violation(code, Some(name), reason))?;
        }
        if presence(cmd.verb, name) == Presence::Forbidden {
            return Err(violation(
                ReturnCode::BAD_PARAMETER,
                Some(name),
                "parameter not allowed in this command",
            ));
        }
        let repeated = cmd.params.iter().skip(i + 1).any(|q| q.name() == name);
        if repeated && !matches!(p, Param::Other { .. }) {
            return Err(violation(
                ReturnCode::PROTOCOL_ERROR,
                Some(name),
                "parameter present more than once",
            ));
        }
    }
    let has_sdp = !cmd.sdp.is_empty();
    if presence(cmd.verb, ParamName::RemoteConnectionDescriptor) == Presence::Forbidden && has_sdp {
        return Err(violation(
            ReturnCode::BAD_PARAMETER,
            None,
            "session description not allowed in this command",
        ));
    }
    for (name, row) in TABLE.iter() {
        let Some(col) = column(cmd.verb) else { break };
        if row[col] == Presence::Mandatory && !cmd.params.contains(*name) {
            return Err(violation(
                ReturnCode::PROTOCOL_ERROR,
                Some(*name),
                "mandatory parameter missing",
            ));
        }
    }
    check_conditions(cmd).map_err(|(code, param, reason)| violation(code, param, reason))
}

fn check_extension(
    name: ParamName<'_>,
    opts: &ValidateOptions<'_>,
) -> Result<(), (ReturnCode, &'static str)> {
    let ParamName::Other(n) = name else {
        return Ok(());
    };
    if name.is_critical_extension() {
        let known = opts
            .known_critical_extensions
            .iter()
            .any(|k| k.eq_ignore_ascii_case(n));
        return if known {
            Ok(())
        } else {
            Err((
                ReturnCode::UNRECOGNIZED_EXTENSION,
                "critical extension not understood",
            ))
        };
    }
    if name.is_extension() {
        Ok(())
    } else {
        Err((ReturnCode::BAD_PARAMETER, "unknown parameter"))
    }
}

type Condition = (ReturnCode, Option<ParamName<'static>>, &'static str);

/// The conditional rows of the table (the RFC's asterisks).
fn check_conditions(cmd: &Command<'_>) -> Result<(), Condition> {
    let p = &cmd.params;
    let embeds_request = p.contains(ParamName::RequestedEvents)
        || p.contains(ParamName::SignalRequests)
        || p.contains(ParamName::DetectEvents)
        || p.contains(ParamName::DigitMap);
    if matches!(cmd.verb, Verb::Crcx | Verb::Mdcx | Verb::Dlcx)
        && embeds_request
        && !p.contains(ParamName::RequestIdentifier)
    {
        return Err((
            ReturnCode::PROTOCOL_ERROR,
            Some(ParamName::RequestIdentifier),
            "RequestIdentifier is required with an encapsulated notification request",
        ));
    }
    if cmd.verb == Verb::Crcx && p.contains(ParamName::SecondEndpointId) && !cmd.sdp.is_empty() {
        return Err((
            ReturnCode::BAD_PARAMETER,
            Some(ParamName::SecondEndpointId),
            "SecondEndpointId and RemoteConnectionDescriptor are mutually exclusive",
        ));
    }
    if let Some(requested) = p.requested_events()
        && requested.iter().any(|e| !actions_combine(&e.actions))
    {
        return Err((
            ReturnCode::BAD_ACTION,
            Some(ParamName::RequestedEvents),
            "Notify, Accumulate, digit map and Ignore exclude each other; no action twice",
        ));
    }
    if let Some(crate::params::RestartMethod::Extension(m)) = p.restart_method()
        && !is_extension_token(m)
    {
        return Err((
            ReturnCode::BAD_RESTART_METHOD,
            Some(ParamName::RestartMethod),
            "unknown RestartMethod (extensions are X-name or package/name)",
        ));
    }
    if !matches!(cmd.verb, Verb::Crcx | Verb::Mdcx) && mentions_current_connection(p) {
        return Err((
            ReturnCode::PROTOCOL_ERROR,
            None,
            "'@$' names the connection being created or modified: only in CRCX and MDCX",
        ));
    }
    let embedded_signals = p.requested_events().into_iter().flat_map(|r| {
        r.iter()
            .filter_map(|e| e.actions.embedded().and_then(|x| x.signal_requests))
    });
    let all_signals = p.signal_requests().into_iter().chain(embedded_signals);
    for signals in all_signals {
        if !signal_timeouts_are_numbers(&signals) {
            return Err((
                ReturnCode::EVENT_PARAMETER_ERROR,
                Some(ParamName::SignalRequests),
                "signal parameter to= must be a number of milliseconds",
            ));
        }
    }
    if p.get(ParamName::ConnectionId)
        .is_some_and(|c| matches!(c, Param::ConnectionIds(_)))
    {
        return Err((
            ReturnCode::INCORRECT_CONNECTION_ID,
            Some(ParamName::ConnectionId),
            "a command names one connection",
        ));
    }
    if p.get(ParamName::ConnectionMode)
        .is_some_and(|c| matches!(c, Param::ConnectionModes(_)))
    {
        return Err((
            ReturnCode::INVALID_MODE,
            Some(ParamName::ConnectionMode),
            "a command sets one mode",
        ));
    }
    Ok(())
}

/// RFC 3435 §2.3.3: one of Notify, Accumulate, Accumulate according to
/// the digit map and Ignore at most; Swap, Keep signals and an embedded
/// request combine with them; no action may appear twice.
fn actions_combine(actions: &crate::params::Actions<'_>) -> bool {
    use crate::params::RequestedAction as A;
    let mut exclusive = 0;
    let mut seen: Vec<core::mem::Discriminant<A<'_>>> = Vec::new();
    for a in actions.iter() {
        let d = core::mem::discriminant(&a);
        if seen.contains(&d) && !matches!(a, A::Extension(_)) {
            return false;
        }
        seen.push(d);
        if matches!(a, A::Notify | A::Accumulate | A::DigitMap | A::Ignore) {
            exclusive += 1;
        }
    }
    exclusive <= 1
}

fn is_extension_token(m: &str) -> bool {
    m.starts_with("X-") || m.starts_with("x-") || m.contains('/')
}

/// True when an event or signal of the command is qualified with `@$`.
fn mentions_current_connection(p: &crate::message::Params<'_>) -> bool {
    use crate::event::ConnectionTarget;
    let is_current = |c: Option<ConnectionTarget<'_>>| c == Some(ConnectionTarget::Current);
    let lists = [p.signal_requests(), p.detect_events()];
    lists
        .iter()
        .flatten()
        .any(|l| l.iter().any(|e| is_current(e.name.connection)))
        || p.requested_events()
            .is_some_and(|r| r.iter().any(|e| is_current(e.name.connection)))
}

/// RFC 3435 §2.3.3 gives every time-out signal the `to` parameter: a
/// duration in milliseconds.
fn signal_timeouts_are_numbers(signals: &crate::params::EventList<'_>) -> bool {
    signals.iter().all(|s| {
        s.parameters.is_none_or(|params| {
            params.iter().all(|p| match (p.name, p.value) {
                (Some(n), crate::event::ParameterValue::Text(v))
                    if n.eq_ignore_ascii_case("to") =>
                {
                    !v.is_empty() && v.len() <= 9 && v.bytes().all(|b| b.is_ascii_digit())
                }
                (Some(n), _) => !n.eq_ignore_ascii_case("to"),
                _ => true,
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;
    use crate::parse::{ParseOptions, parse_with};

    fn check(text: &str) -> Result<(), Violation> {
        let opts = ParseOptions::lenient();
        let Message::Command(c) = parse_with(text.as_bytes(), &opts).unwrap() else {
            panic!("not a command")
        };
        validate_command(&c, &ValidateOptions::default())
    }

    fn code(text: &str) -> u16 {
        check(text).unwrap_err().code.value()
    }

    #[test]
    fn valid_commands_pass() {
        for text in [
            "CRCX 1 aaln/1@gw MGCP 1.0\nC: 1\nM: recvonly\n",
            "MDCX 1 aaln/1@gw MGCP 1.0\nC: 1\nI: 2\nM: sendrecv\n",
            "DLCX 1 aaln/1@gw MGCP 1.0\n",
            "RQNT 1 aaln/1@gw MGCP 1.0\nX: 1\nR: L/hd\n",
            "NTFY 1 aaln/1@gw MGCP 1.0\nX: 1\nO: L/hd\n",
            "AUEP 1 aaln/1@gw MGCP 1.0\nF: A\n",
            "AUCX 1 aaln/1@gw MGCP 1.0\nI: 1\nF: C,M\n",
            "RSIP 1 *@gw MGCP 1.0\nRM: restart\nRD: 0\n",
            "EPCF 1 aaln/1@gw MGCP 1.0\nB: e:mu\n",
            "XABC 1 aaln/1@gw MGCP 1.0\nZZ: anything\n",
            "AUEP 1 aaln/1@gw MGCP 1.0\nX-Vendor: 1\n",
        ] {
            assert_eq!(check(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn missing_forbidden_repeated_unknown() {
        assert_eq!(code("CRCX 1 a@gw MGCP 1.0\nM: recvonly\n"), 510);
        assert_eq!(code("RQNT 1 a@gw MGCP 1.0\nR: L/hd\n"), 510);
        assert_eq!(code("AUCX 1 a@gw MGCP 1.0\nI: 1\n"), 510);
        assert_eq!(code("RSIP 1 a@gw MGCP 1.0\n"), 510);
        assert_eq!(code("AUEP 1 a@gw MGCP 1.0\nC: 1\n"), 539);
        assert_eq!(code("CRCX 1 a@gw MGCP 1.0\nC: 1\nC: 2\nM: sendrecv\n"), 510);
        assert_eq!(code("AUEP 1 a@gw MGCP 1.0\nQQ: 1\n"), 539);
        assert_eq!(code("AUEP 1 a@gw MGCP 1.0\nX+Must: 1\n"), 511);
        assert_eq!(code("RQNT 1 a@gw MGCP 1.0\nX: 1\n\nv=0\n"), 539);
    }

    #[test]
    fn conditional_rules() {
        assert_eq!(
            code("CRCX 1 a@gw MGCP 1.0\nC: 1\nM: sendrecv\nR: L/hu\n"),
            510
        );
        assert_eq!(
            code("CRCX 1 a@gw MGCP 1.0\nC: 1\nM: sendrecv\nZ2: b@gw\n\nv=0\n"),
            539
        );
        assert_eq!(code("MDCX 1 a@gw MGCP 1.0\nC: 1\nI: 1, 2\n"), 515);
        assert_eq!(code("RQNT 1 a@gw MGCP 1.0\nX: 1\nS: L/rg(to=long)\n"), 538);
        assert_eq!(
            code("RQNT 1 a@gw MGCP 1.0\nX: 1\nR: L/hd(E(S(L/rg(to=x))))\n"),
            538
        );
        assert_eq!(
            check("RQNT 1 a@gw MGCP 1.0\nX: 1\nS: L/rg(to=3000)\n"),
            Ok(())
        );
        assert_eq!(code("RQNT 1 a@gw MGCP 1.0\nX: 1\nR: L/hd(N,I)\n"), 523);
        assert_eq!(code("RQNT 1 a@gw MGCP 1.0\nX: 1\nR: L/hd(N,N)\n"), 523);
        assert_eq!(
            check("RQNT 1 a@gw MGCP 1.0\nX: 1\nR: L/hf(S,N,K)\n"),
            Ok(())
        );
        assert_eq!(code("RSIP 1 a@gw MGCP 1.0\nRM: reboot\n"), 536);
        assert_eq!(check("RSIP 1 a@gw MGCP 1.0\nRM: X-KeepAlive\n"), Ok(()));
        assert_eq!(code("RQNT 1 a@gw MGCP 1.0\nX: 1\nS: G/rt@$\n"), 510);
        assert_eq!(
            check("CRCX 1 a@gw MGCP 1.0\nC: 1\nM: recvonly\nX: 1\nS: G/rt@$\n"),
            Ok(())
        );
        assert_eq!(
            code("MDCX 1 a@gw MGCP 1.0\nC: 1\nI: 1\nM: sendrecv, inactive\n"),
            517
        );
    }

    #[test]
    fn presence_table() {
        assert_eq!(presence(Verb::Crcx, ParamName::CallId), Presence::Mandatory);
        assert_eq!(presence(Verb::Auep, ParamName::CallId), Presence::Forbidden);
        assert_eq!(
            presence(Verb::Rsip, ParamName::ResponseAck),
            Presence::Optional
        );
        assert_eq!(
            presence(Verb::Extension(*b"XABC"), ParamName::CallId),
            Presence::Optional
        );
    }
}
