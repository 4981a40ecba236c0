//! What each endpoint kind can detect and generate: the RFC 3660 package
//! tables of `mgcp_proto::packages`, restricted to the kind's packages, and
//! the return codes for what is out of reach (RFC 3435 §2.4: 518 unknown
//! package, 522 no such event or signal, 512 cannot detect, 513 cannot
//! generate).

use mgcp_proto::ReturnCode;
use mgcp_proto::packages::{self, EventDef, SignalType};

use crate::config::EndpointKind;
use crate::request::{EventMatch, Pattern, Signal};

/// Finds a package item the endpoint kind supports.
fn item(kind: EndpointKind, package: &str, name: &str) -> Result<&'static EventDef, ReturnCode> {
    if !kind
        .packages()
        .iter()
        .any(|p| p.eq_ignore_ascii_case(package))
    {
        return Err(ReturnCode::UNKNOWN_PACKAGE);
    }
    let pkg = packages::package(package).ok_or(ReturnCode::UNKNOWN_PACKAGE)?;
    pkg.item(name).ok_or(ReturnCode::NO_SUCH_EVENT_OR_SIGNAL)
}

/// Checks that the endpoint can detect what `pattern` asks for.
pub(crate) fn check_event(kind: EndpointKind, pattern: &Pattern) -> Result<(), ReturnCode> {
    let Some(package) = pattern.package.as_deref() else {
        return Ok(()); // `*/all`: whatever the endpoint detects.
    };
    if !kind
        .packages()
        .iter()
        .any(|p| p.eq_ignore_ascii_case(package))
    {
        return Err(ReturnCode::UNKNOWN_PACKAGE);
    }
    let detectable = |name: &str| {
        let i = item(kind, package, name)?;
        if i.detectable {
            Ok(())
        } else {
            Err(ReturnCode::CANNOT_DETECT_EVENT)
        }
    };
    match &pattern.event {
        EventMatch::All => Ok(()),
        EventMatch::Name(n) => detectable(n),
        EventMatch::Range(r) => {
            range_items(r).try_for_each(|c| detectable(c.encode_utf8(&mut [0; 4])))
        }
    }
}

/// The single-character items a range such as `0-9#*T` covers.
fn range_items(range: &str) -> impl Iterator<Item = char> + '_ {
    let b: Vec<char> = range.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if i + 2 < b.len() && b[i + 1] == '-' {
            let (lo, hi) = (b[i], b[i + 2]);
            out.extend((lo..=hi).filter(char::is_ascii_alphanumeric));
            i += 3;
        } else if b[i].eq_ignore_ascii_case(&'x') {
            out.extend('0'..='9');
            i += 1;
        } else {
            out.push(b[i].to_ascii_uppercase());
            i += 1;
        }
    }
    out.into_iter()
}

/// Checks that the endpoint can generate `signal`; returns its type.
pub(crate) fn check_signal(kind: EndpointKind, signal: &Signal) -> Result<SignalType, ReturnCode> {
    let i = item(kind, &signal.package, &signal.name)?;
    i.signal.ok_or(ReturnCode::CANNOT_GENERATE_SIGNAL)
}

/// True for events reported even when not requested (RFC 3435 §2.3.3).
/// RFC 3660 marks none; gateways make hook events persistent by
/// configuration (Cisco: `L/hd`, `L/hu`, `L/hf`), given as `package/name`.
pub(crate) fn is_persistent(configured: &[String], package: &str, name: &str) -> bool {
    configured.iter().any(|p| {
        p.split_once('/')
            .is_some_and(|(pk, n)| pk.eq_ignore_ascii_case(package) && n.eq_ignore_ascii_case(name))
    })
}

/// `PL:` for audits: every package of the kind with its version.
pub(crate) fn package_list(kind: EndpointKind) -> String {
    kind.packages()
        .iter()
        .map(|p| {
            let v = packages::package(p).map_or(0, |p| p.version);
            format!("{p}:{v}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Conn;

    fn pat(package: &str, event: EventMatch) -> Pattern {
        Pattern {
            package: Some(package.into()),
            event,
            connection: None::<Conn>,
        }
    }

    #[test]
    fn events_by_kind() {
        let line = EndpointKind::Line;
        assert_eq!(
            check_event(line, &pat("L", EventMatch::Name("hd".into()))),
            Ok(())
        );
        assert_eq!(
            check_event(line, &pat("D", EventMatch::Range("0-9#*T".into()))),
            Ok(())
        );
        assert_eq!(
            check_event(line, &pat("T", EventMatch::Name("co1".into()))),
            Err(ReturnCode::UNKNOWN_PACKAGE)
        );
        assert_eq!(
            check_event(line, &pat("L", EventMatch::Name("nosuch".into()))),
            Err(ReturnCode::NO_SUCH_EVENT_OR_SIGNAL)
        );
        assert_eq!(check_event(line, &pat("L", EventMatch::All)), Ok(()));
    }

    #[test]
    fn signals_by_kind() {
        let s = |p: &str, n: &str| Signal {
            package: p.into(),
            name: n.into(),
            connection: None,
            parameters: String::new(),
        };
        assert!(check_signal(EndpointKind::Line, &s("L", "dl")).is_ok());
        assert!(matches!(
            check_signal(EndpointKind::Line, &s("L", "rg")),
            Ok(SignalType::TimeOut { .. })
        ));
        assert_eq!(
            check_signal(EndpointKind::Line, &s("A", "ann")),
            Err(ReturnCode::UNKNOWN_PACKAGE)
        );
        assert!(check_signal(EndpointKind::Announcement, &s("A", "ann")).is_ok());
        assert_eq!(
            check_signal(EndpointKind::Line, &s("L", "hd")),
            Err(ReturnCode::CANNOT_GENERATE_SIGNAL)
        );
    }

    #[test]
    fn persistence_and_package_lists() {
        let configured = vec!["L/hd".to_string(), "L/hu".to_string()];
        assert!(is_persistent(&configured, "l", "HD"));
        assert!(!is_persistent(&configured, "D", "5"));
        assert!(package_list(EndpointKind::Line).starts_with("L:"));
    }
}
