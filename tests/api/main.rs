//! Integration tests over HTTP against a real PostgreSQL.

mod admin;
mod auth;
mod discovery;
mod errors;
mod fixtures;
mod helpers;
mod imports;
mod openapi;
mod recommendations;
mod tenants;
