//! Cisco IOS `debug mgcp packets` logs (seed 003 is one):
//!
//! ```text
//! Apr 24 06:07:55.615: MGCP Packet received from 177.1.10.10:2427--->
//! AUEP 47 S0/SU0/DS1-0/1@HQ-R1 MGCP 0.1
//! F: X, A, I
//! <---
//! ```
//!
//! A block starts at a `MGCP Packet received from ADDR--->` or `MGCP Packet
//! sent to ADDR--->` line (with its timestamp, optionally prefixed by `*`)
//! and ends at `<---`. Lines pasted into a block that are not MGCP
//! (comment banners of `*` or `#`, prose) are dropped; parameter lines,
//! empty lines and SDP lines are kept.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::Datagram;

/// The address standing for "this gateway" in a log (the log does not say
/// its own address).
pub const LOCAL: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);

/// True when the text looks like a Cisco MGCP debug log.
pub fn is_cisco_log(text: &str) -> bool {
    text.contains("MGCP Packet received from") || text.contains("MGCP Packet sent to")
}

/// The datagrams of a log, in order. Each carries its timestamp (seconds
/// since January 1st of an unnamed year) and the peer's address; the
/// gateway itself is [`LOCAL`].
pub fn read(text: &str) -> Vec<Datagram> {
    let mut out = Vec::new();
    let mut current: Option<(Datagram, Vec<&str>)> = None;
    for line in text.lines().map(|l| l.trim_end_matches('\r')) {
        if let Some(start) = block_start(line) {
            if let Some((d, lines)) = current.take() {
                out.push(finish(d, &lines));
            }
            current = Some((start, Vec::new()));
            continue;
        }
        let Some((_, lines)) = current.as_mut() else {
            continue;
        };
        if line.trim() == "<---" {
            if let Some((d, lines)) = current.take() {
                out.push(finish(d, &lines));
            }
        } else {
            lines.push(line);
        }
    }
    if let Some((d, lines)) = current {
        out.push(finish(d, &lines));
    }
    out
}

fn block_start(line: &str) -> Option<Datagram> {
    let (received, at) = if let Some(i) = line.find("MGCP Packet received from ") {
        (true, i + "MGCP Packet received from ".len())
    } else {
        (
            false,
            line.find("MGCP Packet sent to ")? + "MGCP Packet sent to ".len(),
        )
    };
    let addr_text = line[at..].trim().trim_end_matches("--->").trim();
    let peer: SocketAddr = addr_text.parse().ok().or_else(|| {
        addr_text
            .parse::<IpAddr>()
            .ok()
            .map(|ip| SocketAddr::new(ip, 2427))
    })?;
    let time = timestamp(&line[..at]);
    let (from, to) = if received {
        (peer, LOCAL)
    } else {
        (LOCAL, peer)
    };
    Some(Datagram {
        time,
        from,
        to,
        payload: Vec::new(),
    })
}

/// `Apr 24 06:07:55.615:` (optionally `*Apr 24 ...`) → time since January 1.
fn timestamp(prefix: &str) -> Option<Duration> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    const DAYS_BEFORE: [u64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let mut words = prefix
        .trim_start_matches(['*', '.', ' '])
        .split_whitespace();
    let month_name = words.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)?;
    let day: u64 = words.next()?.parse().ok()?;
    let clock = words.next()?.trim_end_matches(':');
    let mut hms = clock.split(':');
    let h: u64 = hms.next()?.parse().ok()?;
    let m: u64 = hms.next()?.parse().ok()?;
    let s: f64 = hms.next()?.parse().ok()?;
    let days = DAYS_BEFORE[month] + day.saturating_sub(1);
    let whole = ((days * 24 + h) * 60 + m) * 60;
    Some(Duration::from_secs(whole) + Duration::from_secs_f64(s.max(0.0)))
}

/// Keeps the MGCP lines of a block and joins them with CRLF.
fn finish(mut d: Datagram, lines: &[&str]) -> Datagram {
    let mut kept: Vec<&str> = Vec::new();
    let mut body = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_end();
        if i == 0 || body && is_sdp_line(t) {
            kept.push(t);
        } else if t.is_empty() {
            // An empty line starts the SDP only when SDP follows.
            if lines[i + 1..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| is_sdp_line(l.trim_end()))
                && !body
            {
                kept.push("");
                body = true;
            }
        } else if is_parameter_line(t) && !body {
            kept.push(t);
        }
    }
    d.payload = kept.join("\r\n").into_bytes();
    d.payload.extend_from_slice(b"\r\n");
    d
}

fn is_parameter_line(line: &str) -> bool {
    let Some((name, _)) = line.split_once(':') else {
        return false;
    };
    !name.is_empty()
        && name.len() <= 16
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'/'))
}

fn is_sdp_line(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 2 && b[0].is_ascii_lowercase() && b[1] == b'='
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_with_comments_inside() {
        let log = "prose before\n\
Apr 24 06:07:55.615: MGCP Packet received from 177.1.10.10:2427--->\n\
AUEP 47 S0/SU0/DS1-0/1@HQ-R1 MGCP 0.1\n\
F: X, A, I\n\
<---\n\
Apr 24 06:07:55.623: MGCP Packet sent to 177.1.10.10:2427--->\n\
200 47\n\
I: 23\n\
*************\n\
This is connection identifier. If the call is preserved on a\n\
***************\n\
X: 1\n\
M: sendonly, recvonly\n\
<---\n";
        let d = read(log);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].from, "177.1.10.10:2427".parse().unwrap());
        assert_eq!(d[0].to, LOCAL);
        assert_eq!(
            String::from_utf8_lossy(&d[0].payload),
            "AUEP 47 S0/SU0/DS1-0/1@HQ-R1 MGCP 0.1\r\nF: X, A, I\r\n"
        );
        assert_eq!(
            String::from_utf8_lossy(&d[1].payload),
            "200 47\r\nI: 23\r\nX: 1\r\nM: sendonly, recvonly\r\n"
        );
        let dt = d[1].time.unwrap() - d[0].time.unwrap();
        assert_eq!(dt.as_millis(), 8);
    }

    #[test]
    fn sdp_bodies_survive() {
        let log = "*Mar  1 00:01:02.003: MGCP Packet sent to 10.0.0.1:2727--->\n200 5 OK\nI: 1\n\nv=0\nc=IN IP4 10.0.0.2\nm=audio 16384 RTP/AVP 0\n<---\n";
        let d = read(log);
        assert_eq!(
            String::from_utf8_lossy(&d[0].payload),
            "200 5 OK\r\nI: 1\r\n\r\nv=0\r\nc=IN IP4 10.0.0.2\r\nm=audio 16384 RTP/AVP 0\r\n"
        );
        assert!(d[0].time.is_some());
    }
}
