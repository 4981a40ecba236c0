//! Where calls and call detail records survive a restart of the agent.
//!
//! The engine writes through the [`Store`] trait: a call is saved when it
//! is created and whenever its connections or state change, removed when
//! it ends, and a [`Cdr`] is appended. Writes are grouped: the engine calls
//! [`Store::flush`] once at the end of every input it handles (a datagram,
//! a timeout, an application call), so one disk transaction covers
//! everything one input changed. [`MemoryStore`] keeps them in memory
//! (tests, benchmarks, an agent run without `--store`); `RedbStore` (feature `redb`) keeps
//! them in an embedded database file.

use serde::{Deserialize, Serialize};

/// A call as persisted: enough to find its connections again by auditing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    /// The CallId (`C:`), hexadecimal.
    pub id: String,
    /// The calling endpoint, `local@domain`.
    pub caller: String,
    /// The called endpoint, once chosen.
    pub callee: Option<String>,
    /// The caller's connection id.
    pub caller_connection: Option<String>,
    /// The callee's connection id.
    pub callee_connection: Option<String>,
    /// The digits dialled.
    pub dialled: String,
    /// True once the call was answered.
    pub answered: bool,
}

/// A call detail record, written when a call ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cdr {
    /// The CallId.
    pub call_id: String,
    /// The calling endpoint.
    pub caller: String,
    /// The called endpoint (none when the number was unknown).
    pub callee: Option<String>,
    /// The digits dialled.
    pub dialled: String,
    /// Why it ended: `normal`, `busy`, `unknown-number`, `no-answer`,
    /// `abandoned`, `gateway-restart`, `gateway-unreachable`,
    /// `not-found-after-restart`, `released`.
    pub outcome: String,
    /// From the end of dialling to the callee ringing, ms.
    pub setup_ms: Option<u64>,
    /// From answer to release, ms (0 when never answered).
    pub talk_ms: u64,
    /// Connection statistics from the DeleteConnection responses
    /// (`P:` of the caller's, then the callee's connection).
    pub stats: Vec<String>,
    /// Milliseconds since the Unix epoch when the record was written
    /// (filled by the store, which may read a clock; the engine has none).
    pub written_unix_ms: u64,
}

/// Persistent storage of calls and CDRs.
pub trait Store {
    /// Creates or replaces a call.
    fn save_call(&mut self, call: &CallRecord);
    /// Forgets a call.
    fn remove_call(&mut self, id: &str);
    /// Appends a CDR.
    fn add_cdr(&mut self, cdr: &Cdr);
    /// Every call saved and not removed (read at start-up).
    fn calls(&self) -> Vec<CallRecord>;
    /// The most recent CDRs, oldest first, at most `limit`.
    fn cdrs(&self, limit: usize) -> Vec<Cdr>;
    /// Makes what was written since the last flush durable.
    fn flush(&mut self) {}
    /// The last error, if writing failed (the engine keeps running; the
    /// daemon reports it).
    fn error(&self) -> Option<String> {
        None
    }
}

/// Calls and CDRs in memory (lost when the process ends). CDRs are kept up
/// to a bound, oldest dropped first.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    calls: foldhash::HashMap<String, CallRecord>,
    cdrs: std::collections::VecDeque<Cdr>,
    /// Most CDRs kept (default 100 000).
    pub cdr_limit: Option<usize>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn save_call(&mut self, call: &CallRecord) {
        self.calls.insert(call.id.clone(), call.clone());
    }
    fn remove_call(&mut self, id: &str) {
        self.calls.remove(id);
    }
    fn add_cdr(&mut self, cdr: &Cdr) {
        if self.cdrs.len() >= self.cdr_limit.unwrap_or(100_000) {
            self.cdrs.pop_front();
        }
        self.cdrs.push_back(cdr.clone());
    }
    fn calls(&self) -> Vec<CallRecord> {
        let mut v: Vec<CallRecord> = self.calls.values().cloned().collect();
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    }
    fn cdrs(&self, limit: usize) -> Vec<Cdr> {
        let skip = self.cdrs.len().saturating_sub(limit);
        self.cdrs.iter().skip(skip).cloned().collect()
    }
}

impl<S: Store + ?Sized> Store for Box<S> {
    fn save_call(&mut self, call: &CallRecord) {
        (**self).save_call(call);
    }
    fn remove_call(&mut self, id: &str) {
        (**self).remove_call(id);
    }
    fn add_cdr(&mut self, cdr: &Cdr) {
        (**self).add_cdr(cdr);
    }
    fn calls(&self) -> Vec<CallRecord> {
        (**self).calls()
    }
    fn cdrs(&self, limit: usize) -> Vec<Cdr> {
        (**self).cdrs(limit)
    }
    fn flush(&mut self) {
        (**self).flush();
    }
    fn error(&self) -> Option<String> {
        (**self).error()
    }
}

#[cfg(feature = "redb")]
pub use disk::RedbStore;

#[cfg(feature = "redb")]
mod disk {
    //! The redb-backed store: two tables, `calls` (CallId → JSON record)
    //! and `cdrs` (sequence number → JSON record). Writes are buffered in
    //! memory and committed in one write transaction per flush.

    // redb's error type is large; it only travels on the cold path of a
    // failed open or commit, so boxing it buys nothing.
    #![allow(clippy::result_large_err)]

    use std::path::Path;

    use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};

    use super::{CallRecord, Cdr, Store};

    const CALLS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("calls");
    const CDRS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("cdrs");

    enum Op {
        Save(String, Vec<u8>),
        Remove(String),
        Cdr(Vec<u8>),
    }

    /// Calls and CDRs in a redb database file.
    pub struct RedbStore {
        db: Database,
        ops: Vec<Op>,
        next_cdr: u64,
        error: Option<String>,
    }

    impl RedbStore {
        /// Opens (or creates) the database at `path`.
        pub fn open(path: &Path) -> Result<RedbStore, redb::Error> {
            let db = Database::create(path)?;
            let tx = db.begin_write()?;
            let next_cdr = {
                tx.open_table(CALLS)?;
                let cdrs = tx.open_table(CDRS)?;
                let last = cdrs.last()?.map(|(k, _)| k.value());
                last.map_or(0, |k| k + 1)
            };
            tx.commit()?;
            Ok(RedbStore {
                db,
                ops: Vec::new(),
                next_cdr,
                error: None,
            })
        }

        fn commit(&mut self) -> Result<(), redb::Error> {
            let tx = self.db.begin_write()?;
            {
                let mut calls = tx.open_table(CALLS)?;
                let mut cdrs = tx.open_table(CDRS)?;
                for op in self.ops.drain(..) {
                    match op {
                        Op::Save(id, bytes) => {
                            calls.insert(id.as_str(), bytes.as_slice())?;
                        }
                        Op::Remove(id) => {
                            calls.remove(id.as_str())?;
                        }
                        Op::Cdr(bytes) => {
                            cdrs.insert(self.next_cdr, bytes.as_slice())?;
                            self.next_cdr += 1;
                        }
                    }
                }
            }
            tx.commit()?;
            Ok(())
        }

        fn read<T>(&self, f: impl FnOnce(&Database) -> Result<T, redb::Error>) -> Option<T> {
            f(&self.db).ok()
        }
    }

    impl Store for RedbStore {
        fn save_call(&mut self, call: &CallRecord) {
            if let Ok(bytes) = serde_json::to_vec(call) {
                self.ops.push(Op::Save(call.id.clone(), bytes));
            }
        }

        fn remove_call(&mut self, id: &str) {
            self.ops.push(Op::Remove(id.to_string()));
        }

        fn add_cdr(&mut self, cdr: &Cdr) {
            let mut cdr = cdr.clone();
            cdr.written_unix_ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0);
            if let Ok(bytes) = serde_json::to_vec(&cdr) {
                self.ops.push(Op::Cdr(bytes));
            }
        }

        fn calls(&self) -> Vec<CallRecord> {
            self.read(|db| {
                let tx = db.begin_read()?;
                let t = tx.open_table(CALLS)?;
                let mut out = Vec::new();
                for item in t.iter()? {
                    let (_, v) = item?;
                    if let Ok(c) = serde_json::from_slice(v.value()) {
                        out.push(c);
                    }
                }
                Ok(out)
            })
            .unwrap_or_default()
        }

        fn cdrs(&self, limit: usize) -> Vec<Cdr> {
            self.read(|db| {
                let tx = db.begin_read()?;
                let t = tx.open_table(CDRS)?;
                let skip = (t.len()? as usize).saturating_sub(limit);
                let mut out = Vec::new();
                for item in t.iter()?.skip(skip) {
                    let (_, v) = item?;
                    if let Ok(c) = serde_json::from_slice(v.value()) {
                        out.push(c);
                    }
                }
                Ok(out)
            })
            .unwrap_or_default()
        }

        fn flush(&mut self) {
            if self.ops.is_empty() {
                return;
            }
            if let Err(e) = self.commit() {
                self.error = Some(e.to_string());
            }
        }

        fn error(&self) -> Option<String> {
            self.error.clone()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn calls_and_cdrs_survive_reopening() {
            let dir = std::env::temp_dir().join(format!("mgcp-agent-redb-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("agent.redb");
            let _ = std::fs::remove_file(&path);
            let call = CallRecord {
                id: "A1".into(),
                caller: "aaln/1@gw".into(),
                callee: Some("aaln/2@gw".into()),
                caller_connection: Some("1".into()),
                callee_connection: Some("2".into()),
                dialled: "1002".into(),
                answered: true,
            };
            {
                let mut s = RedbStore::open(&path).unwrap();
                s.save_call(&call);
                s.save_call(&CallRecord {
                    id: "B2".into(),
                    ..call.clone()
                });
                s.remove_call("B2");
                s.add_cdr(&Cdr {
                    call_id: "00".into(),
                    caller: "aaln/3@gw".into(),
                    callee: None,
                    dialled: "3".into(),
                    outcome: "unknown-number".into(),
                    setup_ms: None,
                    talk_ms: 0,
                    stats: vec![],
                    written_unix_ms: 0,
                });
                s.flush();
                assert!(s.error().is_none());
            }
            let s = RedbStore::open(&path).unwrap();
            assert_eq!(s.calls(), vec![call]);
            let cdrs = s.cdrs(10);
            assert_eq!(cdrs.len(), 1);
            assert_eq!(cdrs[0].outcome, "unknown-number");
            assert!(cdrs[0].written_unix_ms > 0);
            std::fs::remove_dir_all(&dir).ok();
        }
    }
}
