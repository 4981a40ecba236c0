//! Lists of events and signals: SignalRequests (S, §3.2.2.21),
//! ObservedEvents (O, §3.2.2.12), DetectEvents (T, §3.2.2.8) and
//! EventStates (ES, §3.2.2.9).

use core::fmt;

use crate::event::{EventError, EventSpec, shift};
use crate::text;

/// A comma-separated list of events or signals with optional parameters,
/// validated when parsed and iterated as [`EventSpec`]s. An empty list is
/// legal (`S:` with nothing after it stops all signals).
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct EventList<'a> {
    raw: &'a str,
}

/// SignalRequests (`S:`): the signals to apply.
pub type SignalRequests<'a> = EventList<'a>;
/// ObservedEvents (`O:`): the events a Notify reports.
pub type ObservedEvents<'a> = EventList<'a>;
/// DetectEvents (`T:`): events to detect during quarantine.
pub type DetectEvents<'a> = EventList<'a>;
/// EventStates (`ES:`): the current state of events, in audits.
pub type EventStates<'a> = EventList<'a>;

impl<'a> EventList<'a> {
    /// The empty list.
    pub const EMPTY: EventList<'static> = EventList { raw: "" };

    /// Validates a list.
    pub fn parse(raw: &'a str) -> Result<EventList<'a>, EventError> {
        let trimmed = text::trim_wsp(raw);
        if trimmed.is_empty() {
            return Ok(EventList { raw: trimmed });
        }
        text::check_nesting(trimmed).map_err(EventError::from)?;
        for part in text::split_top_level(trimmed, b',') {
            EventSpec::parse(part).map_err(|e| shift(e, text::offset_in(raw, part)))?;
        }
        Ok(EventList { raw: trimmed })
    }

    /// The validated text.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// True when the list holds no event.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The events or signals in order.
    pub fn iter(&self) -> impl Iterator<Item = EventSpec<'a>> + use<'a> {
        let raw = self.raw;
        text::split_top_level(raw, b',')
            .filter(move |_| !raw.is_empty())
            .filter_map(|part| EventSpec::parse(part).ok())
    }

    /// How many events the list holds.
    pub fn len(&self) -> usize {
        self.iter().count()
    }
}

impl PartialEq for EventList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for EventList<'_> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventErrorKind, EventId};

    #[test]
    fn lists() {
        let l = EventList::parse("L/hu, L/hf,D/[0-9#*]").unwrap();
        assert_eq!(l.len(), 3);
        let ids: Vec<_> = l.iter().map(|e| e.name.event).collect();
        assert_eq!(ids[2], EventId::Range("0-9#*"));
        assert_eq!(l.to_string(), "L/hu, L/hf, D/[0-9#*]");
        assert!(EventList::parse("").unwrap().is_empty());
        assert!(EventList::parse("  ").unwrap().is_empty());
        assert_eq!(EventList::parse("L/rg(to=3000), G/rt@0A").unwrap().len(), 2);
    }

    #[test]
    fn observed_digit_strings() {
        let l = EventList::parse("D/8,D/2,D/9,D/5,D/5,L/hf,D/5,D/5,D/T").unwrap();
        assert_eq!(l.len(), 9);
        let l = EventList::parse("D/8295555T").unwrap();
        assert_eq!(
            l.iter().next().unwrap().name.event,
            EventId::Name("8295555T")
        );
    }

    #[test]
    fn errors_point_into_the_list() {
        let e = EventList::parse("L/hu, L/h f").unwrap_err();
        assert_eq!(e.kind, EventErrorKind::BadEvent);
        assert_eq!(e.offset, 8);
        assert!(EventList::parse("L/hu,,L/hd").is_err());
        assert!(EventList::parse("L/hu,").is_err());
    }

    #[test]
    fn equality_ignores_spacing() {
        assert_eq!(
            EventList::parse("L/hu,L/hd").unwrap(),
            EventList::parse(" L/hu ,  L/hd").unwrap()
        );
    }
}
