//! Pure domain types and rules: no actix, no sqlx.

pub mod actor;
pub mod batch;
pub mod country;
pub mod decision;
pub mod hold;
pub mod lifecycle;
pub mod policy;
pub mod publishers;
pub mod regions;
pub mod rules;
pub mod vocab;
