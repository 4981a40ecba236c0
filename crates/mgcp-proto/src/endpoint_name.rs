//! Endpoint names (RFC 3435 §2.1.1, §3.2.1.3) and the domain part shared
//! with notified entities (§3.2.1.3, §2.1.4).
//!
//! An endpoint name is `local@domain[:port]`. The local name is a
//! hierarchy of terms separated by `/`; a term may be the wildcard `*`
//! ("all of") or `$` ("any of"). The domain is a host name or an IP address
//! in brackets. Names are case-insensitive: compare with
//! [`EndpointName::eq_ignore_case`] or hash [`EndpointName::key`].

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Longest local name or domain accepted (RFC 3435 gives 255 for domains).
pub const MAX_NAME_LEN: usize = 255;

/// Why an endpoint name, domain or notified entity was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// There is no `@` between the local name and the domain.
    #[error("missing '@' between local name and domain")]
    MissingAt,
    /// The local name is empty.
    #[error("empty local name")]
    EmptyLocalName,
    /// A term between slashes is empty.
    #[error("empty term in local name")]
    EmptyTerm,
    /// A term mixes a wildcard with other characters, e.g. `1*`.
    #[error("wildcard '*' or '$' must be a whole term")]
    PartialWildcard,
    /// A character not allowed in a local name.
    #[error("character not allowed in local name")]
    BadLocalChar,
    /// The domain is empty.
    #[error("empty domain name")]
    EmptyDomain,
    /// A character not allowed in a domain name.
    #[error("character not allowed in domain name")]
    BadDomainChar,
    /// The text in brackets is not an IP address.
    #[error("bracketed domain is not an IPv4 or IPv6 address")]
    BadAddress,
    /// The port is not a number from 0 to 65535.
    #[error("bad port number")]
    BadPort,
    /// The name is longer than [`MAX_NAME_LEN`].
    #[error("name too long")]
    TooLong,
}

/// The domain part of an endpoint name or notified entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain<'a> {
    /// A host name, as written.
    Host(&'a str),
    /// `[a.b.c.d]`.
    Ipv4(Ipv4Addr),
    /// `[v6 address]`.
    Ipv6(Ipv6Addr),
}

impl<'a> Domain<'a> {
    /// Parses a domain: a host name or a bracketed address.
    pub fn parse(text: &'a str) -> Result<Domain<'a>, NameError> {
        if text.is_empty() {
            return Err(NameError::EmptyDomain);
        }
        if text.len() > MAX_NAME_LEN {
            return Err(NameError::TooLong);
        }
        if let Some(inner) = text.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or(NameError::BadAddress)?;
            return match inner.parse::<IpAddr>() {
                Ok(IpAddr::V4(a)) => Ok(Domain::Ipv4(a)),
                Ok(IpAddr::V6(a)) => Ok(Domain::Ipv6(a)),
                Err(_) => Err(NameError::BadAddress),
            };
        }
        // RFC 3435 allows letters, digits, '.', '-' and '#'; '_' is common.
        let ok = text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'#' | b'_'));
        if ok {
            Ok(Domain::Host(text))
        } else {
            Err(NameError::BadDomainChar)
        }
    }

    /// The IP address, when the domain is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match *self {
            Domain::Host(_) => None,
            Domain::Ipv4(a) => Some(IpAddr::V4(a)),
            Domain::Ipv6(a) => Some(IpAddr::V6(a)),
        }
    }

    /// Case-insensitive comparison (host names are case-insensitive).
    pub fn eq_ignore_case(&self, other: &Domain<'_>) -> bool {
        match (self, other) {
            (Domain::Host(a), Domain::Host(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a.ip() == b.ip() && a.ip().is_some(),
        }
    }
}

impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Host(h) => f.write_str(h),
            Domain::Ipv4(a) => write!(f, "[{a}]"),
            Domain::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

/// One term of a local endpoint name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Term<'a> {
    /// A plain name such as `aaln` or `DS1-0`.
    Name(&'a str),
    /// `$`: any one endpoint matching the rest (the gateway chooses).
    Any,
    /// `*`: all endpoints matching the rest.
    All,
}

impl fmt::Display for Term<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Name(n) => f.write_str(n),
            Term::Any => f.write_str("$"),
            Term::All => f.write_str("*"),
        }
    }
}

/// An endpoint name such as `aaln/1@rgw.example.net` or
/// `S0/SU0/DS1-0/*@HQ-R1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EndpointName<'a> {
    local: &'a str,
    domain: Domain<'a>,
    port: Option<u16>,
}

impl<'a> EndpointName<'a> {
    /// Parses `local@domain[:port]`. The last `@` separates the domain.
    pub fn parse(text: &'a str) -> Result<EndpointName<'a>, NameError> {
        let at = text.rfind('@').ok_or(NameError::MissingAt)?;
        let local = &text[..at];
        check_local_name(local)?;
        let (domain, port) = split_port(&text[at + 1..])?;
        Ok(EndpointName {
            local,
            domain: Domain::parse(domain)?,
            port,
        })
    }

    /// Builds a name from parts; the local name is checked.
    pub fn new(
        local: &'a str,
        domain: Domain<'a>,
        port: Option<u16>,
    ) -> Result<EndpointName<'a>, NameError> {
        check_local_name(local)?;
        Ok(EndpointName {
            local,
            domain,
            port,
        })
    }

    /// The local name, as written (e.g. `aaln/1`).
    pub fn local_name(&self) -> &'a str {
        self.local
    }

    /// The domain.
    pub fn domain(&self) -> Domain<'a> {
        self.domain
    }

    /// The port, when one was written.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The terms of the local name.
    pub fn terms(&self) -> impl Iterator<Item = Term<'a>> + use<'a> {
        self.local.split('/').map(|t| match t {
            "*" => Term::All,
            "$" => Term::Any,
            other => Term::Name(other),
        })
    }

    /// True when any term is `*` or `$`.
    pub fn is_wildcard(&self) -> bool {
        self.terms().any(|t| matches!(t, Term::Any | Term::All))
    }

    /// True when a term is `$` ("any of").
    pub fn has_any(&self) -> bool {
        self.terms().any(|t| t == Term::Any)
    }

    /// True when a term is `*` ("all of").
    pub fn has_all(&self) -> bool {
        self.terms().any(|t| t == Term::All)
    }

    /// Case-insensitive equality of the whole name.
    pub fn eq_ignore_case(&self, other: &EndpointName<'_>) -> bool {
        self.local.eq_ignore_ascii_case(other.local)
            && self.domain.eq_ignore_case(&other.domain)
            && self.port == other.port
    }

    /// A lower-cased key of the local name, for hash tables that must
    /// find `AALN/1` under `aaln/1`.
    pub fn key(&self) -> String {
        self.local.to_ascii_lowercase()
    }
}

impl fmt::Display for EndpointName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local, self.domain)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

/// Checks the local part of an endpoint name: non-empty terms separated by
/// `/`, each a whole wildcard or made of RFC 3435's allowed characters
/// (visible ASCII except `$`, `*`, `/` and `@`).
fn check_local_name(local: &str) -> Result<(), NameError> {
    if local.is_empty() {
        return Err(NameError::EmptyLocalName);
    }
    if local.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong);
    }
    for term in local.split('/') {
        match term {
            "" => return Err(NameError::EmptyTerm),
            "*" | "$" => {}
            _ => {
                for b in term.bytes() {
                    match b {
                        b'*' | b'$' => return Err(NameError::PartialWildcard),
                        b'@' | b'/' => return Err(NameError::BadLocalChar),
                        0x21..=0x7e => {}
                        _ => return Err(NameError::BadLocalChar),
                    }
                }
            }
        }
    }
    Ok(())
}

/// Splits an optional `:port` off a domain, minding IPv6 brackets.
fn split_port(text: &str) -> Result<(&str, Option<u16>), NameError> {
    let colon = match text.rfind(':') {
        Some(i) if !text.starts_with('[') || text[..i].ends_with(']') => i,
        _ => return Ok((text, None)),
    };
    let digits = &text[colon + 1..];
    let port = crate::text::parse_decimal(digits.as_bytes(), 5)
        .and_then(|p| u16::try_from(p).ok())
        .ok_or(NameError::BadPort)?;
    Ok((&text[..colon], Some(port)))
}

/// A notified entity (RFC 3435 §3.2.1.3): `[local@]domain[:port]`, such as
/// `ca@ca1.example.net:5678` or `[128.96.41.12]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NotifiedEntity<'a> {
    local: Option<&'a str>,
    domain: Domain<'a>,
    port: Option<u16>,
}

impl<'a> NotifiedEntity<'a> {
    /// Parses `[local@]domain[:port]`.
    pub fn parse(text: &'a str) -> Result<NotifiedEntity<'a>, NameError> {
        let (local, rest) = match text.rfind('@') {
            Some(at) => (Some(&text[..at]), &text[at + 1..]),
            None => (None, text),
        };
        if let Some(l) = local {
            if l.is_empty() {
                return Err(NameError::EmptyLocalName);
            }
            if !l.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'@') {
                return Err(NameError::BadLocalChar);
            }
        }
        let (domain, port) = split_port(rest)?;
        Ok(NotifiedEntity {
            local,
            domain: Domain::parse(domain)?,
            port,
        })
    }

    /// Builds an entity from parts.
    pub fn new(local: Option<&'a str>, domain: Domain<'a>, port: Option<u16>) -> Self {
        NotifiedEntity {
            local,
            domain,
            port,
        }
    }

    /// The part before `@`, if any.
    pub fn local_name(&self) -> Option<&'a str> {
        self.local
    }

    /// The domain.
    pub fn domain(&self) -> Domain<'a> {
        self.domain
    }

    /// The port, when one was written (the default is 2727 for call agents).
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

impl fmt::Display for NotifiedEntity<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(local) = self.local {
            write!(f, "{local}@")?;
        }
        write!(f, "{}", self.domain)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_cisco_names() {
        let n = EndpointName::parse("aaln/1@rgw.example.net").unwrap();
        assert_eq!(n.local_name(), "aaln/1");
        assert_eq!(n.domain(), Domain::Host("rgw.example.net"));
        assert_eq!(n.port(), None);
        assert!(!n.is_wildcard());
        let c = EndpointName::parse("S0/SU0/DS1-0/1@HQ-R1").unwrap();
        assert_eq!(
            c.terms().collect::<Vec<_>>(),
            vec![
                Term::Name("S0"),
                Term::Name("SU0"),
                Term::Name("DS1-0"),
                Term::Name("1")
            ]
        );
    }

    #[test]
    fn wildcards() {
        let n = EndpointName::parse("ds/ds1-3/*@gw").unwrap();
        assert!(n.is_wildcard() && n.has_all() && !n.has_any());
        let n = EndpointName::parse("rtpbridge/$@mgw").unwrap();
        assert!(n.has_any());
        assert_eq!(EndpointName::parse("*@gw").unwrap().terms().count(), 1);
        assert_eq!(
            EndpointName::parse("aaln/1*@gw"),
            Err(NameError::PartialWildcard)
        );
    }

    #[test]
    fn addresses_and_ports() {
        let n = EndpointName::parse("aaln/1@[192.168.1.2]:2427").unwrap();
        assert_eq!(n.domain().ip(), Some("192.168.1.2".parse().unwrap()));
        assert_eq!(n.port(), Some(2427));
        let n = EndpointName::parse("aaln/1@[2001:db8::1]").unwrap();
        assert_eq!(n.domain().ip(), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(n.port(), None);
        let n = EndpointName::parse("aaln/1@[2001:db8::1]:5000").unwrap();
        assert_eq!(n.port(), Some(5000));
        assert_eq!(n.to_string(), "aaln/1@[2001:db8::1]:5000");
        assert_eq!(EndpointName::parse("a@[1.2.3]"), Err(NameError::BadAddress));
        assert_eq!(EndpointName::parse("a@gw:99999"), Err(NameError::BadPort));
    }

    #[test]
    fn rejects_bad_names() {
        assert_eq!(EndpointName::parse("aaln/1"), Err(NameError::MissingAt));
        assert_eq!(EndpointName::parse("@gw"), Err(NameError::EmptyLocalName));
        assert_eq!(EndpointName::parse("a//b@gw"), Err(NameError::EmptyTerm));
        assert_eq!(EndpointName::parse("a@"), Err(NameError::EmptyDomain));
        assert_eq!(EndpointName::parse("a@g w"), Err(NameError::BadDomainChar));
        assert_eq!(EndpointName::parse("a b@gw"), Err(NameError::BadLocalChar));
    }

    #[test]
    fn case_insensitive_comparison() {
        let a = EndpointName::parse("AALN/1@RGW.example.net").unwrap();
        let b = EndpointName::parse("aaln/1@rgw.EXAMPLE.net").unwrap();
        assert_ne!(a, b);
        assert!(a.eq_ignore_case(&b));
        assert_eq!(a.key(), b.key());
    }

    #[test]
    fn notified_entities() {
        let n = NotifiedEntity::parse("ca@ca1.example.net:5678").unwrap();
        assert_eq!(n.local_name(), Some("ca"));
        assert_eq!(n.port(), Some(5678));
        let n = NotifiedEntity::parse("[128.96.41.12]").unwrap();
        assert_eq!(n.local_name(), None);
        assert_eq!(n.to_string(), "[128.96.41.12]");
        assert!(NotifiedEntity::parse("@x").is_err());
    }
}
