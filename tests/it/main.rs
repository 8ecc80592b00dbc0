//! End-to-end: tills on real SQLite files, the real sync client, the real server on loopback
//! over a real Postgres database of its own, and real network faults through a proxy.

mod effects;
mod etims;
mod faults;
mod offline;
mod poison;
mod process;
mod recovery;
mod restart;
mod tls;
