//! DTMF as RTP events (RFC 4733 §2.3, the telephone-event payload):
//! the 4-byte payload, a sender that turns one digit into the packet
//! series RFC 4733 §2.5.1 describes (first packet with the marker bit,
//! updates every packetisation period with a growing duration, the end
//! packet sent three times), and a receiver that reports each event once
//! however many of its packets arrive (§2.5.2: same timestamp, same
//! event).
//!
//! Not here: events other than the DTMF ones (0-15), segmented long
//! events.

/// The RFC 4733 event code of a DTMF key (`0`-`9`, `*`, `#`, `A`-`D`).
pub fn event_code(digit: char) -> Option<u8> {
    Some(match digit.to_ascii_uppercase() {
        d @ '0'..='9' => d as u8 - b'0',
        '*' => 10,
        '#' => 11,
        d @ 'A'..='D' => 12 + (d as u8 - b'A'),
        _ => return None,
    })
}

/// The DTMF key of an event code.
pub fn event_digit(code: u8) -> Option<char> {
    Some(match code {
        0..=9 => (b'0' + code) as char,
        10 => '*',
        11 => '#',
        12..=15 => (b'A' + code - 12) as char,
        _ => return None,
    })
}

/// One telephone-event payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// Event code.
    pub code: u8,
    /// End bit.
    pub end: bool,
    /// Volume, -dBm0 (0-63).
    pub volume: u8,
    /// Duration so far, timestamp units.
    pub duration: u16,
}

impl Event {
    /// Reads a payload.
    pub fn read(payload: &[u8]) -> Option<Event> {
        let p = payload.get(..4)?;
        Some(Event {
            code: p[0],
            end: p[1] & 0x80 != 0,
            volume: p[1] & 0x3F,
            duration: u16::from_be_bytes([p[2], p[3]]),
        })
    }

    /// Writes the payload into `out[..4]`.
    pub fn write(&self, out: &mut [u8]) {
        out[0] = self.code;
        out[1] = (u8::from(self.end) << 7) | (self.volume & 0x3F);
        out[2..4].copy_from_slice(&self.duration.to_be_bytes());
    }
}

/// The packets of one event being sent: ask [`EventSender::next`] once per
/// packetisation period.
#[derive(Debug, Clone)]
pub struct EventSender {
    code: u8,
    volume: u8,
    total: u32,
    step: u32,
    sent: u32,
    ends_sent: u8,
}

/// One packet to send for an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPacket {
    /// The payload.
    pub event: Event,
    /// The first packet of the event (set the marker bit).
    pub first: bool,
}

impl EventSender {
    /// An event `code` lasting `duration` timestamp units, updated every
    /// `step` units (the packetisation period), at `volume` -dBm0.
    pub fn new(code: u8, duration: u32, step: u32, volume: u8) -> EventSender {
        EventSender {
            code,
            volume,
            total: duration.clamp(1, u32::from(u16::MAX)),
            step: step.max(1),
            sent: 0,
            ends_sent: 0,
        }
    }

    /// True once every packet went.
    pub fn finished(&self) -> bool {
        self.ends_sent >= 3
    }
}

impl Iterator for EventSender {
    type Item = EventPacket;

    /// The next packet, or `None` once the third end packet went.
    fn next(&mut self) -> Option<EventPacket> {
        if self.ends_sent >= 3 {
            return None;
        }
        let first = self.sent == 0;
        self.sent = (self.sent + self.step).min(self.total);
        let end = self.sent >= self.total;
        if end {
            self.ends_sent += 1;
        }
        Some(EventPacket {
            event: Event {
                code: self.code,
                end,
                volume: self.volume,
                duration: self.sent as u16,
            },
            first,
        })
    }
}

/// Reports each received event once.
#[derive(Debug, Clone, Default)]
pub struct EventReceiver {
    last: Option<(u32, u8)>,
}

impl EventReceiver {
    /// A telephone-event packet with RTP timestamp `timestamp` arrived;
    /// returns the digit when it is a new event.
    pub fn on_packet(&mut self, timestamp: u32, payload: &[u8]) -> Option<char> {
        let e = Event::read(payload)?;
        if self.last == Some((timestamp, e.code)) {
            return None;
        }
        self.last = Some((timestamp, e.code));
        event_digit(e.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_digits() {
        assert_eq!(event_code('5'), Some(5));
        assert_eq!(event_code('*'), Some(10));
        assert_eq!(event_code('#'), Some(11));
        assert_eq!(event_code('d'), Some(15));
        assert_eq!(event_code('x'), None);
        for c in 0..16 {
            assert_eq!(event_code(event_digit(c).unwrap()), Some(c));
        }
        assert_eq!(event_digit(16), None);
    }

    #[test]
    fn payload_layout_per_rfc4733() {
        // RFC 4733 §2.3: event 8 bits, E, R, volume 6 bits, duration 16.
        let e = Event {
            code: 11,
            end: true,
            volume: 10,
            duration: 800,
        };
        let mut b = [0u8; 4];
        e.write(&mut b);
        assert_eq!(b, [11, 0x8A, 0x03, 0x20]);
        assert_eq!(Event::read(&b), Some(e));
        assert_eq!(Event::read(&b[..3]), None);
    }

    #[test]
    fn a_100_ms_digit_at_20_ms_is_five_updates_and_three_ends() {
        let mut s = EventSender::new(5, 800, 160, 10);
        let packets: Vec<EventPacket> = std::iter::from_fn(|| s.next()).collect();
        assert_eq!(packets.len(), 7);
        assert!(packets[0].first && !packets[1].first);
        let durations: Vec<u16> = packets.iter().map(|p| p.event.duration).collect();
        assert_eq!(durations, [160, 320, 480, 640, 800, 800, 800]);
        let ends: Vec<bool> = packets.iter().map(|p| p.event.end).collect();
        assert_eq!(ends, [false, false, false, false, true, true, true]);
        assert!(s.finished());
    }

    #[test]
    fn the_receiver_reports_each_event_once() {
        let mut r = EventReceiver::default();
        let s = EventSender::new(9, 800, 160, 10);
        let mut b = [0u8; 4];
        let mut digits = Vec::new();
        for p in s {
            p.event.write(&mut b);
            digits.extend(r.on_packet(1000, &b));
        }
        // The same digit again is a new event (new timestamp).
        let s = EventSender::new(9, 800, 160, 10);
        for p in s {
            p.event.write(&mut b);
            digits.extend(r.on_packet(2600, &b));
        }
        assert_eq!(digits, ['9', '9']);
    }
}
