//! The readable rendering: the first line explained, then one aligned row
//! per parameter (code, long name, value) and the session descriptions.

use std::io::{self, Write};

use mgcp_proto::Message;

/// Writes one message.
pub(crate) fn message(out: &mut impl Write, message: &Message<'_>, index: usize) -> io::Result<()> {
    if index > 0 {
        writeln!(out)?;
    }
    match message {
        Message::Command(c) => writeln!(
            out,
            "{} {} {} {}    ({})",
            c.verb,
            c.transaction_id,
            c.endpoint,
            c.version,
            c.verb.long_name()
        )?,
        Message::Response(r) => {
            write!(out, "{} {}", r.code, r.transaction_id)?;
            if let Some(p) = r.package {
                write!(out, " /{p}")?;
            }
            if let Some(c) = r.commentary {
                write!(out, " {c}")?;
            }
            match r.code.phrase() {
                Some(phrase) => writeln!(out, "    ({phrase})")?,
                None => writeln!(out)?,
            }
        }
    }
    let params = message.params();
    let width = params
        .iter()
        .map(|p| p.name().long_name().len())
        .max()
        .unwrap_or(0);
    for p in params {
        let mut value = String::new();
        // Writing into a String cannot fail.
        let _ = p.write_value(&mut value);
        writeln!(
            out,
            "  {:<3} {:<width$}  {}",
            p.name().code(),
            p.name().long_name(),
            value
        )?;
    }
    for (i, d) in message.sdp().iter().enumerate() {
        let label = match (message.sdp().len(), i) {
            (2, 0) => "local",
            (2, 1) => "remote",
            _ => "",
        };
        writeln!(out, "  session description {} {label}", i + 1)?;
        for line in d.as_str().lines() {
            writeln!(out, "    {}", line.trim_end_matches('\r'))?;
        }
    }
    Ok(())
}

/// Writes a message that could not be decoded, with its error.
pub(crate) fn bad(out: &mut impl Write, raw: &str, error: &str, index: usize) -> io::Result<()> {
    if index > 0 {
        writeln!(out)?;
    }
    writeln!(out, "MALFORMED: {error}")?;
    for line in raw.lines() {
        writeln!(out, "  | {}", line.trim_end_matches('\r'))?;
    }
    Ok(())
}
