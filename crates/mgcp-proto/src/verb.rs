//! Command verbs (RFC 3435 §3.2.1).

use core::fmt;

/// The verb of a command line.
///
/// The nine verbs of RFC 3435 plus extension verbs: four characters, a
/// letter followed by letters or digits (experimental ones start with `X`).
/// Verbs are case-insensitive on the wire and always held upper-case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    /// EndpointConfiguration.
    Epcf,
    /// CreateConnection.
    Crcx,
    /// ModifyConnection.
    Mdcx,
    /// DeleteConnection.
    Dlcx,
    /// NotificationRequest.
    Rqnt,
    /// Notify.
    Ntfy,
    /// AuditEndpoint.
    Auep,
    /// AuditConnection.
    Aucx,
    /// RestartInProgress.
    Rsip,
    /// An extension verb, upper-cased ASCII.
    Extension([u8; 4]),
}

/// The nine verbs RFC 3435 defines, in the order of its §2.3.
pub const RFC_VERBS: [Verb; 9] = [
    Verb::Epcf,
    Verb::Crcx,
    Verb::Mdcx,
    Verb::Dlcx,
    Verb::Rqnt,
    Verb::Ntfy,
    Verb::Auep,
    Verb::Aucx,
    Verb::Rsip,
];

impl Verb {
    /// Recognises a verb from its four characters, case-insensitively.
    ///
    /// Returns `None` when the text is not four characters of the verb
    /// alphabet (a letter, then letters or digits).
    pub fn from_bytes(text: &[u8]) -> Option<Verb> {
        let [a, b, c, d] = *text else { return None };
        let up = [
            a.to_ascii_uppercase(),
            b.to_ascii_uppercase(),
            c.to_ascii_uppercase(),
            d.to_ascii_uppercase(),
        ];
        if !up[0].is_ascii_alphabetic() || !up[1..].iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        Some(match &up {
            b"EPCF" => Verb::Epcf,
            b"CRCX" => Verb::Crcx,
            b"MDCX" => Verb::Mdcx,
            b"DLCX" => Verb::Dlcx,
            b"RQNT" => Verb::Rqnt,
            b"NTFY" => Verb::Ntfy,
            b"AUEP" => Verb::Auep,
            b"AUCX" => Verb::Aucx,
            b"RSIP" => Verb::Rsip,
            _ => Verb::Extension(up),
        })
    }

    /// The upper-case wire form.
    pub fn as_str(&self) -> &str {
        match self {
            Verb::Epcf => "EPCF",
            Verb::Crcx => "CRCX",
            Verb::Mdcx => "MDCX",
            Verb::Dlcx => "DLCX",
            Verb::Rqnt => "RQNT",
            Verb::Ntfy => "NTFY",
            Verb::Auep => "AUEP",
            Verb::Aucx => "AUCX",
            Verb::Rsip => "RSIP",
            // Only ASCII alphanumerics are stored, so this cannot fail.
            Verb::Extension(bytes) => core::str::from_utf8(bytes).unwrap_or("XXXX"),
        }
    }

    /// True for the nine verbs RFC 3435 defines.
    pub fn is_rfc(&self) -> bool {
        !matches!(self, Verb::Extension(_))
    }

    /// True for experimental extension verbs (starting with `X`).
    pub fn is_experimental(&self) -> bool {
        matches!(self, Verb::Extension([b'X', ..]))
    }

    /// The long name RFC 3435 uses, e.g. `CreateConnection`.
    pub fn long_name(&self) -> &'static str {
        match self {
            Verb::Epcf => "EndpointConfiguration",
            Verb::Crcx => "CreateConnection",
            Verb::Mdcx => "ModifyConnection",
            Verb::Dlcx => "DeleteConnection",
            Verb::Rqnt => "NotificationRequest",
            Verb::Ntfy => "Notify",
            Verb::Auep => "AuditEndpoint",
            Verb::Aucx => "AuditConnection",
            Verb::Rsip => "RestartInProgress",
            Verb::Extension(_) => "Extension",
        }
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_rfc_verbs_case_insensitively() {
        for verb in RFC_VERBS {
            assert_eq!(Verb::from_bytes(verb.as_str().as_bytes()), Some(verb));
            let lower = verb.as_str().to_ascii_lowercase();
            assert_eq!(Verb::from_bytes(lower.as_bytes()), Some(verb));
        }
        assert_eq!(Verb::from_bytes(b"cRcX"), Some(Verb::Crcx));
    }

    #[test]
    fn extension_verbs() {
        let v = Verb::from_bytes(b"xabc").unwrap();
        assert_eq!(v.as_str(), "XABC");
        assert!(v.is_experimental());
        assert!(!v.is_rfc());
        assert_eq!(Verb::from_bytes(b"MOV1").unwrap().as_str(), "MOV1");
        assert!(!Verb::from_bytes(b"MOV1").unwrap().is_experimental());
    }

    #[test]
    fn rejects_non_verbs() {
        for bad in [&b"CRC"[..], b"CRCXX", b"1RCX", b"CR-X", b"", b"CR X"] {
            assert_eq!(Verb::from_bytes(bad), None, "{bad:?}");
        }
    }
}
