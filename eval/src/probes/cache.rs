//! State shared by all probes during one evaluation.

/// Expensive results computed once per evaluation and shared between
/// threads (each field is filled on first use).
#[derive(Default)]
pub struct Cache {}
