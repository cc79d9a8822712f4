//! The integration tests: each starts the real server on its own database
//! (SQLite, or PostgreSQL when ZHIBU_TEST_PG is set) and talks HTTP to it.

mod access_matrix;
mod administration;
mod auth;
mod authz;
mod backup;
mod checkins;
mod classes;
mod contract;
mod county;
mod crash;
mod foundation;
mod governance;
mod jwt;
mod notifications;
mod operations;
mod orgs;
mod rollups;
mod roster;
mod states;
mod trust;
mod volunteer;
mod wechat;
mod wire;
