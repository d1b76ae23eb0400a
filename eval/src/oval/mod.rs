//! The OVAL 5.11 interpreter.

pub mod compare;
pub mod item;
pub mod types;
