//! RTCP sender and receiver reports (RFC 3550 §6.4) with the SDES CNAME
//! every compound packet must carry (§6.5): written into a caller's buffer
//! and read from received compound packets.
//!
//! Not here: BYE, APP, feedback messages (RFC 4585), XR.

/// One reception report block (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportBlock {
    /// The source reported on.
    pub ssrc: u32,
    /// Fraction lost since the previous report (8-bit fixed point).
    pub fraction_lost: u8,
    /// Cumulative packets lost (24-bit signed).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received.
    pub extended_max: u32,
    /// Interarrival jitter, timestamp units.
    pub jitter: u32,
    /// Last SR timestamp (middle 32 bits of its NTP time).
    pub lsr: u32,
    /// Delay since that SR, 1/65536 s.
    pub dlsr: u32,
}

/// The sender information of an SR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderInfo {
    /// NTP timestamp (64-bit).
    pub ntp: u64,
    /// RTP timestamp at the same instant.
    pub rtp_timestamp: u32,
    /// Packets sent.
    pub packets: u32,
    /// Payload octets sent.
    pub octets: u32,
}

/// What one received report says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// The reporter.
    pub ssrc: u32,
    /// Present in an SR.
    pub sender: Option<SenderInfo>,
    /// The block about `about`, if the report has one.
    pub block: Option<ReportBlock>,
}

/// Writes an SR (when `sender` is given) or an RR, with at most one report
/// block, followed by an SDES with a CNAME. Returns the length written, or
/// `None` when `out` is too small.
pub fn write_report(
    out: &mut [u8],
    ssrc: u32,
    sender: Option<SenderInfo>,
    block: Option<ReportBlock>,
    cname: &str,
) -> Option<usize> {
    let blocks = usize::from(block.is_some());
    let len = 8 + if sender.is_some() { 20 } else { 0 } + 24 * blocks;
    let cname = &cname.as_bytes()[..cname.len().min(255)];
    // SDES: header, SSRC, CNAME item (type, length, text), end, padded.
    let sdes_len = (8 + 2 + cname.len() + 1).div_ceil(4) * 4;
    if out.len() < len + sdes_len {
        return None;
    }
    out[0] = 0x80 | blocks as u8;
    out[1] = if sender.is_some() { 200 } else { 201 };
    out[2..4].copy_from_slice(&((len / 4 - 1) as u16).to_be_bytes());
    out[4..8].copy_from_slice(&ssrc.to_be_bytes());
    let mut at = 8;
    if let Some(s) = sender {
        out[8..16].copy_from_slice(&s.ntp.to_be_bytes());
        out[16..20].copy_from_slice(&s.rtp_timestamp.to_be_bytes());
        out[20..24].copy_from_slice(&s.packets.to_be_bytes());
        out[24..28].copy_from_slice(&s.octets.to_be_bytes());
        at = 28;
    }
    if let Some(b) = block {
        let o = &mut out[at..at + 24];
        o[0..4].copy_from_slice(&b.ssrc.to_be_bytes());
        let lost = b.cumulative_lost.clamp(-0x80_0000, 0x7F_FFFF) as u32 & 0xFF_FFFF;
        o[4..8].copy_from_slice(&((u32::from(b.fraction_lost) << 24) | lost).to_be_bytes());
        o[8..12].copy_from_slice(&b.extended_max.to_be_bytes());
        o[12..16].copy_from_slice(&b.jitter.to_be_bytes());
        o[16..20].copy_from_slice(&b.lsr.to_be_bytes());
        o[20..24].copy_from_slice(&b.dlsr.to_be_bytes());
        at += 24;
    }
    let s = &mut out[at..at + sdes_len];
    s.fill(0);
    s[0] = 0x81;
    s[1] = 202;
    s[2..4].copy_from_slice(&((sdes_len / 4 - 1) as u16).to_be_bytes());
    s[4..8].copy_from_slice(&ssrc.to_be_bytes());
    s[8] = 1;
    s[9] = cname.len() as u8;
    s[10..10 + cname.len()].copy_from_slice(cname);
    Some(at + sdes_len)
}

/// Reads the first SR or RR of a compound packet, keeping the report
/// block about `about` (our SSRC). `None` when it is not RTCP.
pub fn read_report(packet: &[u8], about: u32) -> Option<Report> {
    let mut at = 0;
    while at + 8 <= packet.len() {
        let p = &packet[at..];
        if p[0] >> 6 != 2 {
            return None;
        }
        let words = usize::from(u16::from_be_bytes([p[2], p[3]])) + 1;
        let len = words * 4;
        if len > p.len() {
            return None;
        }
        let count = usize::from(p[0] & 0x1F);
        let ssrc = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
        let (sender, blocks_at) = match p[1] {
            200 if len >= 28 => (
                Some(SenderInfo {
                    ntp: u64::from_be_bytes(p[8..16].try_into().ok()?),
                    rtp_timestamp: u32::from_be_bytes(p[16..20].try_into().ok()?),
                    packets: u32::from_be_bytes(p[20..24].try_into().ok()?),
                    octets: u32::from_be_bytes(p[24..28].try_into().ok()?),
                }),
                28,
            ),
            201 => (None, 8),
            _ => {
                at += len;
                continue;
            }
        };
        let block = (0..count)
            .map(|k| blocks_at + 24 * k)
            .filter(|&o| o + 24 <= len)
            .map(|o| read_block(&p[o..o + 24]))
            .find(|b| b.ssrc == about);
        return Some(Report {
            ssrc,
            sender,
            block,
        });
    }
    None
}

fn read_block(b: &[u8]) -> ReportBlock {
    let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let lost = word(4) & 0xFF_FFFF;
    ReportBlock {
        ssrc: word(0),
        fraction_lost: b[4],
        cumulative_lost: ((lost << 8) as i32) >> 8,
        extended_max: word(8),
        jitter: word(12),
        lsr: word(16),
        dlsr: word(20),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_report_round_trip() {
        let mut buf = [0u8; 256];
        let sender = SenderInfo {
            ntp: 0x0102_0304_0506_0708,
            rtp_timestamp: 160,
            packets: 50,
            octets: 8000,
        };
        let block = ReportBlock {
            ssrc: 99,
            fraction_lost: 25,
            cumulative_lost: -3,
            extended_max: 70000,
            jitter: 12,
            lsr: 0x0304_0506,
            dlsr: 65536,
        };
        let n = write_report(&mut buf, 42, Some(sender), Some(block), "gw@example").unwrap();
        assert_eq!(n % 4, 0);
        let r = read_report(&buf[..n], 99).unwrap();
        assert_eq!(r.ssrc, 42);
        assert_eq!(r.sender, Some(sender));
        assert_eq!(r.block, Some(block));
        // A block about someone else is not ours.
        assert_eq!(read_report(&buf[..n], 100).unwrap().block, None);
    }

    #[test]
    fn receiver_report_without_blocks_and_garbage() {
        let mut buf = [0u8; 64];
        let n = write_report(&mut buf, 7, None, None, "x").unwrap();
        assert_eq!(buf[1], 201);
        let r = read_report(&buf[..n], 1).unwrap();
        assert_eq!((r.ssrc, r.sender, r.block), (7, None, None));
        assert_eq!(read_report(&[0u8; 3], 1), None);
        assert_eq!(read_report(&[0x80, 200, 0xFF, 0xFF, 0, 0, 0, 0], 1), None);
        assert!(write_report(&mut [0u8; 10], 7, None, None, "x").is_none());
    }
}
