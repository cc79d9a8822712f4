//! Zhibu's PWA: a Leptos client-side rendered app for party members on
//! cheap phones and weak networks.
//!
//! `main.rs` only mounts [`App`]; the modules below hold everything else.

pub mod api;
mod app;
pub mod components;
pub mod first_modules;
pub mod i18n;
pub mod layout;
pub mod outbox;
pub mod pages;
pub mod session;
mod storage;
pub mod util;

pub use app::App;
