//! `--trace`: every MGCP message a daemon sends or receives, on standard
//! output, in one of three forms:
//!
//! - `brief`: one line per message, as `mgcp decode` shows captures
//!   (time, from -> to, verb or code, transaction id, endpoint);
//! - `full`: the readable rendering of `mgcp decode` (every parameter
//!   named, SDP indented) under a header line;
//! - `cisco`: the IOS `debug mgcp packets` form (seed 003), which
//!   `mgcp decode` reads back.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::ValueEnum;
use mgcp_net::Direction;
use mgcp_proto::{Message, ParseOptions, parse_with, split_datagram};

/// Which form `--trace` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TraceFormat {
    /// One line per message.
    Brief,
    /// Every parameter, named.
    Full,
    /// Cisco IOS `debug mgcp packets`.
    Cisco,
}

/// Writes traces of datagrams in one form.
pub(crate) struct Tracer {
    format: TraceFormat,
    local: SocketAddr,
    out: Box<dyn Write + Send>,
}

impl Tracer {
    /// Traces to standard output; `local` is the daemon's MGCP address.
    pub(crate) fn stdout(format: TraceFormat, local: SocketAddr) -> Self {
        Tracer::new(format, local, Box::new(io::stdout()))
    }

    pub(crate) fn new(format: TraceFormat, local: SocketAddr, out: Box<dyn Write + Send>) -> Self {
        Tracer { format, local, out }
    }

    /// Traces one datagram (each piggybacked message on its own). Write
    /// errors are ignored: a closed pipe must not stop the daemon.
    pub(crate) fn datagram(&mut self, direction: Direction, peer: SocketAddr, datagram: &[u8]) {
        let now = SystemTime::now();
        let text = String::from_utf8_lossy(datagram);
        let mut buf = Vec::new();
        for message in split_datagram(&text) {
            let _ = self.write_one(&mut buf, now, direction, peer, message);
        }
        let _ = self.out.write_all(&buf);
        let _ = self.out.flush();
    }

    fn write_one(
        &self,
        out: &mut Vec<u8>,
        now: SystemTime,
        direction: Direction,
        peer: SocketAddr,
        message: &str,
    ) -> io::Result<()> {
        let received = direction == Direction::Received;
        let (from, to) = if received {
            (peer, self.local)
        } else {
            (self.local, peer)
        };
        match self.format {
            TraceFormat::Brief => {
                writeln!(
                    out,
                    "{}  {from:>21} -> {to:<21}  {}",
                    iso_time(now),
                    summary(message)
                )
            }
            TraceFormat::Full => {
                let way = if received { "received from" } else { "sent to" };
                writeln!(out, "--- {} {way} {peer}", iso_time(now))?;
                match parse_with(message.as_bytes(), &ParseOptions::lenient()) {
                    Ok(m) => crate::decode::render::message(out, &m, 0),
                    Err(e) => crate::decode::render::bad(out, message, &e.to_string(), 0),
                }
            }
            TraceFormat::Cisco => {
                let way = if received { "received from" } else { "sent to" };
                writeln!(out, "{}: MGCP Packet {way} {peer}--->", cisco_time(now))?;
                for line in message.lines() {
                    writeln!(out, "{}", line.trim_end_matches('\r'))?;
                }
                writeln!(out, "<---")
            }
        }
    }
}

/// `CRCX 12 aaln/1@gw`, `200 12 OK`, or the parse error.
fn summary(message: &str) -> String {
    match parse_with(message.as_bytes(), &ParseOptions::lenient()) {
        Ok(Message::Command(c)) => format!("{} {} {}", c.verb, c.transaction_id, c.endpoint),
        Ok(Message::Response(r)) => {
            let mut s = format!("{} {}", r.code, r.transaction_id);
            if let Some(phrase) = r.commentary.or(r.code.phrase()) {
                s.push(' ');
                s.push_str(phrase);
            }
            s
        }
        Err(e) => format!("MALFORMED: {e}"),
    }
}

/// Civil date (UTC) from a Unix time: (year, month 1-12, day, seconds of
/// the day, milliseconds).
fn civil(t: SystemTime) -> (i64, u32, u32, u64, u32) {
    let since = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Days to a proleptic Gregorian date (the usual era-based method).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, secs % 86_400, since.subsec_millis())
}

/// `2026-11-22T06:07:55.615Z`.
fn iso_time(t: SystemTime) -> String {
    let (y, mo, d, s, ms) = civil(t);
    format!(
        "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// `Nov 22 06:07:55.615` (IOS's `service timestamps debug datetime msec`).
fn cisco_time(t: SystemTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (_, mo, d, s, ms) = civil(t);
    let month = MONTHS[usize::try_from(mo - 1).unwrap_or(0) % 12];
    format!(
        "{month} {d:>2} {:02}:{:02}:{:02}.{ms:03}",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::*;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    const GW: &str = "127.0.0.1:2427";
    const CA: &str = "127.0.0.1:2727";
    const CRCX: &[u8] = b"CRCX 1001 aaln/1@gw MGCP 1.0\r\nC: A3C47F21456789F0\r\nM: recvonly\r\n";
    const REPLY: &[u8] = b"200 1001 OK\r\nI: 1A\r\n\r\nv=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 16384 RTP/AVP 0\r\n.\r\nRQNT 5 aaln/1@gw MGCP 1.0\r\nR: L/hd\r\n";

    fn trace(format: TraceFormat) -> String {
        let sink = Shared::default();
        let mut t = Tracer::new(format, GW.parse().unwrap(), Box::new(sink.clone()));
        t.datagram(Direction::Received, CA.parse().unwrap(), CRCX);
        t.datagram(Direction::Sent, CA.parse().unwrap(), REPLY);
        let bytes = sink.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn brief_is_one_line_per_message() {
        let text = trace(TraceFormat::Brief);
        let words: Vec<Vec<&str>> = text
            .lines()
            .map(|l| l.split_whitespace().skip(1).collect())
            .collect();
        assert_eq!(
            words,
            [
                vec![
                    "127.0.0.1:2727",
                    "->",
                    "127.0.0.1:2427",
                    "CRCX",
                    "1001",
                    "aaln/1@gw"
                ],
                vec![
                    "127.0.0.1:2427",
                    "->",
                    "127.0.0.1:2727",
                    "200",
                    "1001",
                    "OK"
                ],
                vec![
                    "127.0.0.1:2427",
                    "->",
                    "127.0.0.1:2727",
                    "RQNT",
                    "5",
                    "aaln/1@gw"
                ],
            ],
            "{text}"
        );
        assert!(text.starts_with("20"), "{text}");
    }

    #[test]
    fn full_names_every_parameter() {
        let text = trace(TraceFormat::Full);
        assert!(text.contains("received from 127.0.0.1:2727"), "{text}");
        assert!(text.contains("CallId"), "{text}");
        assert!(text.contains("ConnectionId"), "{text}");
        assert!(text.contains("m=audio 16384 RTP/AVP 0"), "{text}");
    }

    #[test]
    fn cisco_form_reads_back_through_the_log_decoder() {
        let text = trace(TraceFormat::Cisco);
        assert!(
            text.contains("MGCP Packet received from 127.0.0.1:2727--->"),
            "{text}"
        );
        let datagrams = mgcp_capture::cisco::read(&text);
        assert_eq!(datagrams.len(), 3, "{text}");
        assert_eq!(datagrams[0].payload, CRCX);
        assert_eq!(datagrams[0].from, CA.parse().unwrap());
        assert_eq!(datagrams[1].to, CA.parse().unwrap());
        let reply = String::from_utf8(datagrams[1].payload.clone()).unwrap();
        assert!(
            reply.starts_with("200 1001 OK\r\nI: 1A\r\n\r\nv=0\r\n"),
            "{reply}"
        );
        assert!(datagrams[2].payload.starts_with(b"RQNT 5"));
    }

    #[test]
    fn dates_are_civil_utc() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_327_675_615); // 2026-11-22
        assert_eq!(iso_time(t), "2026-11-22T06:07:55.615Z");
        assert_eq!(cisco_time(t), "Nov 22 06:07:55.615");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(iso_time(leap), "2000-02-29T00:00:00.000Z");
        assert_eq!(cisco_time(UNIX_EPOCH), "Jan  1 00:00:00.000");
    }
}
