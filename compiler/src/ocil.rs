//! OCIL 2.0 emitter: one questionnaire, boolean question and test action per
//! rule with `ocil` / `ocil_clause`. Answering "yes" to "Is it the case that
//! <clause>?" means the rule fails.

use crate::compile::Compiled;
use crate::jinja::{SUB_CLOSE, SUB_OPEN};
use crate::text::plain;
use scapc_xml::escape_text;
use std::fmt::Write as _;

pub const NS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2.0";

/// Replaces `xccdf_value()` markers by the Value's default, since OCIL text
/// is plain text.
fn resolve_subs(c: &Compiled, s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(SUB_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + SUB_OPEN.len()..];
        let end = after.find(SUB_CLOSE).unwrap_or(after.len());
        let id = &after[..end];
        let v = c.content.values.get(id).and_then(|v| v.default_value()).unwrap_or(id);
        out.push_str(v);
        rest = after.get(end + SUB_CLOSE.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

pub fn emit(c: &Compiled) -> String {
    let ns = c.ns();
    let ids = crate::xccdf::ocil_ids(c);
    let mut q = String::new();
    let mut a = String::new();
    let mut b = String::new();
    let cac = c.product.layout == crate::model::Layout::Cac;
    for (n, (rule_id, qid)) in ids.iter().enumerate() {
        let n = n + 1;
        // scapc numbers each kind; CaC names them after the rule.
        let (action, question) = if cac {
            (format!("ocil:ssg-{rule_id}_action:testaction:1"), format!("ocil:ssg-{rule_id}_question:question:1"))
        } else {
            (format!("ocil:{ns}:testaction:{n}"), format!("ocil:{ns}:question:{n}"))
        };
        let r = &c.content.rules[rule_id];
        let title = escape_text(&plain(&r.title)).into_owned();
        let _ = writeln!(
            q,
            "    <ocil:questionnaire id=\"{qid}\">\n      <ocil:title>{title}</ocil:title>\n      <ocil:actions>\n        <ocil:test_action_ref>{action}</ocil:test_action_ref>\n      </ocil:actions>\n    </ocil:questionnaire>"
        );
        let _ = writeln!(
            a,
            "    <ocil:boolean_question_test_action id=\"{action}\" question_ref=\"{question}\">\n      <ocil:when_true>\n        <ocil:result>FAIL</ocil:result>\n      </ocil:when_true>\n      <ocil:when_false>\n        <ocil:result>PASS</ocil:result>\n      </ocil:when_false>\n    </ocil:boolean_question_test_action>"
        );
        let mut text = plain(&resolve_subs(c, r.ocil.as_deref().unwrap_or("")));
        let text_trim = text.trim().to_owned();
        text = text_trim;
        if let Some(clause) = &r.ocil_clause {
            if !text.is_empty() {
                text.push_str("\n      ");
            }
            text.push_str(&format!("Is it the case that {}?", plain(&resolve_subs(c, clause)).trim()));
        }
        let _ = writeln!(
            b,
            "    <ocil:boolean_question id=\"{question}\">\n      <ocil:question_text>{}</ocil:question_text>\n    </ocil:boolean_question>",
            escape_text(&text)
        );
    }
    let mut out = String::with_capacity(q.len() + a.len() + b.len() + 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<ocil:ocil xmlns:ocil=\"{NS_OCIL}\">");
    let _ = writeln!(
        out,
        "  <ocil:generator>\n    <ocil:product_name>scapc</ocil:product_name>\n    <ocil:product_version>{}</ocil:product_version>\n    <ocil:schema_version>2.0</ocil:schema_version>\n    <ocil:timestamp>{}</ocil:timestamp>\n  </ocil:generator>",
        env!("CARGO_PKG_VERSION"),
        c.timestamp
    );
    if !ids.is_empty() {
        let _ = write!(out, "  <ocil:questionnaires>\n{q}  </ocil:questionnaires>\n  <ocil:test_actions>\n{a}  </ocil:test_actions>\n  <ocil:questions>\n{b}  </ocil:questions>\n");
    }
    out.push_str("</ocil:ocil>\n");
    out
}
