//! Notification requests kept by an endpoint: owned copies of the borrowed
//! RequestedEvents / SignalRequests / DigitMap of an RQNT (or of a
//! connection command's embedded request), and the matching of detected
//! events against them.

use std::fmt::{self, Write as _};

use mgcp_proto::event::{ConnectionTarget, EventId, EventName, EventSpec, PackageName};
use mgcp_proto::params::{
    EmbeddedRequest, EventList, RequestedAction, RequestedEvent, RequestedEvents,
};

/// Which connection an event pattern or signal names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conn {
    /// A connection id.
    Id(String),
    /// Every connection (`@*`).
    All,
}

/// An owned event name pattern (`L/hd`, `D/[0-9#]`, `*/all`, `R/rto@1A`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The package, resolved against the endpoint's default package;
    /// `None` is the `*` wildcard.
    pub package: Option<String>,
    /// The event: a name, `all`, or a range.
    pub event: EventMatch,
    /// The connection it is qualified with.
    pub connection: Option<Conn>,
}

/// The event part of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventMatch {
    /// One event.
    Name(String),
    /// Every event of the package.
    All,
    /// A `[...]` range (the text between the brackets).
    Range(String),
}

/// An event as detected: `package/name[@connection]` with parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// Package, e.g. `L`.
    pub package: &'static str,
    /// Event, e.g. `hd` or `5`.
    pub name: String,
    /// The connection it happened on.
    pub connection: Option<String>,
    /// Parameters, without parentheses.
    pub parameters: Option<String>,
}

impl Detected {
    /// A line or endpoint event with no parameters.
    pub fn new(package: &'static str, name: impl Into<String>) -> Self {
        Detected {
            package,
            name: name.into(),
            connection: None,
            parameters: None,
        }
    }
}

impl fmt::Display for Detected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.package, self.name)?;
        if let Some(c) = &self.connection {
            write!(f, "@{c}")?;
        }
        if let Some(p) = &self.parameters {
            write!(f, "({p})")?;
        }
        Ok(())
    }
}

/// `$` in a pattern is replaced by the connection the command created or
/// modified; `current` carries its id.
pub fn pattern(name: &EventName<'_>, default_package: &str, current: Option<&str>) -> Pattern {
    let package = match name.package {
        None => Some(default_package.to_string()),
        Some(PackageName::All) => None,
        Some(PackageName::Named(p)) => Some(p.to_string()),
    };
    let event = match name.event {
        EventId::Name(n) => EventMatch::Name(n.to_string()),
        EventId::All => EventMatch::All,
        EventId::Range(r) => EventMatch::Range(r.to_string()),
    };
    let connection = match name.connection {
        None => None,
        Some(ConnectionTarget::Id(id)) => Some(Conn::Id(id.to_string())),
        Some(ConnectionTarget::All) => Some(Conn::All),
        Some(ConnectionTarget::Current) => current.map(|c| Conn::Id(c.to_string())),
    };
    Pattern {
        package,
        event,
        connection,
    }
}

impl Pattern {
    /// True when the detected event falls under this pattern.
    pub fn matches(&self, d: &Detected) -> bool {
        let package_ok = self
            .package
            .as_deref()
            .is_none_or(|p| p.eq_ignore_ascii_case(d.package));
        let event_ok = match &self.event {
            EventMatch::Name(n) => n.eq_ignore_ascii_case(&d.name),
            EventMatch::All => true,
            EventMatch::Range(r) => EventId::Range(r).covers(&d.name),
        };
        let conn_ok = match (&self.connection, &d.connection) {
            (None, _) => true,
            (Some(Conn::All), Some(_)) => true,
            (Some(Conn::Id(want)), Some(got)) => want.eq_ignore_ascii_case(got),
            (Some(_), None) => false,
        };
        package_ok && event_ok && conn_ok
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/", self.package.as_deref().unwrap_or("*"))?;
        match &self.event {
            EventMatch::Name(n) => f.write_str(n)?,
            EventMatch::All => f.write_str("all")?,
            EventMatch::Range(r) => write!(f, "[{r}]")?,
        }
        match &self.connection {
            Some(Conn::Id(id)) => write!(f, "@{id}"),
            Some(Conn::All) => f.write_str("@*"),
            None => Ok(()),
        }
    }
}

/// The actions of one requested event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    /// N.
    pub notify: bool,
    /// A.
    pub accumulate: bool,
    /// D.
    pub digit_map: bool,
    /// S.
    pub swap: bool,
    /// I.
    pub ignore: bool,
    /// K.
    pub keep_signals: bool,
    /// E(...).
    pub embedded: Option<Box<Embedded>>,
}

/// An embedded notification request, owned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Embedded {
    /// R(...).
    pub requested: Option<Vec<Requested>>,
    /// S(...).
    pub signals: Option<Vec<Signal>>,
    /// D(...), as text.
    pub digit_map: Option<String>,
}

/// One requested event, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requested {
    /// What to match.
    pub pattern: Pattern,
    /// What to do.
    pub actions: Actions,
    /// Event parameters.
    pub parameters: Option<String>,
}

/// One requested signal, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    /// Package (resolved).
    pub package: String,
    /// Signal name.
    pub name: String,
    /// Connection it plays on.
    pub connection: Option<Conn>,
    /// Parameters, without parentheses.
    pub parameters: String,
}

impl Signal {
    /// `package/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.package, self.name)
    }

    /// The `to=` parameter, ms.
    pub fn timeout_ms(&self) -> Option<u64> {
        self.parameters.split(',').find_map(|p| {
            let (n, v) = p.split_once('=')?;
            n.trim()
                .eq_ignore_ascii_case("to")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
    }

    /// `+` turns an on/off signal on, `-` off (RFC 3435 §2.3.3).
    pub fn switch(&self) -> Option<bool> {
        match self.parameters.trim() {
            "+" => Some(true),
            "-" => Some(false),
            _ => None,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.package, self.name)?;
        match &self.connection {
            Some(Conn::Id(id)) => write!(f, "@{id}")?,
            Some(Conn::All) => f.write_str("@*")?,
            None => {}
        }
        if !self.parameters.is_empty() {
            write!(f, "({})", self.parameters)?;
        }
        Ok(())
    }
}

/// Owned copies of the requested events.
pub fn requested(
    list: &RequestedEvents<'_>,
    default_package: &str,
    current: Option<&str>,
) -> Vec<Requested> {
    list.iter()
        .map(|e| requested_event(&e, default_package, current))
        .collect()
}

fn requested_event(
    e: &RequestedEvent<'_>,
    default_package: &str,
    current: Option<&str>,
) -> Requested {
    let mut actions = Actions::default();
    for a in e.actions.effective() {
        match a {
            RequestedAction::Notify => actions.notify = true,
            RequestedAction::Accumulate => actions.accumulate = true,
            RequestedAction::DigitMap => actions.digit_map = true,
            RequestedAction::Swap => actions.swap = true,
            RequestedAction::Ignore => actions.ignore = true,
            RequestedAction::KeepSignals => actions.keep_signals = true,
            RequestedAction::Embedded(emb) => {
                actions.embedded = Some(Box::new(embedded(&emb, default_package, current)));
            }
            RequestedAction::Extension(_) => {}
        }
    }
    Requested {
        pattern: pattern(&e.name, default_package, current),
        actions,
        parameters: e.parameters.map(|p| p.as_str().to_string()),
    }
}

fn embedded(e: &EmbeddedRequest<'_>, default_package: &str, current: Option<&str>) -> Embedded {
    Embedded {
        requested: e
            .requested_events
            .map(|r| requested(&r, default_package, current)),
        signals: e
            .signal_requests
            .map(|s| signals(&s, default_package, current)),
        digit_map: e.digit_map.map(|d| d.to_string()),
    }
}

/// Owned copies of signal requests.
pub fn signals(list: &EventList<'_>, default_package: &str, current: Option<&str>) -> Vec<Signal> {
    list.iter()
        .map(|s| signal(&s, default_package, current))
        .collect()
}

fn signal(s: &EventSpec<'_>, default_package: &str, current: Option<&str>) -> Signal {
    let p = pattern(&s.name, default_package, current);
    Signal {
        package: p.package.unwrap_or_else(|| default_package.to_string()),
        name: match p.event {
            EventMatch::Name(n) => n,
            EventMatch::All => "all".to_string(),
            EventMatch::Range(r) => format!("[{r}]"),
        },
        connection: p.connection,
        parameters: s
            .parameters
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
    }
}

/// Renders requested events back to RequestedEvents text (for audits).
pub fn render_requested(list: &[Requested]) -> String {
    let mut out = String::new();
    for (i, r) in list.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}", r.pattern);
        let mut acts: Vec<String> = Vec::new();
        let a = &r.actions;
        for (on, code) in [
            (a.notify, "N"),
            (a.accumulate, "A"),
            (a.digit_map, "D"),
            (a.swap, "S"),
            (a.ignore, "I"),
            (a.keep_signals, "K"),
        ] {
            if on {
                acts.push(code.to_string());
            }
        }
        if let Some(e) = &a.embedded {
            acts.push(format!("E({})", render_embedded(e)));
        }
        let _ = write!(out, "({})", acts.join(","));
        if let Some(p) = &r.parameters {
            let _ = write!(out, "({p})");
        }
    }
    out
}

fn render_embedded(e: &Embedded) -> String {
    let mut parts = Vec::new();
    if let Some(r) = &e.requested {
        parts.push(format!("R({})", render_requested(r)));
    }
    if let Some(s) = &e.signals {
        parts.push(format!("S({})", render_signals(s)));
    }
    if let Some(d) = &e.digit_map {
        parts.push(format!("D({d})"));
    }
    parts.join(",")
}

/// Renders signals back to SignalRequests text.
pub fn render_signals(list: &[Signal]) -> String {
    list.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(text: &str) -> Vec<Requested> {
        requested(&RequestedEvents::parse(text).unwrap(), "L", Some("2B"))
    }

    #[test]
    fn patterns_match_detected_events() {
        let r = req("hd(N), D/[0-9#](D), R/rto@$(N), G/rt@*, */all(A)");
        let hd = Detected::new("L", "hd");
        assert!(r[0].pattern.matches(&hd));
        assert!(r[1].pattern.matches(&Detected::new("D", "7")));
        assert!(!r[1].pattern.matches(&Detected::new("D", "*")));
        let mut rto = Detected::new("R", "rto");
        assert!(!r[2].pattern.matches(&rto));
        rto.connection = Some("2b".into());
        assert!(r[2].pattern.matches(&rto));
        assert!(r[4].pattern.matches(&Detected::new("T", "co1")));
        assert!(r[0].actions.notify && r[1].actions.digit_map);
    }

    #[test]
    fn embedded_requests_and_rendering() {
        let r = req("L/hd(A, E(S(L/dl),R(L/hu(N),D/[0-9](D)),D((xxxx|0T))))");
        let e = r[0].actions.embedded.as_ref().unwrap();
        assert_eq!(e.requested.as_ref().unwrap().len(), 2);
        assert_eq!(e.signals.as_ref().unwrap()[0].key(), "L/dl");
        assert_eq!(e.digit_map.as_deref(), Some("(xxxx|0T)"));
        let text = render_requested(&r);
        assert_eq!(
            text,
            "L/hd(A,E(R(L/hu(N), D/[0-9](D)),S(L/dl),D((xxxx|0T))))"
        );
        assert!(RequestedEvents::parse(&text).is_ok());
    }

    #[test]
    fn signal_parameters() {
        let s = signals(
            &EventList::parse("L/rg(to=3000), L/vmwi(+), G/rt@2B").unwrap(),
            "L",
            None,
        );
        assert_eq!(s[0].timeout_ms(), Some(3000));
        assert_eq!(s[1].switch(), Some(true));
        assert_eq!(s[2].connection, Some(Conn::Id("2B".into())));
        assert_eq!(render_signals(&s), "L/rg(to=3000), L/vmwi(+), G/rt@2B");
    }
}
