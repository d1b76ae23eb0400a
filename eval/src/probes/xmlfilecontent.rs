//! `xmlfilecontent_object` (independent): the value of an XPath 1.0
//! expression in XML files.
//!
//! Files come from `filepath`, or `path` and `filename`, with the file
//! behaviors (see [`fs`](super::fs)). Each regular file is read (at most
//! [`DEFAULT_LIMIT`] bytes), stripped of namespaces, and `xpath` is
//! evaluated with libxml2 (see [`xpath`](super::xpath)). As with oscap:
//! - a node set gives one `value_of` per attribute or text node in it
//!   (element nodes give an item without `value_of`), and an empty node
//!   set gives no item for that file;
//! - a number gives an `int` `value_of`, truncated toward zero (`count()`
//!   is the common case), a boolean a `boolean` one, a string a string;
//! - a file that is not well-formed XML makes the object's flag `error`
//!   with a message naming it; the other files are still searched.
//!
//! An invalid expression is an `error` flag with libxml2's message.

use super::fs;
use super::xpath::{self, Value};
use super::{push_location, ProbeCtx};
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Flag};
use crate::target::DEFAULT_LIMIT;

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let Some(xp) = obj.entity("xpath") else { return Collected::error("xmlfilecontent_object without xpath") };
    if xp.values.is_empty() {
        return Collected::error("the xpath entity has no value");
    }
    // A variable with several expressions: each is evaluated (oscap runs
    // the probe once per value).
    let mut exprs: Vec<&str> = Vec::new();
    for v in &xp.values {
        if !exprs.contains(&v.as_str()) {
            exprs.push(v);
        }
    }
    let resolved = fs::resolve(ctx, obj);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    let mut messages = resolved.messages;
    let mut incomplete = resolved.incomplete;
    let mut failed = false;
    let mut items = Vec::new();
    for f in &resolved.files {
        if ctx.expired() {
            incomplete = true;
            break;
        }
        let Some(fp) = f.filepath() else { continue };
        match ctx.target.metadata(&fp) {
            Ok(m) if m.is_file() => {}
            _ => continue,
        }
        let doc = match ctx
            .target
            .read_limited(&fp, DEFAULT_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|bytes| xpath::strip_namespaces(&bytes))
        {
            Ok(d) => d,
            Err(e) => {
                messages.push(format!("{fp}: {e}"));
                failed = true;
                continue;
            }
        };
        for expr in &exprs {
            let value = match xpath::evaluate(&doc, expr) {
                Ok(v) => v,
                Err(e) => {
                    messages.push(format!("{fp}: {e}"));
                    failed = true;
                    continue;
                }
            };
            let mut item = Item::new("independent", "xmlfilecontent_item");
            push_location(&mut item, f);
            item.s("xpath", *expr);
            match value {
                Value::Boolean(b) => {
                    item.push("value_of", Datatype::Boolean, if b { "true" } else { "false" });
                }
                Value::Number(n) => {
                    item.push("value_of", Datatype::Int, truncate(n).to_string());
                }
                Value::String(s) => {
                    item.s("value_of", s);
                }
                Value::Nodes { values, count } => {
                    if count == 0 {
                        continue;
                    }
                    for v in values {
                        item.s("value_of", v);
                    }
                }
                Value::Other => item.status = crate::oval::types::Status::DoesNotExist,
            }
            items.push(item);
        }
    }
    let mut c = Collected::from_items(items);
    if failed {
        c.flag = Flag::Error;
    } else if incomplete {
        c.flag = Flag::Incomplete;
        messages.push("the deadline passed before every file was searched".into());
    }
    c.messages = messages;
    c
}

/// A number as oscap stores it: converted to a 32-bit integer the way C
/// does on x86-64 (toward zero; NaN and out-of-range values become the
/// smallest integer).
fn truncate(n: f64) -> i32 {
    if n.is_nan() || n >= 2147483648.0 || n <= -2147483649.0 {
        i32::MIN
    } else {
        n.trunc() as i32
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{eq, obj, pm, run, values, write};
    use super::*;
    use crate::target::Target;

    #[test]
    fn values_of_every_xpath_result_type() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "/etc/z/public.xml",
            r#"<zone xmlns="urn:x"><service name="ssh"/><service name="dhcp"/><short>Public</short></zone>"#,
        );
        write(t.path(), "/etc/z/broken.xml", "<zone><service></zone>");
        let target = Target::dir(t.path()).unwrap();
        let one = |xp: &str| {
            run(
                &target,
                &obj("independent", "xmlfilecontent", vec![eq("filepath", "/etc/z/public.xml"), eq("xpath", xp)], &[]),
            )
        };
        let c = one("/zone/service/@name");
        assert_eq!(c.flag, Flag::Complete);
        assert_eq!(values(&c, "value_of"), ["ssh", "dhcp"]);
        assert_eq!(values(&c, "filepath"), ["/etc/z/public.xml"]);
        let c = one("count(/zone/service) div 4");
        assert_eq!(values(&c, "value_of"), ["0"]);
        assert_eq!(c.items[0].get("value_of").next().unwrap().datatype, Datatype::Int);
        assert_eq!(values(&one("boolean(/zone/short)"), "value_of"), ["true"]);
        assert_eq!(values(&one("string(/zone/short)"), "value_of"), ["Public"]);
        // Elements: an item without value_of. Nothing: no item.
        let c = one("/zone/service");
        assert_eq!(c.items.len(), 1);
        assert!(values(&c, "value_of").is_empty());
        assert_eq!(one("/zone/port").flag, Flag::DoesNotExist);
        assert_eq!(one("/zone/[").flag, Flag::Error);
        // Every .xml file: the broken one is an error, the other still
        // gives its item.
        let c = run(
            &target,
            &obj(
                "independent",
                "xmlfilecontent",
                vec![eq("path", "/etc/z"), pm("filename", r"\.xml$"), eq("xpath", "string(/zone/short)")],
                &[],
            ),
        );
        assert_eq!(c.flag, Flag::Error);
        assert_eq!(values(&c, "value_of"), ["Public"]);
        assert!(
            c.messages.iter().any(|m| m.contains("/etc/z/broken.xml") && m.contains("not well-formed")),
            "{:?}",
            c.messages
        );
    }

    #[test]
    fn numbers_convert_like_c() {
        assert_eq!(truncate(2.9), 2);
        assert_eq!(truncate(-2.9), -2);
        assert_eq!(truncate(f64::NAN), i32::MIN);
        assert_eq!(truncate(1e12), i32::MIN);
    }
}
