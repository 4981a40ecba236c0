//! The encoder: one canonical wire form for every message.
//!
//! Canonical form (what we send, whatever we received):
//! - lines end with CRLF (RFC 3435 allows CRLF or LF; CRLF is what
//!   osmo-mgw, Cisco IOS and SDP's own RFC use);
//! - the first line's fields are separated by one space; verbs are
//!   upper-case; the version is `MGCP x.y` plus the profile if any;
//! - parameter lines are `CODE: value` with the RFC's upper-case code and
//!   one space after the colon, values rendered from their typed form
//!   (`, ` between list items); an empty value is written `CODE:`;
//! - when session descriptions follow, one empty line separates them from
//!   the header and from each other; no empty line is written otherwise;
//! - piggybacked messages are joined with a line holding only `.`.

use core::fmt::{self, Write};

use crate::message::{Command, Descriptions, Message, Params, Response};

const EOL: &str = "\r\n";

impl fmt::Display for Command<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}{EOL}",
            self.verb, self.transaction_id, self.endpoint, self.version
        )?;
        write_params(f, &self.params)?;
        write_descriptions(f, &self.sdp)
    }
}

impl fmt::Display for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.transaction_id)?;
        if let Some(p) = self.package {
            write!(f, " /{p}")?;
        }
        if let Some(c) = self.commentary {
            write!(f, " {c}")?;
        }
        f.write_str(EOL)?;
        write_params(f, &self.params)?;
        write_descriptions(f, &self.sdp)
    }
}

impl fmt::Display for Message<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Message::Command(c) => fmt::Display::fmt(c, f),
            Message::Response(r) => fmt::Display::fmt(r, f),
        }
    }
}

impl Message<'_> {
    /// Appends the canonical wire form to `out`.
    pub fn encode_into(&self, out: &mut String) {
        // Writing into a String cannot fail.
        let _ = write!(out, "{self}");
    }

    /// The canonical wire form as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::with_capacity(256);
        self.encode_into(&mut s);
        s.into_bytes()
    }
}

fn write_params(f: &mut impl Write, params: &Params<'_>) -> fmt::Result {
    for p in params {
        f.write_str(p.name().code())?;
        f.write_char(':')?;
        let mut value = ValueWriter {
            out: f,
            started: false,
        };
        p.write_value(&mut value)?;
        f.write_str(EOL)?;
    }
    Ok(())
}

/// Writes a value, putting the single space after the colon only when the
/// value is not empty (`S:` stays `S:`).
struct ValueWriter<'w, W: Write> {
    out: &'w mut W,
    started: bool,
}

impl<W: Write> Write for ValueWriter<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.is_empty() {
            return Ok(());
        }
        if !self.started {
            self.started = true;
            self.out.write_char(' ')?;
        }
        self.out.write_str(s)
    }
}

fn write_descriptions(f: &mut impl Write, sdp: &Descriptions<'_>) -> fmt::Result {
    for description in sdp {
        f.write_str(EOL)?;
        for (kind, value) in description.lines() {
            write!(f, "{kind}={value}{EOL}")?;
        }
    }
    Ok(())
}

/// Joins already-encoded messages into one datagram with `.` separator
/// lines (RFC 3435 §3.5.5). Each part must end with a line ending, as the
/// encoder's output does.
pub fn join_datagram<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push('.');
            out.push_str(EOL);
        }
        out.push_str(part);
        if !part.ends_with('\n') {
            out.push_str(EOL);
        }
    }
    out
}

/// The size a datagram would have if `next` were appended to a datagram of
/// `current` bytes (for staying within the peer's MaxMGCPDatagram).
pub fn joined_size(current: usize, next: usize) -> usize {
    if current == 0 {
        next
    } else {
        current + 1 + EOL.len() + next
    }
}

#[cfg(test)]
mod tests {
    use crate::parse::{ParseOptions, parse, parse_datagram};

    fn round_trip(text: &str) -> String {
        let m = parse(text.as_bytes()).unwrap();
        let out = m.to_string();
        let again = parse(out.as_bytes()).unwrap().to_string();
        assert_eq!(again, out);
        out
    }

    #[test]
    fn canonical_command() {
        let out = round_trip(
            "rqnt 1201 aaln/1@rgw MGCP 1.0\nn: ca@ca1.example.net:5678\nx: 0123456789AC\nr: L/hd( N ),L/hu(N)\ns:\n",
        );
        assert_eq!(
            out,
            "RQNT 1201 aaln/1@rgw MGCP 1.0\r\nN: ca@ca1.example.net:5678\r\nX: 0123456789AC\r\nR: L/hd(N), L/hu(N)\r\nS:\r\n"
        );
    }

    #[test]
    fn canonical_response() {
        let out = round_trip("801 5 /XYZ odd thing\nK:\n");
        assert_eq!(out, "801 5 /XYZ odd thing\r\nK:\r\n");
        assert_eq!(round_trip("000 7"), "000 7\r\n");
    }

    #[test]
    fn joins_datagrams() {
        let d = super::join_datagram(["200 1 OK\r\n", "000 2"]);
        assert_eq!(d, "200 1 OK\r\n.\r\n000 2\r\n");
        let opts = ParseOptions::default();
        assert_eq!(parse_datagram(d.as_bytes(), &opts).count(), 2);
        assert_eq!(super::joined_size(0, 10), 10);
        assert_eq!(super::joined_size(10, 10), 23);
    }
}
