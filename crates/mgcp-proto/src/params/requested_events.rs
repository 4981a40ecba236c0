//! RequestedEvents (`R:`, RFC 3435 §3.2.2.16) and the actions of §2.3.3.
//!
//! `R: L/hu(N), L/hf(S,N), D/[0-9#*T](D)` asks the gateway to notify
//! on-hook, swap and notify on flash, and collect digits against the digit
//! map. An action list may hold an embedded request
//! `E(R(...),S(...),D(...))` that replaces the current request when the
//! event occurs. Event parameters may follow the actions in a second pair
//! of parentheses: `R/rto(N)(100)`.

use core::fmt;

use crate::digit_map::{DigitMapOptions, DigitMapText};
use crate::event::{EventError, EventErrorKind, EventName, EventParameters, shift};
use crate::params::event_list::EventList;
use crate::text;

/// The validated RequestedEvents list, iterated as [`RequestedEvent`]s.
/// An empty list is legal and clears the request.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct RequestedEvents<'a> {
    raw: &'a str,
}

impl<'a> RequestedEvents<'a> {
    /// The empty list.
    pub const EMPTY: RequestedEvents<'static> = RequestedEvents { raw: "" };

    /// Validates a RequestedEvents value.
    pub fn parse(raw: &'a str) -> Result<RequestedEvents<'a>, EventError> {
        let trimmed = text::trim_wsp(raw);
        if trimmed.is_empty() {
            return Ok(RequestedEvents { raw: trimmed });
        }
        text::check_nesting(trimmed)?;
        for part in text::split_top_level(trimmed, b',') {
            RequestedEvent::parse(part).map_err(|e| shift(e, text::offset_in(raw, part)))?;
        }
        Ok(RequestedEvents { raw: trimmed })
    }

    /// The validated text.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// True when no event is requested.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The requested events in order.
    pub fn iter(&self) -> impl Iterator<Item = RequestedEvent<'a>> + use<'a> {
        let raw = self.raw;
        text::split_top_level(raw, b',')
            .filter(move |_| !raw.is_empty())
            .filter_map(|part| RequestedEvent::parse(part).ok())
    }

    /// How many events are requested.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
}

impl PartialEq for RequestedEvents<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for RequestedEvents<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

/// One requested event with its actions and parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestedEvent<'a> {
    /// The event.
    pub name: EventName<'a>,
    /// The actions; empty means the default action, Notify.
    pub actions: Actions<'a>,
    /// Event parameters from the second pair of parentheses.
    pub parameters: Option<EventParameters<'a>>,
}

impl<'a> RequestedEvent<'a> {
    /// Parses `name[(actions)][(parameters)]`.
    pub fn parse(text_in: &'a str) -> Result<RequestedEvent<'a>, EventError> {
        let s = text::trim_wsp(text_in);
        let base = text::offset_in(text_in, s);
        text::check_nesting(s).map_err(|e| shift(e.into(), base))?;
        let Some(open) = text::find_top_level(s, b'(') else {
            return Ok(RequestedEvent {
                name: EventName::parse(s).map_err(|e| shift(e, base))?,
                actions: Actions { raw: "" },
                parameters: None,
            });
        };
        let name = EventName::parse(&s[..open]).map_err(|e| shift(e, base))?;
        let after = &s[open + 1..];
        let close =
            text::matching_close(after).ok_or(EventErrorKind::Unbalanced.at(base + open))?;
        let actions = Actions::parse(&after[..close]).map_err(|e| shift(e, base + open + 1))?;
        let rest = text::trim_wsp(&after[close + 1..]);
        let parameters = if rest.is_empty() {
            None
        } else {
            let rest_at = base + text::offset_in(s, rest);
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .filter(|inner| text::matching_close(&rest[1..]) == Some(inner.len()))
                .ok_or(EventErrorKind::TrailingText.at(rest_at))?;
            Some(EventParameters::parse(inner).map_err(|e| shift(e, rest_at + 1))?)
        };
        Ok(RequestedEvent {
            name,
            actions,
            parameters,
        })
    }
}

impl fmt::Display for RequestedEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name)?;
        if !self.actions.is_empty() || self.parameters.is_some() {
            write!(f, "({})", self.actions)?;
        }
        if let Some(p) = &self.parameters {
            write!(f, "({p})")?;
        }
        Ok(())
    }
}

/// The validated action list of a requested event.
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct Actions<'a> {
    raw: &'a str,
}

impl<'a> Actions<'a> {
    /// Validates a comma-separated action list.
    pub fn parse(raw: &'a str) -> Result<Actions<'a>, EventError> {
        let trimmed = text::trim_wsp(raw);
        if trimmed.is_empty() {
            return Ok(Actions { raw: trimmed });
        }
        for part in text::split_top_level(trimmed, b',') {
            RequestedAction::parse(part).map_err(|e| shift(e, text::offset_in(raw, part)))?;
        }
        Ok(Actions { raw: trimmed })
    }

    /// True when no action was written (the default is Notify).
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The actions in order. An empty list yields nothing; callers apply
    /// the default (Notify) themselves, see [`Actions::effective`].
    pub fn iter(&self) -> impl Iterator<Item = RequestedAction<'a>> + use<'a> {
        let raw = self.raw;
        text::split_top_level(raw, b',')
            .filter(move |_| !raw.is_empty())
            .filter_map(|p| RequestedAction::parse(p).ok())
    }

    /// The actions, or `[Notify]` when none was written (RFC 3435 §3.2.2.16).
    pub fn effective(&self) -> impl Iterator<Item = RequestedAction<'a>> + use<'a> {
        let default = self.is_empty().then_some(RequestedAction::Notify);
        default.into_iter().chain(self.iter())
    }

    /// True when the list holds `action` (embedded requests compare by kind).
    pub fn contains(&self, action: &RequestedAction<'_>) -> bool {
        self.effective()
            .any(|a| core::mem::discriminant(&a) == core::mem::discriminant(action))
    }

    /// The embedded request, if any.
    pub fn embedded(&self) -> Option<EmbeddedRequest<'a>> {
        self.iter().find_map(|a| match a {
            RequestedAction::Embedded(e) => Some(e),
            _ => None,
        })
    }
}

impl PartialEq for Actions<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for Actions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

/// An action (RFC 3435 §2.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestedAction<'a> {
    /// `N`: notify immediately.
    Notify,
    /// `A`: accumulate the event.
    Accumulate,
    /// `D`: accumulate according to the digit map.
    DigitMap,
    /// `S`: swap audio (hook-flash).
    Swap,
    /// `I`: ignore the event.
    Ignore,
    /// `K`: keep signals active.
    KeepSignals,
    /// `E(...)`: embedded notification request.
    Embedded(EmbeddedRequest<'a>),
    /// An extension action such as `X-foo` or `pkg/act`, as written.
    Extension(&'a str),
}

impl<'a> RequestedAction<'a> {
    /// Parses one action.
    pub fn parse(text_in: &'a str) -> Result<RequestedAction<'a>, EventError> {
        let s = text::trim_wsp(text_in);
        let base = text::offset_in(text_in, s);
        let action = match s {
            "N" | "n" => RequestedAction::Notify,
            "A" | "a" => RequestedAction::Accumulate,
            "D" | "d" => RequestedAction::DigitMap,
            "S" | "s" => RequestedAction::Swap,
            "I" | "i" => RequestedAction::Ignore,
            "K" | "k" => RequestedAction::KeepSignals,
            _ => match text::split_call(s) {
                Some((head, inner)) if head.eq_ignore_ascii_case("E") => {
                    let embedded = EmbeddedRequest::parse(inner).map_err(|e| shift(e, base + 2))?;
                    RequestedAction::Embedded(embedded)
                }
                _ if is_extension_action(s) => RequestedAction::Extension(s),
                _ => return Err(EventErrorKind::BadAction.at(base)),
            },
        };
        Ok(action)
    }

    /// The one-letter code (or the extension as written).
    pub fn code(&self) -> &'a str {
        match self {
            RequestedAction::Notify => "N",
            RequestedAction::Accumulate => "A",
            RequestedAction::DigitMap => "D",
            RequestedAction::Swap => "S",
            RequestedAction::Ignore => "I",
            RequestedAction::KeepSignals => "K",
            RequestedAction::Embedded(_) => "E",
            RequestedAction::Extension(e) => e,
        }
    }
}

impl fmt::Display for RequestedAction<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestedAction::Embedded(e) => write!(f, "E({e})"),
            other => f.write_str(other.code()),
        }
    }
}

/// Extension actions are `X-name`, `X+name` or `package/name`, optionally
/// with parameters.
fn is_extension_action(s: &str) -> bool {
    let head = text::split_call(s).map_or(s, |(h, _)| h);
    let valid = |t: &str| crate::event::is_token(t);
    match head.split_once('/') {
        Some((pkg, name)) => valid(pkg) && valid(name),
        None => {
            (head.starts_with("X-") || head.starts_with("x-") || head.starts_with("X+"))
                && head.len() > 2
                && valid(&head[2..])
        }
    }
}

/// An embedded notification request `E(R(...),S(...),D(...))`
/// (RFC 3435 §2.3.3): each part optional, each at most once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EmbeddedRequest<'a> {
    /// `R(...)`: the new RequestedEvents.
    pub requested_events: Option<RequestedEvents<'a>>,
    /// `S(...)`: the new SignalRequests.
    pub signal_requests: Option<EventList<'a>>,
    /// `D(...)`: the new digit map.
    pub digit_map: Option<DigitMapText<'a>>,
}

impl<'a> EmbeddedRequest<'a> {
    /// Parses the inside of `E(...)`.
    pub fn parse(raw: &'a str) -> Result<EmbeddedRequest<'a>, EventError> {
        let mut out = EmbeddedRequest::default();
        for part in text::split_top_level(raw, b',') {
            let at = text::offset_in(raw, part);
            let item = text::trim_wsp(part);
            let (head, inner) = text::split_call(item).ok_or(EventErrorKind::BadEmbedded.at(at))?;
            let inner_at = at + text::offset_in(part, inner);
            match text::trim_wsp(head) {
                "R" | "r" if out.requested_events.is_none() => {
                    out.requested_events =
                        Some(RequestedEvents::parse(inner).map_err(|e| shift(e, inner_at))?);
                }
                "S" | "s" if out.signal_requests.is_none() => {
                    out.signal_requests =
                        Some(EventList::parse(inner).map_err(|e| shift(e, inner_at))?);
                }
                "D" | "d" if out.digit_map.is_none() => {
                    let map = DigitMapText::parse(inner, &DigitMapOptions::default())
                        .map_err(|_| EventErrorKind::BadDigitMap.at(inner_at))?;
                    out.digit_map = Some(map);
                }
                _ => return Err(EventErrorKind::BadEmbedded.at(at)),
            }
        }
        if out == EmbeddedRequest::default() {
            return Err(EventErrorKind::BadEmbedded.at(0));
        }
        Ok(out)
    }
}

impl fmt::Display for EmbeddedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(r) = &self.requested_events {
            write!(f, "R({r})")?;
            sep = ",";
        }
        if let Some(s) = &self.signal_requests {
            write!(f, "{sep}S({s})")?;
            sep = ",";
        }
        if let Some(d) = &self.digit_map {
            write!(f, "{sep}D({d})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{ConnectionTarget, EventId, ParameterValue};

    #[test]
    fn rfc_examples() {
        let r = RequestedEvents::parse("L/hu(N), L/hf(S,N), D/[0-9#*T](D)").unwrap();
        let events: Vec<_> = r.iter().collect();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].name.event, EventId::Name("hu"));
        assert!(events[0].actions.contains(&RequestedAction::Notify));
        let hf: Vec<_> = events[1].actions.iter().collect();
        assert_eq!(hf, vec![RequestedAction::Swap, RequestedAction::Notify]);
        assert_eq!(events[2].name.event, EventId::Range("0-9#*T"));
        assert!(events[2].actions.contains(&RequestedAction::DigitMap));
    }

    #[test]
    fn default_action_is_notify() {
        let r = RequestedEvents::parse("L/hd").unwrap();
        let e = r.iter().next().unwrap();
        assert!(e.actions.is_empty());
        assert_eq!(
            e.actions.effective().collect::<Vec<_>>(),
            vec![RequestedAction::Notify]
        );
    }

    #[test]
    fn embedded_requests() {
        let r = RequestedEvents::parse(
            "L/hd(A, E(S(L/dl),R(L/oc(N),L/hu(N),D/[0-9#*T](D)),D((0T|[2-9]xxx))))",
        )
        .unwrap();
        let e = r.iter().next().unwrap();
        let emb = e.actions.embedded().unwrap();
        assert_eq!(emb.requested_events.unwrap().len(), 3);
        assert_eq!(emb.signal_requests.unwrap().len(), 1);
        assert!(emb.digit_map.is_some());
        assert!(e.actions.contains(&RequestedAction::Accumulate));
    }

    #[test]
    fn connections_params_and_extensions() {
        let r =
            RequestedEvents::parse("R/rto@0A3F58(N)(100), L/hu(X-foo), L/hf(K,acme/beep)").unwrap();
        let v: Vec<_> = r.iter().collect();
        assert_eq!(v[0].name.connection, Some(ConnectionTarget::Id("0A3F58")));
        let p = v[0].parameters.unwrap();
        assert_eq!(p.iter().next().unwrap().value, ParameterValue::Text("100"));
        assert_eq!(
            v[1].actions.iter().next(),
            Some(RequestedAction::Extension("X-foo"))
        );
        assert_eq!(
            v[2].actions.iter().nth(1),
            Some(RequestedAction::Extension("acme/beep"))
        );
    }

    #[test]
    fn bad_actions_and_embedded() {
        let e = RequestedEvents::parse("L/hu(Q)").unwrap_err();
        assert_eq!(e.kind, EventErrorKind::BadAction);
        assert_eq!(e.offset, 5);
        assert_eq!(
            RequestedEvents::parse("L/hu(E())").unwrap_err().kind,
            EventErrorKind::BadEmbedded
        );
        assert_eq!(
            RequestedEvents::parse("L/hu(E(R(L/hd),R(L/hu)))")
                .unwrap_err()
                .kind,
            EventErrorKind::BadEmbedded
        );
        assert_eq!(
            RequestedEvents::parse("L/hu(E(D((1|))))").unwrap_err().kind,
            EventErrorKind::BadDigitMap
        );
        assert!(RequestedEvents::parse("L/hu(N)x").is_err());
        assert!(RequestedEvents::parse("L/hu(N)(a)(b)").is_err());
        assert!(RequestedEvents::parse("L/hu(N").is_err());
    }

    #[test]
    fn display_is_canonical() {
        let r = RequestedEvents::parse(" L/hu( N ) ,L/hf(S, N),D/[0-9](D)").unwrap();
        assert_eq!(r.to_string(), "L/hu(N), L/hf(S,N), D/[0-9](D)");
        let again = r.to_string();
        assert_eq!(RequestedEvents::parse(&again).unwrap(), r);
    }
}
