//! A minimal classic-pcap writer for tests: Ethernet + IPv4 + UDP frames
//! built from known datagrams, so peers such as tshark can read them.

use std::net::SocketAddrV4;

/// Builds a pcap file in memory.
pub(crate) struct PcapWriter {
    bytes: Vec<u8>,
    ip_id: u16,
}

impl PcapWriter {
    pub(crate) fn new() -> Self {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // magic, microseconds
        bytes.extend_from_slice(&2u16.to_le_bytes()); // version major
        bytes.extend_from_slice(&4u16.to_le_bytes()); // version minor
        bytes.extend_from_slice(&0i32.to_le_bytes()); // timezone
        bytes.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        bytes.extend_from_slice(&65535u32.to_le_bytes()); // snaplen
        bytes.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        PcapWriter { bytes, ip_id: 1 }
    }

    /// Appends one UDP datagram at `micros` microseconds since the epoch.
    pub(crate) fn udp(
        &mut self,
        micros: u64,
        from: SocketAddrV4,
        to: SocketAddrV4,
        payload: &[u8],
    ) {
        let frame = self.frame(from, to, payload);
        let len = u32::try_from(frame.len()).expect("frame fits");
        self.bytes
            .extend_from_slice(&u32::try_from(micros / 1_000_000).unwrap().to_le_bytes());
        self.bytes
            .extend_from_slice(&u32::try_from(micros % 1_000_000).unwrap().to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&frame);
    }

    fn frame(&mut self, from: SocketAddrV4, to: SocketAddrV4, payload: &[u8]) -> Vec<u8> {
        let udp_len = u16::try_from(8 + payload.len()).expect("payload fits in UDP");
        let ip_len = 20 + udp_len;
        let mut f = Vec::with_capacity(14 + usize::from(ip_len));
        f.extend_from_slice(&[0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00]);
        let mut ip = [0u8; 20];
        ip[0] = 0x45;
        ip[2..4].copy_from_slice(&ip_len.to_be_bytes());
        ip[4..6].copy_from_slice(&self.ip_id.to_be_bytes());
        self.ip_id = self.ip_id.wrapping_add(1);
        ip[8] = 64;
        ip[9] = 17;
        ip[12..16].copy_from_slice(&from.ip().octets());
        ip[16..20].copy_from_slice(&to.ip().octets());
        let sum = checksum(&ip);
        ip[10..12].copy_from_slice(&sum.to_be_bytes());
        f.extend_from_slice(&ip);
        f.extend_from_slice(&from.port().to_be_bytes());
        f.extend_from_slice(&to.port().to_be_bytes());
        f.extend_from_slice(&udp_len.to_be_bytes());
        f.extend_from_slice(&0u16.to_be_bytes()); // no UDP checksum (legal in IPv4)
        f.extend_from_slice(payload);
        f
    }

    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

fn checksum(header: &[u8]) -> u16 {
    let mut sum: u32 = header
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(u16::try_from(sum).unwrap_or(0))
}
