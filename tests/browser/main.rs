//! Browser tests of the PWA: Debian's Chromium, headless, at 360 × 640,
//! against the real server serving the built `dist/`.
//!
//! Build the app first: `cargo xtask build-app`. `ZHIBU_TEST_PUBLIC_DIR`
//! points at another build; `ZHIBU_CHROMIUM` at another browser binary.
//!
//! `harness` starts the server and Chromium and acts as a person would; each
//! other module is a group of journeys, named for what its users do.

mod harness;

mod administration;
mod check_in_offline;
mod governance;
mod member_classes;
mod opening_the_app;
mod phone_ux;
mod reminders;
mod sign_in_and_activation;
mod volunteer_hours;
