//! `textfilecontent_object` (deprecated since OVAL 5.4, still in use and in
//! MITRE's test content): the lines of files, found by `path` and
//! `filename` with the file behaviors, that the `line` pattern matches,
//! one item per matching line, with the line and the pattern's groups as
//! `subexpression`s (the line is the item's `text`, which a state's `line`
//! is compared with, as oscap does). Lines are matched one at a time, without the
//! multiline behaviors of `textfilecontent54`.

use super::fs;
use super::{push_location, ProbeCtx};
use crate::oval::compare::regex;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Flag, Operation, Status};
use crate::target::DEFAULT_LIMIT;

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let Some(line) = obj.entity("line") else {
        return Collected::error("textfilecontent_object without line");
    };
    if line.operation != Operation::PatternMatch {
        return Collected::error(format!(
            "the line entity must use `pattern match`, not `{}`",
            line.operation.as_str()
        ));
    }
    let mut regexes = Vec::new();
    for p in &line.values {
        match regex(p, false, false, false) {
            Ok(r) => regexes.push(r),
            Err(e) => return Collected::error(e.to_string()),
        }
    }
    let resolved = fs::resolve(ctx, obj);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    let mut messages = resolved.messages;
    let mut incomplete = resolved.incomplete;
    let mut items = Vec::new();
    for f in &resolved.files {
        if ctx.expired() {
            incomplete = true;
            break;
        }
        let Some(fp) = f.filepath() else { continue };
        if !ctx.target.metadata(&fp).is_ok_and(|m| m.is_file()) {
            continue;
        }
        let text = match ctx.target.read_limited(&fp, DEFAULT_LIMIT) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                messages.push(format!("{fp}: {e}"));
                let mut item = Item::new("independent", "textfilecontent_item");
                item.status = Status::Error;
                push_location(&mut item, f);
                items.push(item);
                continue;
            }
        };
        for (n, l) in text.lines().enumerate() {
            for re in &regexes {
                let groups = match re.first_captures(l) {
                    Ok(Some(g)) => g,
                    Ok(None) => continue,
                    Err(e) => {
                        messages.push(format!("{fp}: {e}"));
                        continue;
                    }
                };
                let mut item = Item::new("independent", "textfilecontent_item");
                push_location(&mut item, f);
                item.s("text", l);
                item.line = Some(n as u32 + 1);
                for g in groups {
                    item.s("subexpression", g);
                }
                items.push(item);
            }
        }
    }
    let mut c = Collected::from_items(items);
    if incomplete {
        c.flag = Flag::Incomplete;
        messages.push("the deadline passed before every file was searched".into());
    }
    c.messages = messages;
    c
}
