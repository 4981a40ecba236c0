//! Datagrams the engine wants sent, waiting for the I/O layer to batch
//! them into `sendmmsg` calls. A relayed packet is sent from the receive
//! buffer it arrived in (rewritten in place, [`Data::Received`]); packets
//! of our own are written into a pool of buffers that is reused from one
//! batch to the next, so sending allocates nothing once warm.

use std::net::SocketAddr;

/// Largest datagram the media plane handles.
pub const MAX_PACKET: usize = 2048;

/// Where a datagram's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    /// In receive buffer `index` of the current batch, `len` bytes.
    Received {
        /// Buffer index.
        index: usize,
        /// Length.
        len: usize,
    },
    /// In pool buffer `index`, `len` bytes.
    Own {
        /// Buffer index.
        index: usize,
        /// Length.
        len: usize,
    },
}

/// One datagram to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// The connection slot whose socket sends it.
    pub slot: usize,
    /// From the RTCP socket rather than the RTP one.
    pub rtcp: bool,
    /// Destination.
    pub to: SocketAddr,
    /// The bytes.
    pub data: Data,
}

/// The queue of datagrams and the pool for our own.
#[derive(Debug, Default)]
pub struct Outbox {
    /// Queued datagrams, in order.
    pub items: Vec<Transmit>,
    pool: Vec<Box<[u8]>>,
    used: usize,
}

impl Outbox {
    /// A free pool buffer: its index and bytes.
    pub fn buffer(&mut self) -> (usize, &mut [u8]) {
        if self.used == self.pool.len() {
            self.pool.push(vec![0u8; MAX_PACKET].into_boxed_slice());
        }
        let i = self.used;
        self.used += 1;
        (i, &mut self.pool[i])
    }

    /// Queues a datagram.
    pub fn push(&mut self, t: Transmit) {
        self.items.push(t);
    }

    /// The bytes of an own datagram.
    pub fn own(&self, index: usize, len: usize) -> &[u8] {
        &self.pool[index][..len]
    }

    /// Forgets what was sent; keeps the buffers.
    pub fn clear(&mut self) {
        self.items.clear();
        self.used = 0;
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
