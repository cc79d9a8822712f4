//! Governance records for secretaries and inspectors: 组织生活 (the
//! 三会一课 ledger and recording a meeting with a photo), the inspection
//! workbench (draw a sample, grade it, raise problems), the rectification
//! list, and the overview of a unit's children this quarter.

pub mod inspections;
pub mod meetings;
pub mod overview;
pub mod problems;
