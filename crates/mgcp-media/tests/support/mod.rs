//! Shared helpers for the loopback tests: a media plane on ephemeral
//! ports, specs, a far end on a UDP socket with bounded waits.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use mgcp_gateway::config::EndpointKind;
use mgcp_gateway::media::{Codec, MediaEvent, MediaId, MediaPlane, MediaSpec};
use mgcp_media::g711::Law;
use mgcp_media::rtp::{self, Header};
use mgcp_media::{MediaConfig, RtpMedia};
use mgcp_proto::params::ConnectionMode;

/// Bounded wait for anything a test expects.
pub const WAIT: Duration = Duration::from_secs(3);

pub fn config() -> MediaConfig {
    MediaConfig {
        ports: None,
        workers: 2,
        seed: Some(7),
        rtp_timeout_ms: 0,
        rtcp_interval_ms: 600_000,
        ..MediaConfig::default()
    }
}

pub fn media() -> (RtpMedia, Receiver<MediaEvent>) {
    RtpMedia::with_channel(config()).unwrap()
}

pub fn codec(name: &str) -> Codec {
    match name {
        "PCMU" => Codec {
            payload_type: 0,
            name: "PCMU",
            clock_rate: 8000,
        },
        _ => Codec {
            payload_type: 8,
            name: "PCMA",
            clock_rate: 8000,
        },
    }
}

pub fn spec(
    endpoint: usize,
    kind: EndpointKind,
    mode: ConnectionMode<'static>,
    law: &str,
    remote: Option<SocketAddr>,
    peers: Vec<MediaId>,
) -> MediaSpec {
    MediaSpec {
        endpoint,
        kind,
        mode,
        codecs: vec![codec(law)],
        telephone_event: Some(101),
        ptime: 20,
        remote,
        peers,
    }
}

/// A far end: an RTP socket at an even port with its RTCP socket.
pub struct Far {
    pub rtp: UdpSocket,
    pub rtcp: UdpSocket,
}

impl Far {
    pub fn new() -> Far {
        for _ in 0..64 {
            let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
            let port = rtp.local_addr().unwrap().port();
            if !port.is_multiple_of(2) {
                continue;
            }
            let Ok(rtcp) = UdpSocket::bind(("127.0.0.1", port + 1)) else {
                continue;
            };
            rtp.set_read_timeout(Some(WAIT)).unwrap();
            rtcp.set_read_timeout(Some(WAIT)).unwrap();
            return Far { rtp, rtcp };
        }
        panic!("no even port pair");
    }

    pub fn addr(&self) -> SocketAddr {
        self.rtp.local_addr().unwrap()
    }

    pub fn send(&self, to: SocketAddr, packet: &[u8]) {
        self.rtp.send_to(packet, to).unwrap();
    }

    /// The next RTP packet (bounded wait).
    pub fn recv(&self) -> (Header, Vec<u8>) {
        let mut buf = [0u8; 2048];
        let (n, _) = self
            .rtp
            .recv_from(&mut buf)
            .expect("no RTP within the bounded wait");
        let packet = buf[..n].to_vec();
        (Header::parse(&packet).expect("RTP"), packet)
    }

    /// Decoded audio from the next `packets` packets of `law`.
    pub fn audio(&self, packets: usize, law: Law) -> Vec<i16> {
        let mut out = Vec::new();
        for _ in 0..packets {
            let (h, p) = self.recv();
            let payload = &p[h.payload_offset..h.payload_offset + h.payload_len];
            out.extend(payload.iter().map(|c| law.decode(*c)));
        }
        out
    }
}

/// An RTP packet.
pub fn packet(pt: u8, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0u8; 12 + payload.len()];
    rtp::write_header(&mut p, false, pt, seq, ts, ssrc);
    p[12..].copy_from_slice(payload);
    p
}

/// 20 ms of a sine at `freq` and `amplitude`, encoded, starting at sample
/// `start`.
pub fn sine_payload(law: Law, freq: f64, amplitude: f64, start: usize) -> Vec<u8> {
    (start..start + 160)
        .map(|n| {
            let x = amplitude * (std::f64::consts::TAU * freq * n as f64 / 8000.0).sin();
            law.encode(x as i16)
        })
        .collect()
}

/// The share of `samples`' energy at `freq` (Goertzel over the whole).
pub fn share(samples: &[i16], freq: f64) -> f64 {
    let total: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    if total == 0.0 {
        return 0.0;
    }
    mgcp_media::goertzel::tone_energy(samples, freq) / total
}

/// Waits for an event matching `f` (bounded).
pub fn expect_event(rx: &Receiver<MediaEvent>, f: impl Fn(&MediaEvent) -> bool) -> MediaEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(e) if f(&e) => return e,
            Ok(_) => continue,
            Err(_) => panic!("expected event did not come"),
        }
    }
}

pub fn local(m: &mut RtpMedia, id: MediaId, s: &MediaSpec) -> SocketAddr {
    let l = m.open(id, s).unwrap();
    SocketAddr::new(l.address, l.port)
}
