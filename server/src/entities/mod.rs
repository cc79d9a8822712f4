//! sea-orm entities, one per table, mirroring `zhibu-migrations`.
//! Boilerplate only: behaviour lives in the capability modules.

pub mod app_meta;
pub mod seed_step;
