//! ConnectionMode (`M:`, RFC 3435 §3.2.2.6, §2.3.5 and RFC 3660 modes).

use core::fmt;

/// A connection mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionMode<'a> {
    /// `sendonly`: the gateway only sends.
    SendOnly,
    /// `recvonly`: the gateway only receives.
    RecvOnly,
    /// `sendrecv`: both directions.
    SendRecv,
    /// `confrnce`: mix-minus among the endpoint's conference connections.
    Conference,
    /// `inactive`: neither direction.
    Inactive,
    /// `loopback`: media looped back on the circuit side.
    Loopback,
    /// `conttest`: continuity test (circuit side).
    ContinuityTest,
    /// `netwloop`: network loopback (media echoed back to the network).
    NetworkLoop,
    /// `netwtest`: network continuity test.
    NetworkTest,
    /// `data`: the connection carries data (e.g. modem relay).
    Data,
    /// An extension mode such as `X-foo` or `pkg/mode`, as written.
    Extension(&'a str),
}

impl<'a> ConnectionMode<'a> {
    /// Recognises a mode, case-insensitively. Extension modes must be
    /// tokens (`X-name` or `package/name`); anything else is `None`.
    pub fn parse(text: &'a str) -> Option<ConnectionMode<'a>> {
        const KNOWN: [(&str, ConnectionMode<'static>); 10] = [
            ("sendonly", ConnectionMode::SendOnly),
            ("recvonly", ConnectionMode::RecvOnly),
            ("sendrecv", ConnectionMode::SendRecv),
            ("confrnce", ConnectionMode::Conference),
            ("inactive", ConnectionMode::Inactive),
            ("loopback", ConnectionMode::Loopback),
            ("conttest", ConnectionMode::ContinuityTest),
            ("netwloop", ConnectionMode::NetworkLoop),
            ("netwtest", ConnectionMode::NetworkTest),
            ("data", ConnectionMode::Data),
        ];
        if let Some((_, mode)) = KNOWN.iter().find(|(n, _)| n.eq_ignore_ascii_case(text)) {
            return Some(*mode);
        }
        let is_ext = match text.split_once('/') {
            Some((p, n)) => crate::event::is_token(p) && crate::event::is_token(n),
            None => {
                (text.starts_with("X-") || text.starts_with("x-")) && crate::event::is_token(text)
            }
        };
        is_ext.then_some(ConnectionMode::Extension(text))
    }

    /// The wire form.
    pub fn as_str(&self) -> &'a str {
        match self {
            ConnectionMode::SendOnly => "sendonly",
            ConnectionMode::RecvOnly => "recvonly",
            ConnectionMode::SendRecv => "sendrecv",
            ConnectionMode::Conference => "confrnce",
            ConnectionMode::Inactive => "inactive",
            ConnectionMode::Loopback => "loopback",
            ConnectionMode::ContinuityTest => "conttest",
            ConnectionMode::NetworkLoop => "netwloop",
            ConnectionMode::NetworkTest => "netwtest",
            ConnectionMode::Data => "data",
            ConnectionMode::Extension(e) => e,
        }
    }

    /// True when media from the network is played out (received).
    pub fn receives(&self) -> bool {
        matches!(
            self,
            ConnectionMode::RecvOnly | ConnectionMode::SendRecv | ConnectionMode::Conference
        )
    }

    /// True when media is sent to the network.
    pub fn sends(&self) -> bool {
        matches!(
            self,
            ConnectionMode::SendOnly | ConnectionMode::SendRecv | ConnectionMode::Conference
        )
    }
}

impl fmt::Display for ConnectionMode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A comma- or semicolon-separated list of modes, as Cisco gateways print
/// their supported modes in audit responses (`M: sendonly, recvonly, ...`).
#[derive(Debug, Clone, Copy, Eq, Hash)]
pub struct ConnectionModes<'a> {
    raw: &'a str,
}

impl<'a> ConnectionModes<'a> {
    /// Validates the list; `None` if an item is not a mode.
    pub fn parse(raw: &'a str) -> Option<ConnectionModes<'a>> {
        let ok = split_modes(raw).all(|m| ConnectionMode::parse(m).is_some());
        ok.then_some(ConnectionModes { raw })
    }

    /// The modes in order.
    pub fn iter(&self) -> impl Iterator<Item = ConnectionMode<'a>> + use<'a> {
        split_modes(self.raw).filter_map(ConnectionMode::parse)
    }
}

fn split_modes(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([',', ';']).map(crate::text::trim_wsp)
}

impl PartialEq for ConnectionModes<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl fmt::Display for ConnectionModes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, m) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(m.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_modes() {
        for m in [
            "sendonly", "recvonly", "sendrecv", "confrnce", "inactive", "loopback", "conttest",
            "netwloop", "netwtest", "data",
        ] {
            let mode = ConnectionMode::parse(m).unwrap();
            assert_eq!(mode.as_str(), m);
            assert_eq!(ConnectionMode::parse(&m.to_uppercase()), Some(mode));
        }
        assert_eq!(
            ConnectionMode::parse("X-replicate"),
            Some(ConnectionMode::Extension("X-replicate"))
        );
        assert_eq!(
            ConnectionMode::parse("FXR/fax"),
            Some(ConnectionMode::Extension("FXR/fax"))
        );
        assert_eq!(ConnectionMode::parse("bogus"), None);
        assert_eq!(ConnectionMode::parse(""), None);
    }

    #[test]
    fn directions() {
        assert!(ConnectionMode::SendRecv.sends() && ConnectionMode::SendRecv.receives());
        assert!(!ConnectionMode::RecvOnly.sends() && ConnectionMode::RecvOnly.receives());
        assert!(!ConnectionMode::Inactive.sends() && !ConnectionMode::Inactive.receives());
    }

    #[test]
    fn cisco_mode_lists() {
        let l = ConnectionModes::parse(
            "sendonly, recvonly, sendrecv, inactive, loopback, conttest, data, netwloop, netwtest",
        )
        .unwrap();
        assert_eq!(l.iter().count(), 9);
        assert!(ConnectionModes::parse("sendonly, nope").is_none());
    }
}
