//! `textfilecontent54_object` (independent): the matches of a regular
//! expression in text files.
//!
//! Files come from `filepath`, or `path` and `filename`, with the file
//! behaviors (see [`fs`](super::fs)). Each regular file is read whole
//! (at most [`DEFAULT_LIMIT`] bytes) and searched with `pattern` under the
//! behaviors `multiline` (default true: `^`/`$` match at line ends),
//! `singleline` (default false: `.` matches a newline) and `ignore_case`.
//! Matches are numbered from 1 in each file; an item is made for each
//! match whose number satisfies `instance`, with the whole match as `text`
//! and one `subexpression` per capture group that took part in the match.
//!
//! Reads `filepath` through the target (local or `dir:`). Like oscap,
//! files that are not regular (FIFOs, devices, directories) have no
//! items, and a file's content ends at its first NUL byte (oscap hands
//! the buffer to PCRE as a C string). A regular file that cannot be read
//! (too large, I/O error) gives an item with status `error`.
//!
//! Differences from oscap: oscap also writes the deprecated `line` entity
//! holding the pattern; it is left out here.

use super::fs::{self, FileRef};
use super::{bool_behavior, push_location, ProbeCtx};
use crate::oval::compare::{regex, CompareError, Regex};
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Flag, Operation, Status};
use crate::target::DEFAULT_LIMIT;

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    collect_with_limit(ctx, obj, DEFAULT_LIMIT)
}

pub(super) fn collect_with_limit(ctx: &ProbeCtx<'_>, obj: &ObjectSpec, limit: u64) -> Collected {
    let Some(pattern) = obj.entity("pattern") else {
        return Collected::error("textfilecontent54_object without pattern");
    };
    if pattern.operation != Operation::PatternMatch {
        return Collected::error(format!(
            "the pattern entity must use `pattern match`, not `{}`",
            pattern.operation.as_str()
        ));
    }
    let multiline = bool_behavior(obj, "multiline", true);
    let singleline = bool_behavior(obj, "singleline", false);
    let ignore_case = bool_behavior(obj, "ignore_case", false);
    let mut regexes = Vec::new();
    for p in &pattern.values {
        match regex(p, multiline, singleline, ignore_case) {
            Ok(r) => regexes.push((p.clone(), r)),
            Err(e) => return Collected::error(e.to_string()),
        }
    }
    let instance = obj.entity("instance");
    let resolved = fs::resolve(ctx, obj);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    let mut messages = resolved.messages;
    let mut incomplete = resolved.incomplete;
    let mut items = Vec::new();
    'files: for f in &resolved.files {
        if ctx.expired() {
            incomplete = true;
            break;
        }
        let Some(fp) = f.filepath() else { continue };
        match ctx.target.metadata(&fp) {
            Ok(m) if m.is_file() => {}
            _ => continue,
        }
        let text = match ctx.target.read_limited(&fp, limit) {
            Ok(bytes) => text_of(bytes),
            Err(e) => {
                messages.push(format!("{fp}: {e}"));
                items.push(error_item(f));
                continue;
            }
        };
        for (p, re) in &regexes {
            let found = match find_all(re, &text) {
                Ok(v) => v,
                Err(e) => {
                    messages.push(format!("{fp}: {e}"));
                    items.push(error_item(f));
                    continue;
                }
            };
            let mut lines = LineCounter::new(&text);
            for (n, (start, whole, groups)) in found.into_iter().enumerate() {
                let n = n + 1;
                if let Some(inst) = instance {
                    match inst.matches(&n.to_string()) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(e) => {
                            messages.push(format!("instance: {e}"));
                            break 'files;
                        }
                    }
                }
                let mut item = Item::new("independent", "textfilecontent_item");
                push_location(&mut item, f);
                item.s("pattern", p.as_str());
                item.push("instance", Datatype::Int, n.to_string());
                item.s("text", whole);
                item.line = Some(lines.line_at(start));
                for g in groups.into_iter().flatten() {
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

fn error_item(f: &FileRef) -> Item {
    let mut item = Item::new("independent", "textfilecontent_item");
    item.status = Status::Error;
    push_location(&mut item, f);
    item
}

/// A file's text as oscap sees it: up to the first NUL, invalid UTF-8
/// replaced.
fn text_of(mut bytes: Vec<u8>) -> String {
    if let Some(i) = bytes.iter().position(|b| *b == 0) {
        bytes.truncate(i);
    }
    match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Every match: its byte offset, the whole match and each group (`None`
/// when the group did not take part).
type Match = (usize, String, Vec<Option<String>>);

/// Line numbers of increasing byte offsets in one text.
struct LineCounter<'t> {
    text: &'t str,
    pos: usize,
    line: u32,
}

impl<'t> LineCounter<'t> {
    fn new(text: &'t str) -> Self {
        LineCounter { text, pos: 0, line: 1 }
    }

    /// The 1-based line of `offset` (offsets must not decrease).
    fn line_at(&mut self, offset: usize) -> u32 {
        let end = offset.min(self.text.len());
        if end > self.pos {
            self.line += self.text.as_bytes()[self.pos..end].iter().filter(|b| **b == b'\n').count() as u32;
            self.pos = end;
        }
        self.line
    }
}

fn find_all(re: &Regex, text: &str) -> Result<Vec<Match>, CompareError> {
    re.find_all(text)
}
