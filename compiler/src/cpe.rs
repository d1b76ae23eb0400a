//! CPE 2.3 dictionary emitter: one item for the product CPE and one for
//! every platform instance a rule or group uses, each checked by the CPE
//! OVAL component.

use crate::compile::Compiled;
use crate::oval::{Kind, NS_DEF};
use scapc_xml::{escape_attr, escape_text};
use std::fmt::Write as _;

pub const NS_CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
pub const NS_CPE_23: &str = "http://scap.nist.gov/schema/cpe-extension/2.3";

/// `cpe:/a:vendor:product:version` -> `cpe:2.3:a:vendor:product:version:*:...`.
pub fn uri_to_fs(uri: &str) -> String {
    let body = uri.strip_prefix("cpe:/").unwrap_or(uri);
    let mut parts: Vec<String> = body
        .split(':')
        .map(|p| {
            if p.is_empty() {
                "*".to_owned()
            } else {
                let mut s = String::new();
                for ch in p.chars() {
                    if ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '-' {
                        s.push(ch.to_ascii_lowercase());
                    } else {
                        s.push('\\');
                        s.push(ch);
                    }
                }
                s
            }
        })
        .collect();
    parts.resize(11, "*".to_owned());
    format!("cpe:2.3:{}", parts.join(":"))
}

pub fn emit(c: &Compiled) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<cpe-dict:cpe-list xmlns:cpe-dict=\"{NS_CPE_DICT}\" xmlns:cpe-23=\"{NS_CPE_23}\">");
    let mut items: Vec<(&str, &str, &str)> = Vec::new();
    if c.product.layout == crate::model::Layout::Cac {
        // CaC's dictionary lists the product's own CPEs; its platforms
        // reference their OVAL checks directly (check-fact-ref).
        for cpe in &c.product.cpes {
            items.push((&cpe.name, &cpe.title, &cpe.check_id.value));
        }
    } else {
        for inst in c.instances.values() {
            items.push((&inst.cpe, &inst.title, &inst.check));
        }
    }
    items.sort();
    items.dedup_by(|a, b| a.0 == b.0);
    for (name, title, id) in items {
        let def = c.cpe_oval.id(Kind::Def, id).unwrap_or_default();
        let _ = writeln!(
            out,
            "  <cpe-dict:cpe-item name=\"{}\">\n    <cpe-dict:title xml:lang=\"en-us\">{}</cpe-dict:title>\n    <cpe-dict:check system=\"{NS_DEF}\" href=\"{}\">{def}</cpe-dict:check>\n    <cpe-23:cpe23-item name=\"{}\"/>\n  </cpe-dict:cpe-item>",
            escape_attr(name),
            escape_text(title),
            c.file_name("cpe-oval"),
            escape_attr(&uri_to_fs(name)),
        );
    }
    out.push_str("</cpe-dict:cpe-list>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formatted_string() {
        assert_eq!(super::uri_to_fs("cpe:/o:debian:debian_linux:12"), "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*");
        assert_eq!(
            super::uri_to_fs("cpe:/a:scapc:package:openssh-server"),
            "cpe:2.3:a:scapc:package:openssh-server:*:*:*:*:*:*:*"
        );
    }
}
