//! A rule that `requires` or `conflicts` with a rule the product does not
//! have at all (compiler `W0311`). The relation is left out of the built
//! benchmark, since XCCDF may not name a missing item.
//!
//! **Why**: the relation says something about a rule that is not there;
//! either the other rule's id is misspelled, or it is missing from this
//! product (removed, renamed, or excluded by its `documentation_complete`).
//!
//! **Example**: `service_auditd_enabled/rule.yml` has
//! `requires: [package_audit_installed]` and the product has no
//! `package_audit_installed` rule.
//!
//! **Fix**: correct the id, or add the other rule to the product.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L054",
    name: "lost-relation",
    summary: "a rule requires or conflicts with a rule the product does not have",
    level: Level::Warning,
    fixable: false,
    claims: &[Claim { code: "W0311", any_of: &[] }],
    check: None,
};
