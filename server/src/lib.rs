//! The Zhibu server: a JSON API for the PWA and WeChat mini-program clients,
//! and the host of the built PWA.
//!
//! Handlers are thin: they extract, call a domain function that takes the
//! connection first, and map the result. Queries live in the domain modules.

pub mod access;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod checkins;
pub mod classes;
pub mod cli;
pub mod client_ip;
pub mod config;
pub mod copy;
pub mod db;
pub mod demo;
pub mod entities;
pub mod error;
pub mod extract;
pub mod files;
pub mod governance;
pub mod health;
pub mod http;
pub mod members;
pub mod meta;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod orgs;
pub mod params;
pub mod recovery;
pub mod review;
pub mod roster;
pub mod routes;
pub mod scheduler;
pub mod setup;
pub mod sql;
pub mod startup;
pub mod state;
pub mod static_files;
pub mod telemetry;
pub mod time;
pub mod tls;
pub mod upload;
pub mod volunteer;
