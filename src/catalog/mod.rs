//! The in-memory catalog that discovery reads: an immutable [`Snapshot`]
//! of listings, offers, prices and the rules in force, with its indexes and
//! the queries over it. Pure data and computation: loading and swapping
//! snapshots is `crate::refresher`'s job.

pub mod bitset;
pub mod cursor;
pub mod index;
pub mod listing;
pub mod parallel;
pub mod query;
pub mod search;
pub mod snapshot;
pub mod visibility;

pub use snapshot::Snapshot;
