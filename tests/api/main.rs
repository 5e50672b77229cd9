//! Integration tests over HTTP against a real PostgreSQL.

mod admin;
mod architecture;
mod audit;
mod auth;
mod authorization;
mod conventions;
mod coverage;
mod discovery;
mod discovery_index;
mod edge;
mod errors;
mod faults;
mod fixtures;
mod helpers;
mod hold_safety;
mod holds;
mod imports;
mod lineage;
mod metrics;
mod notifications;
mod openapi;
mod recommendations;
mod replicas;
mod shutdown;
mod tenants;
mod tokens;
