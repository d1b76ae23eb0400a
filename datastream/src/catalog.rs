//! The one catalog resolver: how an href inside a component (an XCCDF
//! `check-content-ref`, a CPE `check`, a `check-fact-ref`) reaches a
//! `ds:component-ref` of the same data stream (SP 800-126r3 §3.1.1 and
//! SRC-31), used by `ds split`, `ds info`, validation, signing and
//! evaluation alike.
//!
//! The rules are those of the OASIS XML Catalogs as NIST's SCAP 1.3
//! Schematron applies them (`xcf:resolve-in-catalog`):
//! - an href that starts with `#` is already a component-ref reference;
//! - otherwise the entries of the `cat:catalog` of the component-ref that
//!   holds the referring component are tried in document order, and the
//!   first that matches decides: a `cat:uri` whose `@name` equals the href
//!   maps it to its `@uri`; a `cat:rewriteURI` whose `@uriStartString`
//!   starts the href maps it to `@rewritePrefix` plus the rest of the href;
//! - the result names the component-ref whose `@id` is the result without
//!   its leading `#`. Anything else resolves to nothing.

use crate::read::{ComponentRef, DataStream};

/// One entry of a component-ref's `cat:catalog`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// `cat:uri`: `name` maps to `uri`.
    Uri { name: String, uri: String },
    /// `cat:rewriteURI`: an href starting with `start` has that start
    /// replaced by `prefix`.
    RewriteUri { start: String, prefix: String },
}

/// A component-ref's catalog, entries in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub entries: Vec<Entry>,
}

impl Catalog {
    /// The URI an href maps to: the href itself when it starts with `#`,
    /// else the first matching entry's result.
    pub fn resolve(&self, href: &str) -> Option<String> {
        if href.starts_with('#') {
            return Some(href.to_owned());
        }
        self.entries.iter().find_map(|e| match e {
            Entry::Uri { name, uri } => (name == href).then(|| uri.clone()),
            Entry::RewriteUri { start, prefix } => {
                href.strip_prefix(start.as_str()).map(|rest| format!("{prefix}{rest}"))
            }
        })
    }

    /// The `(name, uri)` pairs of the `cat:uri` entries.
    pub fn uris(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Uri { name, uri } => Some((name.as_str(), uri.as_str())),
            Entry::RewriteUri { .. } => None,
        })
    }
}

/// The id of the component-ref a resolved URI names (`#id`).
pub fn ref_id(uri: &str) -> Option<&str> {
    uri.strip_prefix('#').filter(|id| !id.is_empty())
}

/// The component-ref of `stream` that `href`, found in the component
/// `from` points at, resolves to.
pub fn resolve<'s>(stream: &'s DataStream, from: &ComponentRef, href: &str) -> Option<&'s ComponentRef> {
    let uri = from.entries.resolve(href)?;
    let id = ref_id(&uri)?;
    stream.refs.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat() -> Catalog {
        Catalog {
            entries: vec![
                Entry::Uri { name: "oval.xml".into(), uri: "#r-oval".into() },
                Entry::RewriteUri { start: "http://example.org/".into(), prefix: "#r-".into() },
                Entry::Uri { name: "http://example.org/ocil".into(), uri: "#shadowed".into() },
            ],
        }
    }

    #[test]
    fn uri_rewrite_and_document_order() {
        let c = cat();
        assert_eq!(c.resolve("#x").as_deref(), Some("#x"));
        assert_eq!(c.resolve("oval.xml").as_deref(), Some("#r-oval"));
        assert_eq!(c.resolve("http://example.org/ocil").as_deref(), Some("#r-ocil"));
        assert_eq!(c.resolve("ocil.xml"), None);
        assert_eq!(ref_id("#r-ocil"), Some("r-ocil"));
        assert_eq!(ref_id("#"), None);
        assert_eq!(ref_id("r"), None);
        assert_eq!(c.uris().count(), 2);
    }
}
