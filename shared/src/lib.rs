//! Types and pure rules shared by the Zhibu server and its PWA.
//!
//! This crate compiles to wasm32: it must never depend on server crates
//! (actix, sea-orm, tokio) or do I/O.

pub mod api;
pub mod audit;
pub mod auth;
pub mod checkin;
pub mod classes;
pub mod error;
pub mod governance;
pub mod links;
pub mod member;
pub mod notify;
pub mod org;
pub mod phone;
pub mod review;
pub mod theme_day;
mod vocabulary;
pub use vocabulary::Vocabulary;
pub mod volunteer;
