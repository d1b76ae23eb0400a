//! Evaluating SCAP content on a target.

pub mod oval;
pub mod probes;
pub mod target;
