//! RTP packets (RFC 3550 §5.1): the fixed header read from and written
//! into a byte slice in place, without copying the payload.
//!
//! [`Header::parse`] checks the version, the CSRC list, the extension and
//! the padding against the datagram length and returns where the payload
//! is; [`set_sequence`], [`set_timestamp`], [`set_ssrc`], [`set_payload_type`]
//! and [`set_marker`] rewrite fields in place (what a relay does);
//! [`write_header`] starts a packet of our own.
//!
//! Not here: header extensions' contents (skipped, kept verbatim), SRTP.

/// Length of the fixed header.
pub const HEADER_LEN: usize = 12;

/// A parsed RTP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Marker bit.
    pub marker: bool,
    /// Payload type.
    pub payload_type: u8,
    /// Sequence number.
    pub sequence: u16,
    /// Timestamp.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// Offset of the payload.
    pub payload_offset: usize,
    /// Length of the payload (padding excluded).
    pub payload_len: usize,
}

/// Why a datagram is not an RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtpError {
    /// Shorter than its header says.
    Truncated,
    /// Version is not 2.
    Version,
    /// Padding longer than the packet.
    Padding,
}

impl Header {
    /// Parses the header of `packet`.
    pub fn parse(packet: &[u8]) -> Result<Header, RtpError> {
        if packet.len() < HEADER_LEN {
            return Err(RtpError::Truncated);
        }
        let b0 = packet[0];
        if b0 >> 6 != 2 {
            return Err(RtpError::Version);
        }
        let csrc = usize::from(b0 & 0x0F);
        let mut offset = HEADER_LEN + 4 * csrc;
        if b0 & 0x10 != 0 {
            let ext = packet
                .get(offset + 2..offset + 4)
                .ok_or(RtpError::Truncated)?;
            offset += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
        }
        if offset > packet.len() {
            return Err(RtpError::Truncated);
        }
        let mut end = packet.len();
        if b0 & 0x20 != 0 {
            let pad = usize::from(packet[end - 1]);
            if pad == 0 || pad > end - offset {
                return Err(RtpError::Padding);
            }
            end -= pad;
        }
        Ok(Header {
            marker: packet[1] & 0x80 != 0,
            payload_type: packet[1] & 0x7F,
            sequence: u16::from_be_bytes([packet[2], packet[3]]),
            timestamp: u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]),
            ssrc: u32::from_be_bytes([packet[8], packet[9], packet[10], packet[11]]),
            payload_offset: offset,
            payload_len: end - offset,
        })
    }
}

/// True when the datagram looks like RTCP (RFC 5761 §4: payload types
/// 64-95 in the second byte are RTCP packet types 192-223).
pub fn is_rtcp(packet: &[u8]) -> bool {
    packet.len() >= 2 && (192..=223).contains(&packet[1])
}

/// Writes a 12-byte header with no CSRC, extension or padding.
pub fn write_header(
    out: &mut [u8],
    marker: bool,
    payload_type: u8,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
) {
    out[0] = 0x80;
    out[1] = (u8::from(marker) << 7) | (payload_type & 0x7F);
    out[2..4].copy_from_slice(&sequence.to_be_bytes());
    out[4..8].copy_from_slice(&timestamp.to_be_bytes());
    out[8..12].copy_from_slice(&ssrc.to_be_bytes());
}

/// Rewrites the sequence number in place.
#[inline]
pub fn set_sequence(packet: &mut [u8], sequence: u16) {
    packet[2..4].copy_from_slice(&sequence.to_be_bytes());
}

/// Rewrites the timestamp in place.
#[inline]
pub fn set_timestamp(packet: &mut [u8], timestamp: u32) {
    packet[4..8].copy_from_slice(&timestamp.to_be_bytes());
}

/// Rewrites the SSRC in place.
#[inline]
pub fn set_ssrc(packet: &mut [u8], ssrc: u32) {
    packet[8..12].copy_from_slice(&ssrc.to_be_bytes());
}

/// Rewrites the payload type in place (keeps the marker bit).
#[inline]
pub fn set_payload_type(packet: &mut [u8], payload_type: u8) {
    packet[1] = (packet[1] & 0x80) | (payload_type & 0x7F);
}

/// Sets or clears the marker bit in place.
#[inline]
pub fn set_marker(packet: &mut [u8], marker: bool) {
    packet[1] = (packet[1] & 0x7F) | (u8::from(marker) << 7);
}

/// `a` is after `b` in sequence-number order (RFC 1982 serial arithmetic).
#[inline]
pub fn seq_after(a: u16, b: u16) -> bool {
    a != b && a.wrapping_sub(b) < 0x8000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_parse() {
        let mut p = [0u8; 12 + 160];
        write_header(&mut p, true, 8, 65535, 0xDEAD_BEEF, 0x1234_5678);
        let h = Header::parse(&p).unwrap();
        assert!(h.marker);
        assert_eq!(
            (h.payload_type, h.sequence, h.timestamp, h.ssrc),
            (8, 65535, 0xDEAD_BEEF, 0x1234_5678)
        );
        assert_eq!((h.payload_offset, h.payload_len), (12, 160));
        set_sequence(&mut p, 7);
        set_timestamp(&mut p, 9);
        set_ssrc(&mut p, 11);
        set_payload_type(&mut p, 0);
        let h = Header::parse(&p).unwrap();
        assert_eq!(
            (h.marker, h.payload_type, h.sequence, h.timestamp, h.ssrc),
            (true, 0, 7, 9, 11)
        );
        set_marker(&mut p, false);
        assert!(!Header::parse(&p).unwrap().marker);
    }

    #[test]
    fn csrc_extension_and_padding() {
        // 2 CSRCs, a one-word extension, 3 bytes of padding.
        let mut p = vec![0xB2, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        p.extend_from_slice(&[0; 8]); // CSRCs
        p.extend_from_slice(&[0xBE, 0xDE, 0, 1, 1, 2, 3, 4]); // extension
        p.extend_from_slice(&[9, 9, 9, 9]); // payload
        p.extend_from_slice(&[0, 0, 3]); // padding
        let h = Header::parse(&p).unwrap();
        assert_eq!((h.payload_offset, h.payload_len), (28, 4));
    }

    #[test]
    fn malformed_packets() {
        assert_eq!(Header::parse(&[0x80; 5]), Err(RtpError::Truncated));
        assert_eq!(Header::parse(&[0x40; 12]), Err(RtpError::Version));
        let mut p = [0u8; 13];
        p[0] = 0xA0;
        p[12] = 9;
        assert_eq!(Header::parse(&p), Err(RtpError::Padding));
        let mut p = [0u8; 12];
        p[0] = 0x81; // one CSRC missing
        assert_eq!(Header::parse(&p), Err(RtpError::Truncated));
    }

    #[test]
    fn rtcp_is_told_apart_and_sequence_order_wraps() {
        assert!(is_rtcp(&[0x80, 200, 0, 6]));
        assert!(!is_rtcp(&[0x80, 0, 0, 6]));
        assert!(seq_after(1, 65535));
        assert!(!seq_after(65535, 1));
        assert!(!seq_after(5, 5));
    }
}
