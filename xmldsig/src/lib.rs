//! XML-DSig for SCAP source data streams (work in progress).
