//! pcap and pcapng files: find the MGCP datagrams in them.
//!
//! The format is detected from the file's magic number. Link types:
//! Ethernet (with VLAN tags), Linux cooked capture v1 and v2 (`tcpdump -i
//! any`), raw IPv4/IPv6, and BSD loopback. IPv4 and IPv6 fragments are
//! reassembled (etherparse's defragmentation pool). UDP datagrams to or
//! from the MGCP ports (2427, 2727 and any given) are kept.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use etherparse::defrag::IpDefragPool;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::DataLink;
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};

use crate::Datagram;

/// The well-known MGCP ports: gateways listen on 2427, call agents on 2727.
pub const MGCP_PORTS: [u16; 2] = [2427, 2727];

/// Why a capture could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// Neither pcap nor pcapng.
    #[error("not a pcap or pcapng file")]
    NotACapture,
    /// The file is damaged; what was read before is still returned.
    #[error("capture damaged after {read} packets: {reason}")]
    Damaged {
        /// Packets read before the damage.
        read: usize,
        /// The reader's complaint.
        reason: String,
    },
}

/// True when the bytes start like a pcap or pcapng file.
pub fn is_capture(bytes: &[u8]) -> bool {
    matches!(
        bytes.get(..4),
        Some(
            [0xd4, 0xc3, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0xc3, 0xd4]
                | [0x4d, 0x3c, 0xb2, 0xa1]
                | [0xa1, 0xb2, 0x3c, 0x4d]
                | [0x0a, 0x0d, 0x0d, 0x0a]
        )
    )
}

/// What reading a capture produced.
#[derive(Debug, Default)]
pub struct Extracted {
    /// The MGCP datagrams, in capture order.
    pub datagrams: Vec<Datagram>,
    /// Packets in the capture.
    pub packets: usize,
    /// Damage met (reading stopped there).
    pub damage: Option<String>,
}

/// Extracts the UDP datagrams on MGCP ports (plus `extra_ports`).
pub fn read(bytes: &[u8], extra_ports: &[u16]) -> Result<Extracted, CaptureError> {
    if bytes.get(..4) == Some(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        return Ok(read_pcapng(bytes, extra_ports));
    }
    if is_capture(bytes) {
        return Ok(read_pcap(bytes, extra_ports));
    }
    Err(CaptureError::NotACapture)
}

struct Collector<'p> {
    ports: &'p [u16],
    extra: &'p [u16],
    defrag: IpDefragPool<(), ()>,
    out: Extracted,
}

impl Collector<'_> {
    fn packet(&mut self, linktype: DataLink, time: Duration, data: &[u8]) {
        self.out.packets += 1;
        let sliced = match linktype {
            DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
            DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
            DataLink::LINUX_SLL2 => data
                .get(20..)
                .map_or(SlicedPacket::from_ip(&[]), SlicedPacket::from_ip),
            DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
            DataLink::NULL | DataLink::LOOP => data
                .get(4..)
                .map_or(SlicedPacket::from_ip(&[]), SlicedPacket::from_ip),
            _ => return,
        };
        let Ok(packet) = sliced else { return };
        let Some((src, dst)) = addresses(&packet) else {
            return;
        };
        match self.defrag.process_sliced_packet(&packet, (), ()) {
            Ok(Some(whole)) => {
                if whole.ip_number == etherparse::IpNumber::UDP {
                    self.udp_payload(time, src, dst, &whole.payload);
                }
            }
            Ok(None) => {
                if let Some(TransportSlice::Udp(udp)) = &packet.transport {
                    let (sp, dp) = (udp.source_port(), udp.destination_port());
                    self.keep(
                        time,
                        SocketAddr::new(src, sp),
                        SocketAddr::new(dst, dp),
                        udp.payload(),
                    );
                }
            }
            Err(_) => {}
        }
    }

    /// A reassembled UDP datagram: header then payload.
    fn udp_payload(&mut self, time: Duration, src: IpAddr, dst: IpAddr, bytes: &[u8]) {
        if bytes.len() < 8 {
            return;
        }
        let sp = u16::from_be_bytes([bytes[0], bytes[1]]);
        let dp = u16::from_be_bytes([bytes[2], bytes[3]]);
        self.keep(
            time,
            SocketAddr::new(src, sp),
            SocketAddr::new(dst, dp),
            &bytes[8..],
        );
    }

    fn keep(&mut self, time: Duration, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
        let mgcp = |p: u16| self.ports.contains(&p) || self.extra.contains(&p);
        if mgcp(from.port()) || mgcp(to.port()) {
            self.out.datagrams.push(Datagram {
                time: Some(time),
                from,
                to,
                payload: payload.to_vec(),
            });
        }
    }
}

fn addresses(packet: &SlicedPacket<'_>) -> Option<(IpAddr, IpAddr)> {
    match &packet.net {
        Some(NetSlice::Ipv4(ip)) => Some((
            IpAddr::V4(ip.header().source_addr()),
            IpAddr::V4(ip.header().destination_addr()),
        )),
        Some(NetSlice::Ipv6(ip)) => Some((
            IpAddr::V6(ip.header().source_addr()),
            IpAddr::V6(ip.header().destination_addr()),
        )),
        _ => None,
    }
}

fn collector<'p>(extra: &'p [u16]) -> Collector<'p> {
    Collector {
        ports: &MGCP_PORTS,
        extra,
        defrag: IpDefragPool::new(),
        out: Extracted::default(),
    }
}

fn read_pcap(bytes: &[u8], extra: &[u16]) -> Extracted {
    let mut c = collector(extra);
    let (mut rest, parser) = match PcapParser::new(bytes) {
        Ok(p) => p,
        Err(e) => {
            c.out.damage = Some(e.to_string());
            return c.out;
        }
    };
    let linktype = parser.header().datalink;
    while !rest.is_empty() {
        match parser.next_packet(rest) {
            Ok((r, packet)) => {
                rest = r;
                c.packet(linktype, packet.timestamp, &packet.data);
            }
            Err(e) => {
                c.out.damage = Some(e.to_string());
                break;
            }
        }
    }
    c.out
}

fn read_pcapng(bytes: &[u8], extra: &[u16]) -> Extracted {
    let mut c = collector(extra);
    let (mut rest, mut parser) = match PcapNgParser::new(bytes) {
        Ok(p) => p,
        Err(e) => {
            c.out.damage = Some(e.to_string());
            return c.out;
        }
    };
    while !rest.is_empty() {
        match parser.next_block(rest) {
            Ok((r, block)) => {
                rest = r;
                match block {
                    Block::EnhancedPacket(p) => {
                        let linktype = parser
                            .interfaces()
                            .get(p.interface_id as usize)
                            .map_or(DataLink::ETHERNET, |i| i.linktype);
                        c.packet(linktype, p.timestamp, &p.data);
                    }
                    Block::SimplePacket(p) => {
                        let linktype = parser
                            .interfaces()
                            .first()
                            .map_or(DataLink::ETHERNET, |i| i.linktype);
                        c.packet(linktype, Duration::ZERO, &p.data);
                    }
                    Block::Packet(p) => {
                        let linktype = parser
                            .interfaces()
                            .get(usize::from(p.interface_id))
                            .map_or(DataLink::ETHERNET, |i| i.linktype);
                        // The obsolete Packet Block counts microseconds.
                        c.packet(linktype, Duration::from_micros(p.timestamp), &p.data);
                    }
                    _ => {}
                }
            }
            Err(e) => {
                c.out.damage = Some(e.to_string());
                break;
            }
        }
    }
    c.out
}
