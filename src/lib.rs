//! modelmart: the backend of an AI model catalog and marketplace.

pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod edge;
pub mod embedded_pg;
pub mod enablements;
pub mod error;
pub mod holds;
pub mod http;
pub mod import;
pub mod metrics;
pub mod openapi;
pub mod ratelimit;
pub mod refresher;
pub mod retirement;
pub mod routes;
pub mod scheduler;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;
pub mod whole;
