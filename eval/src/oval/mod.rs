//! The OVAL 5.11 interpreter.

pub mod compare;
pub mod datetime;
pub mod engine;
pub mod item;
pub mod model;
pub mod standalone;
pub mod types;
