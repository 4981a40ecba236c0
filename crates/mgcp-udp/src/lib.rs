//! # mgcp-udp: batched UDP system calls
//!
//! `recvmmsg(2)` and `sendmmsg(2)` with preallocated headers, address
//! storage and buffers, so that one system call moves up to a batch of
//! datagrams and nothing is allocated per datagram; plus the socket
//! settings the media plane needs (`SO_RCVBUF`/`SO_SNDBUF`) and raising
//! the open-file limit. Two users: the RTP media plane (`mgcp-media`'s
//! workers) and the MGCP UDP driver (`mgcp-net`). It knows nothing about
//! MGCP or RTP and never blocks (every call is `MSG_DONTWAIT`; callers
//! wait for readiness with their own event loop).
//!
//! **This is the workspace's one audited `unsafe` crate** (see
//! docs/dependencies.md for why it is hand-written rather than taken from
//! `nix` or `quinn-udp`). Every `unsafe` block carries a SAFETY comment; the
//! rules it relies on:
//!
//! - every pointer handed to the kernel points into a `Vec` owned by the
//!   same struct, rebuilt immediately before the call (so moving the
//!   struct can never leave a stale pointer), with lengths taken from
//!   those `Vec`s;
//! - the kernel writes at most `msg_namelen` bytes of address and
//!   `iov_len` bytes of data, both set from our buffers' sizes;
//! - addresses are read back only for the families we check
//!   (`AF_INET`, `AF_INET6`), through `sockaddr_storage`, which is large
//!   and aligned enough for both.
//!
//! Linux only (recvmmsg/sendmmsg are Linux system calls).

#![allow(unsafe_code)]
#![deny(missing_docs)]

use std::io;
use std::mem::{size_of, zeroed};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::RawFd;

/// Receives up to a batch of datagrams per call.
pub struct RecvBatch {
    size: usize,
    buffers: Vec<u8>,
    lens: Vec<usize>,
    froms: Vec<SocketAddr>,
    iovecs: Vec<libc::iovec>,
    names: Vec<libc::sockaddr_storage>,
    headers: Vec<libc::mmsghdr>,
}

// SAFETY: the raw pointers inside `iovecs` and `headers` only ever point
// into this struct's own `Vec`s and are rebuilt before every use; nothing
// is shared between threads.
unsafe impl Send for RecvBatch {}

impl RecvBatch {
    /// `batch` datagrams of at most `size` bytes each.
    pub fn new(batch: usize, size: usize) -> RecvBatch {
        let batch = batch.max(1);
        RecvBatch {
            size,
            buffers: vec![0u8; batch * size],
            lens: vec![0; batch],
            froms: vec![SocketAddr::from(([0, 0, 0, 0], 0)); batch],
            iovecs: Vec::with_capacity(batch),
            // SAFETY: sockaddr_storage and mmsghdr are plain C structs for
            // which all-zero bytes are a valid value.
            names: vec![unsafe { zeroed() }; batch],
            headers: vec![unsafe { zeroed() }; batch],
        }
    }

    /// How many datagrams one call can return.
    pub fn capacity(&self) -> usize {
        self.lens.len()
    }

    /// Receives what is queued on `fd` (non-blocking): how many datagrams
    /// arrived (0 when none, `WouldBlock` is not an error here).
    pub fn recv(&mut self, fd: RawFd) -> io::Result<usize> {
        let batch = self.capacity();
        self.iovecs.clear();
        let base = self.buffers.as_mut_ptr();
        for k in 0..batch {
            self.iovecs.push(libc::iovec {
                // SAFETY: k * size + size <= buffers.len() by construction,
                // so the offset stays inside the allocation.
                iov_base: unsafe { base.add(k * self.size) }.cast(),
                iov_len: self.size,
            });
        }
        for k in 0..batch {
            let h = &mut self.headers[k];
            h.msg_hdr.msg_name = (&mut self.names[k] as *mut libc::sockaddr_storage).cast();
            h.msg_hdr.msg_namelen = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            h.msg_hdr.msg_iov = &mut self.iovecs[k];
            h.msg_hdr.msg_iovlen = 1;
            h.msg_hdr.msg_control = std::ptr::null_mut();
            h.msg_hdr.msg_controllen = 0;
            h.msg_hdr.msg_flags = 0;
            h.msg_len = 0;
        }
        // SAFETY: `headers` holds `batch` initialised mmsghdr whose name,
        // iovec and buffer pointers point into this struct's Vecs with the
        // lengths of those Vecs (rebuilt just above); the kernel writes
        // within them. A null timeout is allowed.
        let n = unsafe {
            libc::recvmmsg(
                fd,
                self.headers.as_mut_ptr(),
                batch as libc::c_uint,
                libc::MSG_DONTWAIT,
                std::ptr::null_mut(),
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(0),
                _ => Err(e),
            };
        }
        let n = n as usize;
        for k in 0..n {
            self.lens[k] = (self.headers[k].msg_len as usize).min(self.size);
            self.froms[k] = from_storage(&self.names[k]).unwrap_or(self.froms[k]);
        }
        Ok(n)
    }

    /// Datagram `k` of the last call: its source and bytes (mutable, so a
    /// relay can rewrite it in place).
    pub fn get(&mut self, k: usize) -> (SocketAddr, &mut [u8]) {
        let start = k * self.size;
        (
            self.froms[k],
            &mut self.buffers[start..start + self.lens[k]],
        )
    }

    /// The length of datagram `k` of the last call.
    pub fn len(&self, k: usize) -> usize {
        self.lens[k]
    }

    /// The bytes of datagram `k` of the last call, for sending as is.
    pub fn bytes(&self, k: usize, len: usize) -> &[u8] {
        let start = k * self.size;
        &self.buffers[start..start + len.min(self.size)]
    }
}

/// Sends up to a batch of datagrams per call.
pub struct SendBatch {
    iovecs: Vec<libc::iovec>,
    names: Vec<libc::sockaddr_storage>,
    namelens: Vec<libc::socklen_t>,
    headers: Vec<libc::mmsghdr>,
    batch: usize,
}

// SAFETY: as for RecvBatch: the raw pointers are rebuilt before each call
// and point only into data borrowed for the duration of that call; they
// are never read after it returns.
unsafe impl Send for SendBatch {}

impl SendBatch {
    /// Up to `batch` datagrams per system call.
    pub fn new(batch: usize) -> SendBatch {
        let batch = batch.max(1);
        SendBatch {
            iovecs: Vec::with_capacity(batch),
            // SAFETY: all-zero bytes are valid for these C structs.
            names: vec![unsafe { zeroed() }; batch],
            namelens: vec![0; batch],
            headers: vec![unsafe { zeroed() }; batch],
            batch,
        }
    }

    /// Sends datagrams `0..count` from `fd`, `batch` per system call;
    /// `packet(k)` gives datagram `k`'s bytes and destination. Returns how
    /// many the kernel took: a full socket buffer drops the rest (RTP is
    /// loss-tolerant, blocking is not an option), an ICMP error reported
    /// for one datagram skips only that datagram.
    pub fn send_each<'a>(
        &mut self,
        fd: RawFd,
        count: usize,
        packet: impl Fn(usize) -> (&'a [u8], SocketAddr),
    ) -> io::Result<usize> {
        let mut at = 0;
        let mut sent = 0;
        while at < count {
            let n = (count - at).min(self.batch);
            match self.send_once(fd, n, |k| packet(at + k)) {
                Ok(0) => at += 1,
                Ok(k) => {
                    sent += k;
                    at += k;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(sent),
                Err(e) if is_per_datagram(&e) => at += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(sent)
    }

    /// Sends datagrams `start..count` from `fd`, `batch` per system call,
    /// until all are sent or the socket's send buffer is full; returns the
    /// index reached (`count` when everything went). Unlike
    /// [`SendBatch::send_each`], a full buffer stops here so that the
    /// caller can wait for the socket to become writable and go on from
    /// the index returned (MGCP must not drop what RTP may); an error
    /// reported for one datagram (ICMP unreachable surfacing) skips only
    /// that datagram.
    pub fn send_until_blocked<'a>(
        &mut self,
        fd: RawFd,
        start: usize,
        count: usize,
        packet: impl Fn(usize) -> (&'a [u8], SocketAddr),
    ) -> io::Result<usize> {
        let mut at = start;
        while at < count {
            let n = (count - at).min(self.batch);
            match self.send_once(fd, n, |k| packet(at + k)) {
                Ok(0) => {}
                Ok(k) => at += k,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(at),
                Err(e) if is_per_datagram(&e) => at += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(at)
    }

    fn send_once<'a>(
        &mut self,
        fd: RawFd,
        n: usize,
        packet: impl Fn(usize) -> (&'a [u8], SocketAddr),
    ) -> io::Result<usize> {
        self.iovecs.clear();
        for k in 0..n {
            let (bytes, to) = packet(k);
            self.iovecs.push(libc::iovec {
                // The kernel only reads through this pointer (sendmmsg).
                iov_base: bytes.as_ptr() as *mut libc::c_void,
                iov_len: bytes.len(),
            });
            self.namelens[k] = to_storage(to, &mut self.names[k]);
        }
        for k in 0..n {
            let h = &mut self.headers[k];
            h.msg_hdr.msg_name = (&mut self.names[k] as *mut libc::sockaddr_storage).cast();
            h.msg_hdr.msg_namelen = self.namelens[k];
            h.msg_hdr.msg_iov = &mut self.iovecs[k];
            h.msg_hdr.msg_iovlen = 1;
            h.msg_hdr.msg_control = std::ptr::null_mut();
            h.msg_hdr.msg_controllen = 0;
            h.msg_hdr.msg_flags = 0;
            h.msg_len = 0;
        }
        // SAFETY: the first `n` headers were initialised just above; their
        // name pointers point into `names` (with the lengths written by
        // `to_storage`), their iovecs into `iovecs`, whose bases point into
        // the caller's byte slices, borrowed for 'a, which outlives this
        // call; sendmmsg only reads them.
        let r = unsafe {
            libc::sendmmsg(
                fd,
                self.headers.as_mut_ptr(),
                n as libc::c_uint,
                libc::MSG_DONTWAIT,
            )
        };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(0);
            }
            return Err(e);
        }
        Ok(r as usize)
    }
}

fn is_per_datagram(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::HostUnreachable
            | io::ErrorKind::NetworkUnreachable
            | io::ErrorKind::AddrNotAvailable
            | io::ErrorKind::InvalidInput
            | io::ErrorKind::PermissionDenied
    ) || e.raw_os_error() == Some(libc::EMSGSIZE)
}

/// Writes `addr` into `storage`; returns its length.
fn to_storage(addr: SocketAddr, storage: &mut libc::sockaddr_storage) -> libc::socklen_t {
    match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is at least as large and as aligned
            // as sockaddr_in (POSIX requires it).
            unsafe { std::ptr::write((storage as *mut libc::sockaddr_storage).cast(), sin) };
            size_of::<libc::sockaddr_in>() as libc::socklen_t
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: as above, for sockaddr_in6.
            unsafe { std::ptr::write((storage as *mut libc::sockaddr_storage).cast(), sin6) };
            size_of::<libc::sockaddr_in6>() as libc::socklen_t
        }
    }
}

/// Reads an address the kernel wrote into `storage`.
fn from_storage(storage: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match i32::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a sockaddr_in, and
            // sockaddr_storage is large and aligned enough for it.
            let sin: libc::sockaddr_in =
                unsafe { std::ptr::read((storage as *const libc::sockaddr_storage).cast()) };
            Some(SocketAddr::V4(SocketAddrV4::new(
                Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes()),
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: as above, for sockaddr_in6.
            let sin6: libc::sockaddr_in6 =
                unsafe { std::ptr::read((storage as *const libc::sockaddr_storage).cast()) };
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(sin6.sin6_addr.s6_addr),
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

/// Sets a socket's receive and send buffer sizes (best effort).
pub fn set_buffer_sizes(fd: RawFd, bytes: usize) {
    let v = bytes.min(i32::MAX as usize) as libc::c_int;
    for opt in [libc::SO_RCVBUF, libc::SO_SNDBUF] {
        // SAFETY: `v` is a live c_int and its size is passed; setsockopt
        // only reads it. Failure is harmless (the default stays).
        unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                opt,
                (&v as *const libc::c_int).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

/// Raises the soft open-file limit to the hard limit (every connection
/// holds two sockets); returns the new soft limit.
pub fn raise_fd_limit() -> io::Result<u64> {
    // SAFETY: all-zero bytes are a valid rlimit.
    let mut lim: libc::rlimit = unsafe { zeroed() };
    // SAFETY: `lim` is a valid, writable rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if lim.rlim_cur < lim.rlim_max {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: `lim` is a valid rlimit, only read by the call.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(lim.rlim_cur as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::UdpSocket;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_batch_goes_out_and_comes_back_in_one_call_each() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        rx.set_nonblocking(true).unwrap();
        let to = rx.local_addr().unwrap();
        let payloads: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 20 + usize::from(i)]).collect();
        let mut sb = SendBatch::new(8);
        let sent = sb.send_each(tx.as_raw_fd(), payloads.len(), |k| {
            (payloads[k].as_slice(), to)
        });
        assert_eq!(sent.unwrap(), 10);
        let mut rb = RecvBatch::new(16, 2048);
        let mut got = Vec::new();
        // Bounded: the datagrams are on loopback already.
        for _ in 0..1000 {
            let n = rb.recv(rx.as_raw_fd()).unwrap();
            for k in 0..n {
                let (from, bytes) = rb.get(k);
                assert_eq!(from, tx.local_addr().unwrap());
                got.push(bytes.to_vec());
            }
            if got.len() == 10 {
                break;
            }
        }
        assert_eq!(got, payloads);
        assert_eq!(rb.recv(rx.as_raw_fd()).unwrap(), 0, "nothing left");
    }

    #[test]
    fn sending_goes_on_from_the_index_given_and_reports_how_far_it_got() {
        let rx = UdpSocket::bind("127.0.0.1:0").unwrap();
        let tx = UdpSocket::bind("127.0.0.1:0").unwrap();
        rx.set_nonblocking(true).unwrap();
        let to = rx.local_addr().unwrap();
        let payloads: Vec<Vec<u8>> = (0..5u8).map(|i| vec![b'a' + i; 10]).collect();
        let mut sb = SendBatch::new(2);
        let reached = sb
            .send_until_blocked(tx.as_raw_fd(), 2, payloads.len(), |k| {
                (payloads[k].as_slice(), to)
            })
            .unwrap();
        assert_eq!(reached, 5);
        let mut rb = RecvBatch::new(8, 64);
        let mut got = Vec::new();
        for _ in 0..1000 {
            let n = rb.recv(rx.as_raw_fd()).unwrap();
            got.extend((0..n).map(|k| rb.get(k).1.to_vec()));
            if got.len() == 3 {
                break;
            }
        }
        assert_eq!(
            got,
            payloads[2..].to_vec(),
            "datagrams 2, 3 and 4, in order"
        );
    }

    #[test]
    fn addresses_round_trip_through_storage() {
        for a in ["127.0.0.1:5004", "[::1]:6000", "[fe80::1%2]:7"] {
            let a: SocketAddr = a.parse().unwrap();
            // SAFETY: all-zero bytes are a valid sockaddr_storage.
            let mut s: libc::sockaddr_storage = unsafe { zeroed() };
            to_storage(a, &mut s);
            assert_eq!(from_storage(&s), Some(a));
        }
    }

    #[test]
    fn fd_limit_can_be_raised() {
        assert!(raise_fd_limit().unwrap() >= 1024);
    }
}
