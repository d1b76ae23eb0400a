//! scapc's linter: lint rules over the resolved content model.
//!
//! The diagnostic type it reports with is shared with the compiler and
//! the validator and lives in `scapc-diagnostics` (re-exported here), so
//! that this crate can depend on the compiler's loader without a cycle.
//! The lint rules themselves arrive with `scapc lint`.

pub use scapc_diagnostics as diagnostics;
