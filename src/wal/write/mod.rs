//! Writing a WAL: the crash-safe segment writer, the directory lock that keeps one writer per
//! WAL, and the repair that makes a crashed WAL writable again (shared by the writer's
//! `open_append` and [`Repair`](crate::wal::Repair)).

pub(in crate::wal) mod lock;
pub(in crate::wal) mod repair;
pub(in crate::wal) mod writer;
