//! `yamlfilecontent_object` (independent): values addressed by a YAML
//! path in YAML files, as records.
//!
//! Files come from `filepath`, or `path` and `filename`, with the file
//! behaviors (see [`fs`](super::fs)); with a `content` entity that string
//! is parsed instead and no file is read. Each regular file is read whole
//! through the target (at most [`DEFAULT_LIMIT`] bytes) and searched with
//! every value of `yamlpath`. A file where the path finds something gets
//! one item: `filepath`, `path`, `filename`, `yamlpath`, then one `value`
//! entity (datatype `record`) per record; a file where it finds nothing
//! has no item.
//!
//! # YAML paths
//!
//! The syntax of OpenSCAP's yaml-path library: an optional `$` (the
//! document root) or `&anchor` (the first node with that anchor), then
//! segments: `.key` (also `key` at the very start), `['key']` or
//! `["key"]` (keys with dots or dashes), `['k1','k2']` (several keys of a
//! map), `.*` or `[*]` (every key), `[n]` (one element of a sequence),
//! `[n,m]` (some elements) and `[:]` (every element).
//!
//! A key or index segment selects the value below it. A segment that
//! selects several keys or elements keeps the map or sequence itself
//! around its selection, with the selected keys: so `.a[:]` is the same
//! sequence as `.a`, `.items[:].metadata.name` is one sequence of names,
//! and `volumes[:].configMap['defaultMode','name']` is a sequence of maps.
//! Every document of a multi-document file is searched.
//!
//! # Records
//!
//! What the path selects becomes records as OpenSCAP builds them:
//! - scalars (one, or a sequence of them) go into one record, all under
//!   the field `#`;
//! - a map is one record with a field per key; a key with a sequence of
//!   scalars gives that field several values; keys are lower-cased with a
//!   `^` before each letter that was upper case (`defaultMode` →
//!   `default^mode`, `^` itself becomes `^^`), as field names must be;
//! - a sequence of maps gives a record per map, a sequence of sequences a
//!   record per inner sequence;
//! - deeper nesting (a map in a map, a sequence in a sequence in a map,
//!   ...) is an error; an empty map or sequence gives no record.
//!
//! Scalars are typed like OpenSCAP does it: a plain scalar without a tag
//! by the YAML 1.2 core schema (`true`/`false` in three spellings →
//! boolean; decimal, `0o` octal and `0x` hexadecimal integers → int,
//! written in decimal; decimal and exponent floats, `.inf`, `.nan` →
//! float, written with six decimals like C's `%f`; `null`, `~` and the
//! empty scalar → the string `(null)`); a quoted or block scalar is a
//! string; an explicit `!!bool`, `!!int`, `!!float`, `!!null` or `!!str`
//! tag forces the type, and a value that does not fit its tag is an
//! error.
//!
//! # Errors
//!
//! An invalid path, a file that is not valid YAML or not UTF-8, a
//! structure too deep for records, or a value that does not fit its tag
//! set the object's flag to `error` with a message naming the file; other
//! files are still searched. A file that cannot be read is an error too.
//!
//! # Differences from oscap
//!
//! - Aliases (`*name`) stand for the node they refer to, as YAML means.
//!   oscap's yaml-path filter passes alias events on but its record
//!   builder ignores them, so there an aliased value is simply missing
//!   (and a map holding one pairs the following keys and values wrongly).
//!   Expansion is budgeted ([`ALIAS_BUDGET`] nodes per file and path), so
//!   an alias bomb ("billion laughs") is an error, not a hang; an alias
//!   inside the node it refers to is an error.
//! - Integers are 64-bit (saturating, like `strtol`). oscap stores them in
//!   a C `int`, so 9999999999 becomes 1410065407 there.
//! - A path starting with `&anchor` starts at the first node with that
//!   anchor only; oscap may also match later nodes redefining the same
//!   anchor at the same depth, and never matches an anchor on a
//!   document's root node.
//! - Nesting deeper than [`MAX_DEPTH`] levels is an error.

use super::fs;
use super::{push_location, ProbeCtx};
use crate::oval::item::{Collected, Item, ItemField, ObjectSpec};
use crate::oval::types::{Datatype, Flag};
use crate::target::DEFAULT_LIMIT;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Scanner, TScalarStyle, TokenType};

/// How many nodes alias expansion may add, per file and path.
pub const ALIAS_BUDGET: usize = 1_000_000;

/// How deep containers may nest (aliases expanded).
pub const MAX_DEPTH: usize = 1_000;

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let Some(yamlpath) = obj.entity("yamlpath") else {
        return Collected::error("yamlfilecontent_object without yamlpath");
    };
    let paths: Vec<&str> = yamlpath.values.iter().map(String::as_str).collect();
    let mut out = Output::default();
    if let Some(content) = obj.entity("content") {
        for text in &content.values {
            for p in &paths {
                if let Some(records) = out.search(text, p, "the content") {
                    let mut item = Item::new("independent", "yamlfilecontent_item");
                    item.s("content", text.as_str());
                    item.s("yamlpath", *p);
                    push_records(&mut item, records);
                    out.items.push(item);
                }
            }
        }
        return out.finish();
    }
    let resolved = fs::resolve(ctx, obj);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    out.messages = resolved.messages;
    out.incomplete = resolved.incomplete;
    for f in &resolved.files {
        if ctx.expired() {
            out.incomplete = true;
            break;
        }
        let Some(fp) = f.filepath() else { continue };
        match ctx.target.metadata(&fp) {
            Ok(m) if m.is_file() => {}
            _ => continue,
        }
        let text = match ctx.target.read_limited(&fp, DEFAULT_LIMIT) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(_) => {
                    out.error(format!("{fp}: not valid UTF-8, so not YAML"));
                    continue;
                }
            },
            Err(e) => {
                out.error(format!("{fp}: {e}"));
                continue;
            }
        };
        for p in &paths {
            if let Some(records) = out.search(&text, p, &fp) {
                let mut item = Item::new("independent", "yamlfilecontent_item");
                push_location(&mut item, f);
                item.s("yamlpath", *p);
                push_records(&mut item, records);
                out.items.push(item);
            }
        }
    }
    out.finish()
}

/// What the probe has so far.
#[derive(Default)]
struct Output {
    items: Vec<Item>,
    messages: Vec<String>,
    error: bool,
    incomplete: bool,
}

impl Output {
    fn error(&mut self, message: String) {
        self.error = true;
        if self.messages.len() < 50 {
            self.messages.push(message);
        }
    }

    /// The records `path` finds in `text` (`None` when there are none or
    /// on an error, which is recorded naming `what`).
    fn search(&mut self, text: &str, path: &str, what: &str) -> Option<Vec<Record>> {
        // A panic in the YAML library costs this file only.
        let result =
            std::panic::catch_unwind(|| query(text, path)).unwrap_or_else(|_| Err("the YAML parser failed".into()));
        match result {
            Ok(r) if r.is_empty() => None,
            Ok(r) => Some(r),
            Err(e) => {
                self.error(format!("{what}: {e}"));
                None
            }
        }
    }

    fn finish(self) -> Collected {
        let mut c = Collected::from_items(self.items);
        c.messages = self.messages;
        if self.error {
            c.flag = Flag::Error;
        } else if self.incomplete {
            c.flag = Flag::Incomplete;
            c.messages.push("the deadline passed before every file was searched".into());
        }
        c
    }
}

fn push_records(item: &mut Item, records: Vec<Record>) {
    for r in records {
        let mut fields = Vec::new();
        for (name, values) in r {
            for (dt, v) in values {
                fields.push(ItemField::new(name.as_str(), dt, v));
            }
        }
        item.push_record("value", fields);
    }
}

/// One record: field names in order of appearance, each with its typed
/// values.
pub type Record = Vec<(String, Vec<(Datatype, String)>)>;

/// The records a YAML path finds in a YAML text.
pub fn query(text: &str, path: &str) -> Result<Vec<Record>, String> {
    let parsed = YamlPath::parse(path).map_err(|e| format!("invalid YAML path `{path}`: {e}"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let anchor = match &parsed.start {
        Start::Root => None,
        // Anchor ids count anchors in the order they appear, from 1.
        Start::Anchor(name) => Some(anchor_id(text, name)),
    };
    let mut m = Matcher::new(&parsed, anchor, Builder::new(path));
    let mut parser = Parser::new_from_str(text);
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| format!("not valid YAML: {e}"))?;
        let at = || format!(" (line {}, column {})", mark.line(), mark.col() + 1);
        match ev {
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => {}
            Event::Alias(id) => m.alias(id).map_err(|e| e + &at())?,
            Event::Scalar(value, style, aid, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                m.node(Ev::Scalar(Scalar { value, plain: style == TScalarStyle::Plain, tag }), aid)
                    .map_err(|e| e + &at())?
            }
            Event::SequenceStart(aid, _) => m.node(Ev::SeqStart, aid).map_err(|e| e + &at())?,
            Event::MappingStart(aid, _) => m.node(Ev::MapStart, aid).map_err(|e| e + &at())?,
            Event::SequenceEnd => m.end(Ev::SeqEnd)?,
            Event::MappingEnd => m.end(Ev::MapEnd)?,
        }
    }
    Ok(m.out.finish())
}

/// The id the parser gives the first anchor of that name (0: none).
fn anchor_id(text: &str, name: &str) -> usize {
    let mut n = 0;
    for tok in Scanner::new(text.chars()) {
        if let TokenType::Anchor(a) = tok.1 {
            n += 1;
            if a == name {
                return n;
            }
        }
    }
    0
}

// ----- YAML paths -----

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// `$`, or nothing: each document's root.
    Root,
    /// `&name`: the node with that anchor.
    Anchor(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// `.key`, `['key']`: the value of one key.
    Key(String),
    /// `['k1','k2']`; empty for `.*` and `[*]`: the map, with those keys.
    Keys(Vec<String>),
    /// `[n]`: one element.
    Index(u64),
    /// `[n,m]`; empty for `[:]`: the sequence, with those elements.
    Indices(Vec<u64>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlPath {
    pub start: Start,
    pub segments: Vec<Segment>,
}

/// At most this many keys or indices in one segment (as yaml-path).
const MAX_SEGMENT_ITEMS: usize = 256;

impl YamlPath {
    /// Parses a path with yaml-path's rules, quirks included: characters
    /// after a bracket segment up to the next `.` or `[` are ignored, and
    /// `[]` is `[0]`.
    pub fn parse(s: &str) -> Result<YamlPath, String> {
        if s.is_empty() {
            return Err("the path is empty".into());
        }
        let b = s.as_bytes();
        let delim = |from: usize| b[from..].iter().position(|c| *c == b'.' || *c == b'[').map_or(b.len(), |p| from + p);
        let mut start: Option<Start> = None;
        let mut segments = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'.' => {
                    start.get_or_insert(Start::Root);
                    let end = delim(i + 1);
                    if b.get(i + 1) == Some(&b'*') {
                        segments.push(Segment::Keys(Vec::new()));
                    } else if end == i + 1 {
                        return Err(format!("a key is missing at {}", i + 1));
                    } else {
                        segments.push(Segment::Key(s[i + 1..end].to_owned()));
                    }
                    i = end;
                }
                b'[' => {
                    start.get_or_insert(Start::Root);
                    let (seg, close) = bracket(s, i)?;
                    segments.push(seg);
                    i = close + 1;
                }
                b'&' => {
                    if start.is_some() {
                        return Err(format!("an anchor may only start the path (at {})", i + 1));
                    }
                    let end = delim(i + 1);
                    if end == i + 1 {
                        return Err("the anchor name is empty".into());
                    }
                    start = Some(Start::Anchor(s[i + 1..end].to_owned()));
                    i = end;
                }
                b'$' => {
                    if start.is_some() {
                        return Err(format!("`$` may only start the path (at {})", i + 1));
                    }
                    start = Some(Start::Root);
                    i += 1;
                }
                _ => {
                    if start.is_none() {
                        // A first key without its dot.
                        let end = delim(i);
                        start = Some(Start::Root);
                        segments.push(Segment::Key(s[i..end].to_owned()));
                        i = end;
                    } else {
                        i += 1;
                    }
                }
            }
        }
        match start {
            Some(start) => Ok(YamlPath { start, segments }),
            None => Err("the path is empty".into()),
        }
    }
}

/// A bracket segment starting at `open` (a `[`): the segment and the
/// position of its `]`.
fn bracket(s: &str, open: usize) -> Result<(Segment, usize), String> {
    let b = s.as_bytes();
    let at = |p: usize| b.get(p).copied().unwrap_or(0);
    let j = open + 1;
    if at(j) == b'*' && at(j + 1) == b']' {
        return Ok((Segment::Keys(Vec::new()), j + 1));
    }
    if at(j) == b':' && at(j + 1) == b']' {
        return Ok((Segment::Indices(Vec::new()), j + 1));
    }
    if at(j) == b'\'' || at(j) == b'"' {
        let mut keys = Vec::new();
        // The opening quote of the next key.
        let mut q = j;
        let close_bracket = loop {
            if keys.len() >= MAX_SEGMENT_ITEMS {
                return Err(format!("more than {MAX_SEGMENT_ITEMS} keys in one segment"));
            }
            let quote = b[q];
            let Some(len) = b[q + 1..].iter().position(|c| *c == quote) else {
                return Err(format!("a quoted key is not closed (at {})", q + 1));
            };
            if len == 0 {
                return Err(format!("a key is missing at {}", q + 1));
            }
            let close = q + 1 + len;
            keys.push(s[q + 1..close].to_owned());
            match at(close + 1) {
                b']' => break close + 1,
                b',' if matches!(at(close + 2), b'\'' | b'"') => q = close + 2,
                0 => return Err("a `]` is missing".into()),
                _ => return Err(format!("unexpected character at {}", close + 2)),
            }
        };
        let seg = if keys.len() == 1 { Segment::Key(keys.remove(0)) } else { Segment::Keys(keys) };
        return Ok((seg, close_bracket));
    }
    // Indices: `[n]`, `[n,m,...]`. Like strtoul: blanks before a number,
    // an optional `+`, no digits at all reads as 0.
    let number = |from: usize| -> Result<(u64, usize), String> {
        let mut p = from;
        while matches!(at(p), b' ' | b'\t') {
            p += 1;
        }
        if at(p) == b'-' {
            return Err(format!("a negative index at {}", p + 1));
        }
        let digits_from = if at(p) == b'+' && at(p + 1).is_ascii_digit() { p + 1 } else { p };
        let mut q = digits_from;
        let mut v: u64 = 0;
        while at(q).is_ascii_digit() {
            v = v.saturating_mul(10).saturating_add(u64::from(at(q) - b'0'));
            q += 1;
        }
        Ok(if q == digits_from { (0, p) } else { (v, q) })
    };
    let (first, mut p) = number(j)?;
    match at(p) {
        b']' => Ok((Segment::Index(first), p)),
        b',' => {
            // Each number must take at least one character, as yaml-path
            // requires.
            let mut list = vec![first];
            let mut prev = open;
            if p <= prev + 1 {
                return Err(format!("unexpected character at {}", p + 1));
            }
            let mut v;
            loop {
                prev = p;
                (v, p) = number(p + 1)?;
                match at(p) {
                    b',' if p > prev + 1 => {
                        if list.len() >= MAX_SEGMENT_ITEMS {
                            return Err(format!("more than {MAX_SEGMENT_ITEMS} indices in one segment"));
                        }
                        list.push(v);
                    }
                    b']' if p > prev + 1 => {
                        if list.len() >= MAX_SEGMENT_ITEMS {
                            return Err(format!("more than {MAX_SEGMENT_ITEMS} indices in one segment"));
                        }
                        list.push(v);
                        return Ok((Segment::Indices(list), p));
                    }
                    _ => return Err(format!("unexpected character in an index list at {}", p + 1)),
                }
            }
        }
        0 => Err("a `]` is missing".into()),
        _ => Err(format!("unexpected character in an index at {}", p + 1)),
    }
}

// ----- selection -----

#[derive(Debug, Clone, PartialEq)]
struct Scalar {
    value: String,
    plain: bool,
    /// The full tag (`tag:yaml.org,2002:int`, `!`, `!local`).
    tag: Option<String>,
}

/// A parse event as the matcher and the record builder see it.
#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Scalar(Scalar),
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
    /// Only in recorded anchors: an alias met inside one.
    Alias(usize),
}

/// Where a node stands relative to the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    /// Not selected (its descendants may still carry the start anchor).
    Skip,
    /// Selected whole: every event of it goes to the builder.
    Full,
    /// Reached through the first `n` segments: segment `n` chooses among
    /// its children.
    At(usize),
}

/// An open container.
struct Frame {
    map: bool,
    dest: Dest,
    /// Children started so far.
    count: u64,
    /// In a map: where the value of the pending key goes.
    value_dest: Dest,
    /// Whether its end event goes to the builder.
    emit_end: bool,
}

/// An anchor's recorded events: start, and end once the node is complete.
struct Recording {
    start: usize,
    end: Option<usize>,
}

/// Streams parse events through a YAML path into the record builder,
/// recording anchored nodes so that aliases can be replayed.
struct Matcher<'p> {
    path: &'p YamlPath,
    /// The anchor id the path starts at (`&name`); `Some(0)` when no node
    /// has that anchor.
    start_anchor: Option<usize>,
    stack: Vec<Frame>,
    /// Events of anchored nodes (and of everything inside them).
    log: Vec<Ev>,
    anchors: HashMap<usize, Recording>,
    /// Anchors being recorded, with the stack depth they started at.
    recording: Vec<(usize, usize)>,
    /// Nodes added by alias expansion so far.
    expanded: usize,
    out: Builder<'p>,
}

impl<'p> Matcher<'p> {
    fn new(path: &'p YamlPath, start_anchor: Option<usize>, out: Builder<'p>) -> Matcher<'p> {
        Matcher {
            path,
            start_anchor,
            stack: Vec::new(),
            log: Vec::new(),
            anchors: HashMap::new(),
            recording: Vec::new(),
            expanded: 0,
            out,
        }
    }

    /// Where a node that starts now goes (and it takes its place among
    /// its parent's children).
    fn dest_of_next(&mut self, anchor: usize) -> Dest {
        let dest = match self.stack.last_mut() {
            None => match self.start_anchor {
                None => Dest::At(0),
                Some(_) => Dest::Skip,
            },
            Some(f) => {
                let i = f.count;
                f.count += 1;
                match f.dest {
                    Dest::Full => Dest::Full,
                    Dest::Skip => Dest::Skip,
                    Dest::At(_) if f.map && !i.is_multiple_of(2) => f.value_dest,
                    // A key: `feed` chooses, once its text is known.
                    Dest::At(_) if f.map => Dest::Skip,
                    Dest::At(n) => match &self.path.segments[n] {
                        Segment::Index(x) if *x == i => Dest::At(n + 1),
                        Segment::Indices(xs) if xs.is_empty() || xs.contains(&i) => Dest::At(n + 1),
                        _ => Dest::Skip,
                    },
                }
            }
        };
        // `&name`: the path starts at the first node with that anchor.
        if self.start_anchor.is_some_and(|a| a != 0 && a == anchor) {
            self.start_anchor = Some(0);
            return self.at(0);
        }
        dest.normalize(self.path.segments.len())
    }

    fn at(&self, n: usize) -> Dest {
        Dest::At(n).normalize(self.path.segments.len())
    }

    /// A node starts: a scalar (whole) or a container's start event.
    fn node(&mut self, ev: Ev, anchor: usize) -> Result<(), String> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        if !self.recording.is_empty() || anchor != 0 {
            self.log.push(ev.clone());
        }
        if anchor != 0 {
            let start = self.log.len() - 1;
            let complete = matches!(ev, Ev::Scalar(_));
            self.anchors.insert(anchor, Recording { start, end: complete.then_some(self.log.len()) });
            if !complete {
                self.recording.push((anchor, self.stack.len()));
            }
        }
        self.feed(ev, anchor)
    }

    /// The matching itself, for an event of the stream or of a replay.
    fn feed(&mut self, ev: Ev, anchor: usize) -> Result<(), String> {
        // A map key: decides where the value goes, and is passed on when
        // the segment selects several keys.
        let key_of = self.stack.iter().enumerate().next_back().and_then(|(i, f)| match f.dest {
            Dest::At(n) if f.map && f.count.is_multiple_of(2) => Some((i, n)),
            _ => None,
        });
        if let Some((top, n)) = key_of {
            let (value_dest, emit_key) = match (&ev, &self.path.segments[n]) {
                (Ev::Scalar(k), Segment::Key(want)) => {
                    (if k.value == *want { self.at(n + 1) } else { Dest::Skip }, false)
                }
                (Ev::Scalar(k), Segment::Keys(want)) if want.is_empty() || want.contains(&k.value) => {
                    (self.at(n + 1), true)
                }
                _ => (Dest::Skip, false),
            };
            self.stack[top].value_dest = value_dest;
            self.stack[top].count += 1;
            if emit_key {
                self.out.event(&ev)?;
            }
            if matches!(ev, Ev::SeqStart | Ev::MapStart) {
                self.stack.push(Frame {
                    map: ev == Ev::MapStart,
                    dest: Dest::Skip,
                    count: 0,
                    value_dest: Dest::Skip,
                    emit_end: false,
                });
            }
            return Ok(());
        }
        let dest = self.dest_of_next(anchor);
        match ev {
            Ev::Scalar(_) => {
                if dest == Dest::Full {
                    self.out.event(&ev)?;
                }
            }
            Ev::SeqStart | Ev::MapStart => {
                let map = ev == Ev::MapStart;
                let emit = match dest {
                    Dest::Full => true,
                    Dest::Skip => false,
                    Dest::At(n) => {
                        matches!((map, &self.path.segments[n]), (true, Segment::Keys(_)) | (false, Segment::Indices(_)))
                    }
                };
                if emit {
                    self.out.event(&ev)?;
                }
                // A container the next segment cannot apply to is skipped.
                let dest = match dest {
                    Dest::At(n) => match (map, &self.path.segments[n]) {
                        (true, Segment::Key(_) | Segment::Keys(_))
                        | (false, Segment::Index(_) | Segment::Indices(_)) => dest,
                        _ => Dest::Skip,
                    },
                    d => d,
                };
                self.stack.push(Frame { map, dest, count: 0, value_dest: Dest::Skip, emit_end: emit });
            }
            Ev::SeqEnd | Ev::MapEnd | Ev::Alias(_) => {}
        }
        Ok(())
    }

    /// A container ends.
    fn end(&mut self, ev: Ev) -> Result<(), String> {
        if !self.recording.is_empty() {
            self.log.push(ev.clone());
        }
        self.feed_end(&ev)?;
        let depth = self.stack.len();
        while let Some(&(id, d)) = self.recording.last() {
            if d < depth {
                break;
            }
            self.recording.pop();
            let end = self.log.len();
            if let Some(r) = self.anchors.get_mut(&id) {
                r.end = Some(end);
            }
        }
        Ok(())
    }

    fn feed_end(&mut self, ev: &Ev) -> Result<(), String> {
        match self.stack.pop() {
            Some(f) if f.emit_end => self.out.event(ev),
            _ => Ok(()),
        }
    }

    /// An alias: replays the events of the node it refers to, unless the
    /// path does not select it (then it only takes its place).
    fn alias(&mut self, id: usize) -> Result<(), String> {
        if !self.recording.is_empty() {
            self.log.push(Ev::Alias(id));
        }
        let key_to_match =
            self.stack.last().is_some_and(|f| f.map && f.count.is_multiple_of(2) && matches!(f.dest, Dest::At(_)));
        if !key_to_match && self.peek_dest() == Dest::Skip {
            self.dest_of_next(0);
            return Ok(());
        }
        self.replay(id)
    }

    /// Where the next node goes, for a node without the start anchor (as
    /// `dest_of_next`, without taking its place).
    fn peek_dest(&self) -> Dest {
        match self.stack.last() {
            None if self.start_anchor.is_none() => self.at(0),
            None => Dest::Skip,
            Some(f) => match f.dest {
                Dest::Full => Dest::Full,
                Dest::Skip => Dest::Skip,
                Dest::At(_) if f.map && !f.count.is_multiple_of(2) => f.value_dest,
                Dest::At(_) if f.map => Dest::Skip,
                Dest::At(n) => match &self.path.segments[n] {
                    Segment::Index(x) if *x == f.count => self.at(n + 1),
                    Segment::Indices(xs) if xs.is_empty() || xs.contains(&f.count) => self.at(n + 1),
                    _ => Dest::Skip,
                },
            },
        }
    }

    fn replay(&mut self, id: usize) -> Result<(), String> {
        // (next event, end) of each replay under way, innermost last.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let range = |anchors: &HashMap<usize, Recording>, id: usize| -> Result<(usize, usize), String> {
            match anchors.get(&id) {
                Some(Recording { start, end: Some(end) }) => Ok((*start, *end)),
                Some(_) => Err("an alias refers to a node that contains it".to_owned()),
                None => Err("an alias refers to no anchor".to_owned()),
            }
        };
        ranges.push(range(&self.anchors, id)?);
        while let Some(top) = ranges.last_mut() {
            if top.0 >= top.1 {
                ranges.pop();
                continue;
            }
            let ev = self.log[top.0].clone();
            top.0 += 1;
            self.expanded += 1;
            if self.expanded > ALIAS_BUDGET {
                return Err(format!("aliases expand to more than {ALIAS_BUDGET} nodes"));
            }
            match ev {
                Ev::Alias(inner) => ranges.push(range(&self.anchors, inner)?),
                Ev::SeqEnd | Ev::MapEnd => self.feed_end(&ev)?,
                ev => {
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(format!("nested deeper than {MAX_DEPTH} levels once aliases are expanded"));
                    }
                    self.feed(ev, 0)?
                }
            }
        }
        Ok(())
    }
}

impl Dest {
    /// `At(n)` past the last segment is the whole node.
    fn normalize(self, segments: usize) -> Dest {
        match self {
            Dest::At(n) if n >= segments => Dest::Full,
            d => d,
        }
    }
}

// ----- records -----

/// Builds records from the selected events, as OpenSCAP's probe does:
/// a small state machine that errors on structures deeper than a record.
struct Builder<'p> {
    path: &'p str,
    in_seq: bool,
    in_map: bool,
    /// In a sequence inside a sequence (a record per inner sequence).
    inner_seq: bool,
    /// Scalars and sequences met in the current map (even: a key is next).
    count: usize,
    key: String,
    record: Option<Record>,
    records: Vec<Record>,
}

impl<'p> Builder<'p> {
    fn new(path: &'p str) -> Builder<'p> {
        Builder {
            path,
            in_seq: false,
            in_map: false,
            inner_seq: false,
            count: 0,
            key: "#".into(),
            record: None,
            records: Vec::new(),
        }
    }

    fn too_deep(&self, what: &str) -> String {
        format!("the YAML path `{}` selects {what}, which a record cannot hold", self.path)
    }

    fn close_record(&mut self) {
        if let Some(r) = self.record.take() {
            if !r.is_empty() {
                self.records.push(r);
            }
        }
    }

    fn event(&mut self, ev: &Ev) -> Result<(), String> {
        // Sequences.
        if self.in_seq {
            match ev {
                Ev::SeqEnd if self.inner_seq => {
                    self.inner_seq = false;
                    self.close_record();
                }
                Ev::SeqEnd => self.in_seq = false,
                Ev::SeqStart if self.in_map || self.inner_seq => {
                    return Err(self.too_deep("nested sequences (in a map, or three deep)"))
                }
                Ev::SeqStart => {
                    // As oscap: scalars of the outer sequence collected so
                    // far are dropped.
                    self.inner_seq = true;
                    self.record = Some(Record::new());
                }
                _ => {}
            }
        } else if *ev == Ev::SeqStart {
            self.in_seq = true;
            if self.in_map {
                self.count += 1;
            }
        }
        // Maps.
        if self.in_map {
            match ev {
                Ev::MapEnd => {
                    self.in_map = false;
                    self.close_record();
                }
                Ev::MapStart => return Err(self.too_deep("a map inside a map")),
                _ => {}
            }
        } else if *ev == Ev::MapStart {
            if self.record.is_some() {
                return Err(self.too_deep("a map inside a sequence that also holds other values"));
            }
            if self.inner_seq {
                return Err(self.too_deep("a map inside nested sequences"));
            }
            self.in_map = true;
            self.in_seq = false;
            self.count = 0;
            self.record = Some(Record::new());
        }
        // Scalars.
        if let Ev::Scalar(s) = ev {
            if self.in_map && !self.in_seq {
                let is_key = self.count.is_multiple_of(2);
                self.count += 1;
                if is_key {
                    self.key = escape_key(&s.value);
                    return Ok(());
                }
            }
            let (dt, v) = typed(s).ok_or_else(|| {
                format!("the value `{}` is not a valid `{}`", s.value, s.tag.as_deref().unwrap_or(""))
            })?;
            let record = self.record.get_or_insert_with(Record::new);
            match record.iter_mut().find(|(k, _)| *k == self.key) {
                Some((_, values)) => values.push((dt, v)),
                None => record.push((self.key.clone(), vec![(dt, v)])),
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Vec<Record> {
        // Scalars outside any map (or the last map's key) are still open.
        self.close_record();
        self.records
    }
}

/// A map key as a record field name: ASCII upper-case letters become `^`
/// and the lower-case letter, and `^` becomes `^^`.
pub fn escape_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() || c == '^' {
            out.push('^');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

const TAG_STR: &str = "tag:yaml.org,2002:str";
const TAG_BOOL: &str = "tag:yaml.org,2002:bool";
const TAG_INT: &str = "tag:yaml.org,2002:int";
const TAG_FLOAT: &str = "tag:yaml.org,2002:float";
const TAG_NULL: &str = "tag:yaml.org,2002:null";

/// A scalar's datatype and value text, or `None` when it does not fit its
/// explicit tag.
fn typed(s: &Scalar) -> Option<(Datatype, String)> {
    // No tag: `?` (resolve by the core schema) for a plain scalar, a string
    // otherwise; the non-specific `!` is a string too.
    let tag = match s.tag.as_deref() {
        None if s.plain => "?",
        None | Some("!") => TAG_STR,
        Some(t) => t,
    };
    let any = tag == "?";
    let v = s.value.as_str();
    // PCRE's `$` also matches before a final newline.
    let m = v.strip_suffix('\n').unwrap_or(v);
    if any || tag == TAG_BOOL {
        match m {
            "true" | "True" | "TRUE" => return Some((Datatype::Boolean, "true".into())),
            "false" | "False" | "FALSE" => return Some((Datatype::Boolean, "false".into())),
            _ if !any => return None,
            _ => {}
        }
    }
    if any || tag == TAG_INT {
        if let Some(i) = parse_int(m) {
            return Some((Datatype::Int, i.to_string()));
        }
        if !any {
            return None;
        }
    }
    if any || tag == TAG_FLOAT {
        if let Some(f) = parse_float(m) {
            return Some((Datatype::Float, format_float(f)));
        }
        if !any {
            return None;
        }
    }
    if any || tag == TAG_NULL {
        if matches!(m, "null" | "Null" | "NULL" | "~" | "") {
            return Some((Datatype::String, "(null)".into()));
        }
        if !any {
            return None;
        }
    }
    Some((Datatype::String, v.to_owned()))
}

/// `[+-]?[0-9]+`, `0o[0-7]+`, `0x[0-9a-fA-F]+`, saturating at the i64
/// limits like `strtol`.
fn parse_int(m: &str) -> Option<i64> {
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    let (neg, radix, body) = if let Some(o) = m.strip_prefix("0o") {
        (false, 8, o)
    } else if let Some(x) = m.strip_prefix("0x") {
        (false, 16, x)
    } else if let Some(d) = m.strip_prefix('-') {
        (true, 10, d)
    } else {
        (false, 10, m.strip_prefix('+').unwrap_or(m))
    };
    if !digits(body, radix) {
        return None;
    }
    let mut v: i64 = 0;
    for c in body.chars() {
        let d = i64::from(c.to_digit(radix)?);
        v = if neg {
            v.saturating_mul(radix.into()).saturating_sub(d)
        } else {
            v.saturating_mul(radix.into()).saturating_add(d)
        };
    }
    Some(v)
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, `[-+]?.inf` and
/// `.nan` in their three spellings.
fn parse_float(m: &str) -> Option<f64> {
    let unsigned = m.strip_prefix(['-', '+']).unwrap_or(m);
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") {
        return Some(if m.starts_with('-') { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if matches!(m, ".nan" | ".NaN" | ".NAN") {
        return Some(f64::NAN);
    }
    let (mantissa, exp) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.is_empty() && !frac.is_empty() && all_digits(frac))
                || (!int.is_empty() && all_digits(int) && all_digits(frac))
        }
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    if !(mantissa_ok && exp_ok) {
        return None;
    }
    m.parse::<f64>().ok()
}

/// C's `%f`: six decimals; `inf`, `-inf`, `nan`.
fn format_float(f: f64) -> String {
    if f.is_nan() {
        "nan".into()
    } else if f.is_infinite() {
        if f < 0.0 { "-inf" } else { "inf" }.into()
    } else {
        format!("{f:.6}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{eq, obj, pm, run, values, write};
    use super::*;
    use crate::oval::engine::{Engine, EngineOptions};
    use crate::oval::item::EntitySpec;
    use crate::oval::model::OvalDoc;
    use crate::oval::types::{Check, Res};
    use crate::probes::Cache;
    use crate::target::Target;
    use std::collections::HashMap;
    use std::time::{Duration, Instant};

    /// Records as text: `name=value[:datatype]` fields separated by
    /// spaces, records by ` ; `.
    fn show(records: &[Record]) -> String {
        let rec = |r: &Record| {
            let mut out = Vec::new();
            for (k, vs) in r {
                for (dt, v) in vs {
                    out.push(if *dt == Datatype::String {
                        format!("{k}={v}")
                    } else {
                        format!("{k}={v}:{}", dt.as_str())
                    });
                }
            }
            out.join(" ")
        };
        records.iter().map(rec).collect::<Vec<_>>().join(" ; ")
    }

    fn q(yaml: &str, path: &str) -> String {
        match query(yaml, path) {
            Ok(r) => show(&r),
            Err(e) => format!("ERROR {e}"),
        }
    }

    const K8S: &str = r#"
apiVersion: v1
kind: List
items:
  - kind: Route
    metadata: {name: one, namespace: ns1}
    spec:
      host: a.example.com
      tls: {insecureEdgeTerminationPolicy: Redirect}
  - kind: Route
    metadata: {name: two}
    spec: {host: b.example.com}
apiServerArguments:
  audit-log-maxbackup: ["10"]
  enable-admission-plugins: [NamespaceLifecycle, NodeRestriction]
  client-ca-file: /etc/kubernetes/ca.crt
data:
  config.yaml: "x: 1"
  k.with.dots: dotted
spec:
  template:
    spec:
      volumes:
        - name: a
          configMap: {defaultMode: 420, name: sdn-config}
        - name: b
          secret: {secretName: s}
        - name: c
          configMap: {name: other}
"#;

    #[test]
    fn path_syntax() {
        let p = |s: &str| YamlPath::parse(s).unwrap();
        use Segment::*;
        let key = |k: &str| Key(k.to_owned());
        assert_eq!(p(".key.sub"), YamlPath { start: Start::Root, segments: vec![key("key"), key("sub")] });
        assert_eq!(p("key.sub"), p(".key.sub"));
        assert_eq!(p("$.key.sub"), p(".key.sub"));
        assert_eq!(p(r#".a["quoted-key"]"#).segments, [key("a"), key("quoted-key")]);
        assert_eq!(p(".a['k.with.dots']").segments, [key("a"), key("k.with.dots")]);
        assert_eq!(p(r#"['a'].b["c"]"#).segments, [key("a"), key("b"), key("c")]);
        assert_eq!(p("[0]").segments, [Index(0)]);
        assert_eq!(p("[:]").segments, [Indices(vec![])]);
        assert_eq!(p(".a[1,3]").segments, [key("a"), Indices(vec![1, 3])]);
        assert_eq!(
            p(".items[:].metadata.name").segments,
            [key("items"), Indices(vec![]), key("metadata"), key("name")]
        );
        assert_eq!(
            p("spec.volumes[:].configMap['defaultMode','name']").segments[4],
            Keys(vec!["defaultMode".into(), "name".into()])
        );
        assert_eq!(p(r#".a["it's",'x"y']"#).segments, [key("a"), Keys(vec!["it's".into(), "x\"y".into()])]);
        assert_eq!(p(".a.*").segments, [key("a"), Keys(vec![])]);
        assert_eq!(p(".a[*]").segments, [key("a"), Keys(vec![])]);
        assert_eq!(p("&anchor.k"), YamlPath { start: Start::Anchor("anchor".into()), segments: vec![key("k")] });
        assert_eq!(p("$"), YamlPath { start: Start::Root, segments: vec![] });
        // yaml-path's quirks: `[]` is `[0]`, blanks before a number, text
        // after a bracket ignored.
        assert_eq!(p(".a[]").segments, [key("a"), Index(0)]);
        assert_eq!(p(".a[ 2]").segments, [key("a"), Index(2)]);
        assert_eq!(p("['a']xx.b").segments, [key("a"), key("b")]);
        for bad in [
            "", ".", ".a..b", ".a.", "[-1]", "[1 ]", "[1,]", "[,1]", "[x]", "[1", "['a'", "['']", "['a'x]", "['a',b]",
            "$$", "[0]$", "[0]&a", "&", "&.a",
        ] {
            assert!(YamlPath::parse(bad).is_err(), "{bad:?} should not parse");
        }
        let many = format!("[{}]", (0..300).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
        assert!(YamlPath::parse(&many).unwrap_err().contains("more than"));
    }

    #[test]
    fn paths_used_by_ssg_content() {
        assert_eq!(q(K8S, ".kind"), "#=List");
        assert_eq!(q(K8S, "kind"), "#=List");
        assert_eq!(q(K8S, ".items[0].metadata.name"), "#=one");
        assert_eq!(q(K8S, "items[1].spec.host"), "#=b.example.com");
        assert_eq!(q(K8S, ".items[:].metadata.name"), "#=one #=two");
        assert_eq!(q(K8S, ".items[:].spec.tls.insecureEdgeTerminationPolicy"), "#=Redirect");
        assert_eq!(q(K8S, r#".apiServerArguments["audit-log-maxbackup"][:]"#), "#=10");
        assert_eq!(
            q(K8S, r#".apiServerArguments["enable-admission-plugins"]"#),
            "#=NamespaceLifecycle #=NodeRestriction"
        );
        assert_eq!(q(K8S, r#".apiServerArguments["client-ca-file"]"#), "#=/etc/kubernetes/ca.crt");
        // `[:]` on a map selects nothing; the map itself is one record.
        assert_eq!(q(K8S, ".apiServerArguments[:]"), "");
        assert_eq!(
            q(K8S, ".apiServerArguments"),
            "audit-log-maxbackup=10 enable-admission-plugins=NamespaceLifecycle enable-admission-plugins=NodeRestriction client-ca-file=/etc/kubernetes/ca.crt"
        );
        assert_eq!(q(K8S, ".data['config.yaml']"), "#=x: 1");
        assert_eq!(q(K8S, r#".data["k.with.dots"]"#), "#=dotted");
        // Without brackets the dots split the key.
        assert_eq!(q(K8S, ".data.k.with.dots"), "");
        assert_eq!(
            q(K8S, "spec.template.spec.volumes[:].configMap['defaultMode','name']"),
            "default^mode=420:int name=sdn-config ; name=other"
        );
        assert_eq!(q(K8S, "spec.template.spec.volumes[:].name"), "#=a #=b #=c");
        assert_eq!(q(K8S, ".nothing.here"), "");
        let list = "- metadata: {name: x}\n- metadata: {name: y}\n- 3\n";
        assert_eq!(q(list, "[:].metadata.name"), "#=x #=y");
        assert_eq!(q(list, "[0]"), "metadata=ERROR".replace("metadata=ERROR", &q(list, "[0]")));
        assert_eq!(q("- a\n- b\n", "[:]"), "#=a #=b");
        assert_eq!(q("- a\n- b\n", "[1]"), "#=b");
        assert_eq!(q("- {n: 1}\n- {n: 2}\n", "[:]"), "n=1:int ; n=2:int");
    }

    #[test]
    fn key_selections_keep_their_keys() {
        let y = "a:\n  x: {z: 1}\n  y: {z: 2}\n  v: {z: 3}\n";
        assert_eq!(q(y, ".a['x','y'].z"), "x=1:int y=2:int");
        assert_eq!(q(y, ".a.*.z"), "x=1:int y=2:int v=3:int");
        assert_eq!(q(y, ".a[*].z"), "x=1:int y=2:int v=3:int");
        // A key segment on a sequence, an index on a map: nothing.
        assert_eq!(q("a: [1]\n", ".a.*"), "");
        assert_eq!(q("a: {b: 1}\n", ".a[0]"), "");
        assert_eq!(q("a: 1\n", ".a.b"), "");
    }

    #[test]
    fn records_are_built_like_oscap() {
        // A scalar; a sequence of scalars: one record under `#`.
        assert_eq!(q("a: 1\n", ".a"), "#=1:int");
        assert_eq!(q("a: [x, 2, false]\n", ".a"), "#=x #=2:int #=false:boolean");
        // A map: a field per key, upper case escaped; a sequence value
        // gives several values.
        assert_eq!(q("m: {CamelCase: 1, x^y: 2, l: [a, b]}\n", ".m"), "^camel^case=1:int x^^y=2:int l=a l=b");
        assert_eq!(escape_key("defaultMode"), "default^mode");
        assert_eq!(escape_key("ABC^"), "^a^b^c^^");
        // A sequence of maps: a record per map; of sequences: a record per
        // inner sequence.
        assert_eq!(q("s: [{a: 1}, {b: 2}]\n", ".s"), "a=1:int ; b=2:int");
        assert_eq!(q("s: [[1, 2], [3]]\n", ".s"), "#=1:int #=2:int ; #=3:int");
        // Every document of the stream.
        assert_eq!(q("a: 1\n---\na: 2\n", ".a"), "#=1:int #=2:int");
        // Empty maps and sequences give no record.
        assert_eq!(q("a: {}\nb: []\nc: [{}, {x: 1}]\n", ".a"), "");
        assert_eq!(q("a: {}\nb: []\n", ".b"), "");
        assert_eq!(q("c: [{}, {x: 1}]\n", ".c"), "x=1:int");
        // Deeper structures are errors.
        for (y, p) in [
            ("a: {b: {c: 1}}\n", ".a"),
            ("a: {b: [[1]]}\n", ".a"),
            ("a: [1, {b: 1}]\n", ".a"),
            ("a: [[{b: 1}]]\n", ".a"),
            ("a: [[[1]]]\n", ".a"),
            ("a: {b: [{c: 1}]}\n", ".a"),
        ] {
            assert!(q(y, p).starts_with("ERROR"), "{y}: {}", q(y, p));
        }
        assert!(q("a: {b: {c: 1}}\n", ".a").contains("map inside a map"));
    }

    #[test]
    fn scalars_are_typed_like_oscap() {
        let t = |v: &str| q(&format!("k: {v}\n"), ".k");
        assert_eq!(t("true"), "#=true:boolean");
        assert_eq!(t("FALSE"), "#=false:boolean");
        assert_eq!(t("yes"), "#=yes");
        assert_eq!(t("-12"), "#=-12:int");
        assert_eq!(t("+5"), "#=5:int");
        assert_eq!(t("017"), "#=17:int");
        assert_eq!(t("0o17"), "#=15:int");
        assert_eq!(t("0x1F"), "#=31:int");
        assert_eq!(t("0o8"), "#=0o8");
        assert_eq!(t("99999999999999999999"), "#=9223372036854775807:int");
        assert_eq!(t("1.5"), "#=1.500000:float");
        assert_eq!(t("1."), "#=1.000000:float");
        assert_eq!(t(".5"), "#=0.500000:float");
        assert_eq!(t("1e3"), "#=1000.000000:float");
        assert_eq!(t("+1.5e-3"), "#=0.001500:float");
        assert_eq!(t(".inf"), "#=inf:float");
        assert_eq!(t("-.INF"), "#=-inf:float");
        assert_eq!(t(".NaN"), "#=nan:float");
        assert_eq!(t("~"), "#=(null)");
        assert_eq!(t("null"), "#=(null)");
        assert_eq!(t(""), "#=(null)");
        assert_eq!(t("2001-12-14"), "#=2001-12-14");
        // Quoted and block scalars are strings.
        assert_eq!(t("\"12\""), "#=12");
        assert_eq!(t("'true'"), "#=true");
        assert_eq!(t("''"), "#=");
        assert_eq!(t("|\n  block"), "#=block\n");
        // Tags force the type; a value that does not fit is an error.
        assert_eq!(t("!!int \"0x10\""), "#=16:int");
        assert_eq!(t("!!float 1"), "#=1.000000:float");
        assert_eq!(t("!!bool \"True\""), "#=true:boolean");
        assert_eq!(t("!!null \"\""), "#=(null)");
        assert_eq!(t("!!str 12"), "#=12");
        assert_eq!(t("! 12"), "#=12");
        assert_eq!(t("!local 12"), "#=12");
        assert!(t("!!int 12.5").starts_with("ERROR"));
        assert!(t("!!bool yes").contains("not a valid `tag:yaml.org,2002:bool`"));
        assert!(t("!!float abc").starts_with("ERROR"));
        assert!(t("!!null x").starts_with("ERROR"));
        // A %TAG directive for the standard prefix.
        assert_eq!(q("%TAG !e! tag:yaml.org,2002:\n---\nk: !e!int \"7\"\n", ".k"), "#=7:int");
    }

    #[test]
    fn anchors_and_aliases() {
        let y = "x: &a 1\ny: &b {k: v, l: [1, 2]}\nz: [*a, *a, 2]\nw: *b\n";
        assert_eq!(q(y, "&a"), "#=1:int");
        assert_eq!(q(y, "&b.k"), "#=v");
        assert_eq!(q(y, "&b"), "k=v l=1:int l=2:int");
        assert_eq!(q(y, "&nope"), "");
        assert_eq!(q("a: &x {k: 1}\nb: 2\nc: &x {k: 3}\n", "&x.k"), "#=1:int");
        // On a document's root too (oscap misses that one).
        assert_eq!(q("--- &m\na: 1\n", "&m.a"), "#=1:int");
        // Aliases stand for their node (oscap drops them).
        assert_eq!(q(y, ".z"), "#=1:int #=1:int #=2:int");
        assert_eq!(q(y, ".w"), "k=v l=1:int l=2:int");
        assert_eq!(q(y, ".w.l[1]"), "#=2:int");
        // An alias as a key.
        assert_eq!(q("- &k name\n- {*k : v}\n", "[1].name"), "#=v");
        // An alias inside its own node.
        assert!(q("a: &x [1, *x]\n", ".a").contains("contains it"));
    }

    #[test]
    fn alias_bombs_are_cut_short() {
        let mut y = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..=12 {
            let p = i - 1;
            y.push_str(&format!("l{i}: &l{i} [*l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}, *l{p}]\n"));
        }
        let start = Instant::now();
        for p in [".l12", "$", ".l12[0][1][2]", ".l11[:][:]"] {
            let r = q(&y, p);
            assert!(
                r.contains("more than 1000000 nodes") || r.contains("record cannot hold"),
                "{p}: {}",
                &r[..r.len().min(200)]
            );
        }
        // Small expansions still work.
        assert_eq!(q(&y, ".l1[0]"), "#=lol #=lol #=lol #=lol #=lol #=lol #=lol #=lol #=lol");
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
        // The same bomb under a path that selects nothing of it.
        assert_eq!(q(&format!("{y}other: 1\n"), ".other"), "#=1:int");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("a: {}1{}\n", "[".repeat(200), "]".repeat(200));
        assert!(q(&deep, ".a").starts_with("ERROR"));
        let mut block = String::from("a:\n");
        for d in 1..=1100 {
            block.push_str(&" ".repeat(d));
            block.push_str("- \n");
        }
        // Even where the path does not lead.
        let r = q(&block, ".b");
        assert!(r.contains("deeper than 1000"), "{}", &r[..r.len().min(200)]);
        // Through aliases: ten maps deeper at each step.
        let mut y = String::from("a0: &a0 {k: 1}\n");
        for i in 1..=120 {
            y.push_str(&format!("a{i}: &a{i} {}*a{}{}\n", "{k: ".repeat(10), i - 1, "}".repeat(10)));
        }
        let path = format!(".a120{}", ".k".repeat(1300));
        assert!(q(&y, &path).contains("deeper than 1000"));
        assert_eq!(q(&y, &format!(".a2{}", ".k".repeat(21))), "#=1:int");
    }

    #[test]
    fn malformed_yaml_and_paths_are_errors() {
        assert!(q("a: [unclosed\n", ".a").starts_with("ERROR not valid YAML"));
        assert!(q("a: *undefined\n", ".a").starts_with("ERROR"));
        assert!(q("a: 1\n", ".a..b").starts_with("ERROR invalid YAML path `.a..b`"));
        // The parse error is found even after the value.
        assert!(q("a: 1\nb: [\n", ".a").starts_with("ERROR"));
        assert_eq!(q("", ".a"), "");
        assert_eq!(q("\u{feff}a: 1\n", ".a"), "#=1:int");
    }

    fn root() -> (tempfile::TempDir, Target) {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(r, "/etc/kube/config.yaml", K8S);
        write(r, "/etc/kube/other.yaml", "kind: Other\nitems: []\n");
        write(r, "/etc/kube/broken.yaml", "kind: [unclosed\n");
        write(r, "/etc/kube/latin1.yaml", "");
        std::fs::write(r.join("etc/kube/latin1.yaml"), b"kind: caf\xe9\n").unwrap();
        write(r, "/etc/kube/sub/deep.yaml", "kind: Deep\n");
        let t = Target::dir(r).unwrap();
        (d, t)
    }

    fn yobj(entities: Vec<EntitySpec>, behaviors: &[(&str, &str)]) -> ObjectSpec {
        obj("independent", "yamlfilecontent", entities, behaviors)
    }

    fn item_records(c: &Collected) -> Vec<String> {
        c.items
            .iter()
            .map(|i| {
                i.get("value")
                    .map(|e| {
                        assert_eq!(e.datatype, Datatype::Record);
                        e.fields
                            .iter()
                            .map(|f| {
                                if f.datatype == Datatype::String {
                                    format!("{}={}", f.name, f.value)
                                } else {
                                    format!("{}={}:{}", f.name, f.value, f.datatype.as_str())
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect::<Vec<_>>()
                    .join(" ; ")
            })
            .collect()
    }

    #[test]
    fn probe_reads_files_through_the_target() {
        let (_d, t) = root();
        let c =
            run(&t, &yobj(vec![eq("filepath", "/etc/kube/config.yaml"), eq("yamlpath", ".items[:].metadata")], &[]));
        assert_eq!(c.flag, Flag::Complete);
        assert_eq!(c.items.len(), 1);
        let names: Vec<&str> = c.items[0].entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["filepath", "path", "filename", "yamlpath", "value", "value"]);
        assert_eq!(c.items[0].first("yamlpath"), Some(".items[:].metadata"));
        assert_eq!(item_records(&c), ["name=one namespace=ns1 ; name=two"]);
        // As the report shows a record: a `name=value` line per field.
        assert_eq!(
            c.items[0].get("value").next().map(|e| e.display_value()).as_deref(),
            Some("name=one\nnamespace=ns1")
        );
        // No records: no item.
        let c = run(&t, &yobj(vec![eq("filepath", "/etc/kube/config.yaml"), eq("yamlpath", ".missing")], &[]));
        assert_eq!(c.flag, Flag::DoesNotExist);
        assert!(c.items.is_empty());
        let c = run(&t, &yobj(vec![eq("filepath", "/etc/kube/nope.yaml"), eq("yamlpath", ".kind")], &[]));
        assert_eq!(c.flag, Flag::DoesNotExist);
    }

    #[test]
    fn probe_errors_name_the_file_and_other_files_continue() {
        let (_d, t) = root();
        let c = run(&t, &yobj(vec![eq("path", "/etc/kube"), pm("filename", r"\.yaml$"), eq("yamlpath", ".kind")], &[]));
        assert_eq!(c.flag, Flag::Error);
        assert_eq!(values(&c, "filename"), ["config.yaml", "other.yaml"]);
        assert_eq!(item_records(&c), ["#=List", "#=Other"]);
        assert!(c.messages.iter().any(|m| m.starts_with("/etc/kube/broken.yaml: not valid YAML")), "{:?}", c.messages);
        assert!(c.messages.iter().any(|m| m.starts_with("/etc/kube/latin1.yaml: not valid UTF-8")), "{:?}", c.messages);
        // With recursion, the file below is found too.
        let c = run(
            &t,
            &yobj(
                vec![eq("path", "/etc/kube"), pm("filename", r"^(deep|other)\.yaml$"), eq("yamlpath", ".kind")],
                &[("recurse_direction", "down")],
            ),
        );
        assert_eq!(c.flag, Flag::Complete);
        assert_eq!(values(&c, "filepath"), ["/etc/kube/other.yaml", "/etc/kube/sub/deep.yaml"]);
        // An invalid path is an error once there is a file to search.
        let c = run(&t, &yobj(vec![eq("filepath", "/etc/kube/other.yaml"), eq("yamlpath", ".a..b")], &[]));
        assert_eq!(c.flag, Flag::Error);
        assert!(c.messages[0].contains("invalid YAML path"), "{:?}", c.messages);
        let c = run(&t, &yobj(vec![eq("filepath", "/etc/kube/absent.yaml"), eq("yamlpath", ".a..b")], &[]));
        assert_eq!(c.flag, Flag::DoesNotExist);
        // No yamlpath at all.
        assert_eq!(run(&t, &yobj(vec![eq("filepath", "/etc/kube/other.yaml")], &[])).flag, Flag::Error);
    }

    #[test]
    fn probe_content_and_several_paths() {
        let (_d, t) = root();
        let mut paths = eq("yamlpath", ".a");
        paths.values.push(".b".into());
        paths.var_check = Check::AtLeastOne;
        let c = run(&t, &yobj(vec![eq("content", "a: 1\nb: [x, y]\n"), paths.clone()], &[]));
        assert_eq!(c.flag, Flag::Complete);
        let names: Vec<&str> = c.items[0].entities.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["content", "yamlpath", "value"]);
        assert_eq!(values(&c, "yamlpath"), [".a", ".b"]);
        assert_eq!(item_records(&c), ["#=1:int", "#=x #=y"]);
        let c = run(&t, &yobj(vec![eq("content", "a: [\n"), paths], &[]));
        assert_eq!(c.flag, Flag::Error);
        assert!(c.messages[0].starts_with("the content: not valid YAML"), "{:?}", c.messages);
    }

    #[test]
    fn probe_stops_at_the_deadline() {
        let (_d, t) = root();
        let cache = Cache::default();
        let ctx = ProbeCtx { target: &t, cache: &cache, deadline: Instant::now(), keep: None };
        let c = collect(&ctx, &yobj(vec![pm("filepath", r"^/etc/kube/.*\.yaml$"), eq("yamlpath", ".kind")], &[]));
        assert_eq!(c.flag, Flag::Incomplete);
    }

    // ---- records in the engine ----

    const OVAL_HEAD: &str = r#"<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">"#;

    /// Evaluates, on a root holding `yaml` at /etc/t.yaml, one object per
    /// YAML path and one test per (object number from 1, state body);
    /// returns each test's result and the OVAL results document.
    fn eval_tests(yaml: &str, paths: &[&str], tests: &[(usize, String)], variables: &str) -> (Vec<Res>, String) {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "/etc/t.yaml", yaml);
        let t = Target::dir(d.path()).unwrap();
        let mut defs = String::new();
        let mut test_xml = String::new();
        let mut objects = String::new();
        let mut states = String::new();
        for (i, path) in paths.iter().enumerate() {
            let n = i + 1;
            objects.push_str(&format!(r#"<ind:yamlfilecontent_object id="oval:t:obj:{n}" version="1"><ind:filepath>/etc/t.yaml</ind:filepath><ind:yamlpath>{path}</ind:yamlpath></ind:yamlfilecontent_object>"#));
        }
        for (i, (o, state)) in tests.iter().enumerate() {
            let n = i + 1;
            defs.push_str(&format!(r#"<definition id="oval:t:def:{n}" version="1" class="compliance"><metadata><title>t</title><description>d</description></metadata><criteria><criterion test_ref="oval:t:tst:{n}"/></criteria></definition>"#));
            test_xml.push_str(&format!(r#"<ind:yamlfilecontent_test id="oval:t:tst:{n}" version="1" check="all" comment="c"><ind:object object_ref="oval:t:obj:{o}"/><ind:state state_ref="oval:t:ste:{n}"/></ind:yamlfilecontent_test>"#));
            states.push_str(&format!(
                r#"<ind:yamlfilecontent_state id="oval:t:ste:{n}" version="1">{state}</ind:yamlfilecontent_state>"#
            ));
        }
        let xml = format!("{OVAL_HEAD}<definitions>{defs}</definitions><tests>{test_xml}</tests><objects>{objects}</objects><states>{states}</states>{variables}</oval_definitions>");
        let tree = scapc_xml::tree::Tree::parse(&xml).unwrap();
        let doc = OvalDoc::read(&tree, tree.root());
        assert!(doc.problems.is_empty(), "{:?}", doc.problems);
        let cache = Cache::default();
        let e = Engine::new(&doc, &t, &cache, HashMap::new(), EngineOptions::default());
        let ids: Vec<String> = (1..=tests.len()).map(|n| format!("oval:t:def:{n}")).collect();
        let evaluated = e.evaluate_all(&ids);
        let results = crate::results::oval_results(&e, &evaluated, "", &t);
        (evaluated.iter().map(|(_, r)| r.result).collect(), results)
    }

    /// A record state entity (`attrs` on `ind:value`) with these fields,
    /// each (attributes, value).
    fn record(attrs: &str, fields: &[(&str, &str)]) -> String {
        let f: String = fields.iter().map(|(a, v)| format!("<field {a}>{v}</field>")).collect();
        format!(r#"<ind:value datatype="record" {attrs}>{f}</ind:value>"#)
    }

    #[test]
    fn engine_compares_records() {
        let yaml = "args: [--a=1, --port=0]\nmode: 420\nvols: [{name: x, defaultMode: 420}, {name: y, defaultMode: 384}]\nflag: true\n";
        let paths = [".args", ".mode", ".vols", ".flag"];
        let (args, mode, vols, flag) = (1, 2, 3, 4);
        let tests = [
            // entity_check over the values of one field
            (
                args,
                record("", &[(r##"name="#" operation="pattern match" entity_check="at least one""##, "^--port=0$")]),
            ),
            (args, record("", &[(r##"name="#" operation="pattern match" entity_check="all""##, "^--port=0$")])),
            (args, record("", &[(r##"name="#" operation="pattern match" entity_check="none satisfy""##, "^--bind")])),
            // ints compared as ints (the field's datatype decides)
            (mode, record("", &[(r##"name="#" datatype="int" operation="less than or equal""##, "420")])),
            (mode, record("", &[(r##"name="#" datatype="int" operation="less than""##, "0420")])),
            (mode, record("", &[(r##"name="#" operation="less than""##, "5")])),
            // several fields ANDed, for each record (the test's check is all)
            (
                vols,
                record(
                    "",
                    &[
                        (r#"name="name" operation="pattern match""#, "."),
                        (r#"name="default^mode" datatype="int""#, "420"),
                    ],
                ),
            ),
            // a field the item lacks: error
            (vols, record("", &[(r#"name="name" operation="pattern match""#, "."), (r#"name="missing""#, "1")])),
            // only `equals` compares records
            (mode, record(r#"operation="not equal""#, &[(r##"name="#""##, "1")])),
            // a field from a variable, by var_check
            (mode, record("", &[(r##"name="#" datatype="int" var_ref="oval:t:var:1" var_check="at least one""##, "")])),
            (mode, record("", &[(r##"name="#" datatype="int" var_ref="oval:t:var:1" var_check="all""##, "")])),
            // the value entities of one item, by the entity's entity_check
            (vols, record(r#"entity_check="at least one""#, &[(r#"name="name""#, "y")])),
            (vols, record(r#"entity_check="all""#, &[(r#"name="name""#, "y")])),
            (flag, record("", &[(r##"name="#" datatype="boolean""##, "1")])),
        ];
        let vars = r#"<variables><constant_variable id="oval:t:var:1" version="1" datatype="int" comment="c"><value>420</value><value>1</value></constant_variable></variables>"#;
        let (r, xml) = eval_tests(yaml, &paths, &tests, vars);
        use Res::*;
        assert_eq!(r, [True, False, True, True, False, True, False, Error, Error, True, False, True, False, True]);
        // The system characteristics carry the records' fields.
        assert!(xml.contains(r#"<independent-sys:value datatype="record">"#), "{xml}");
        assert!(xml.contains(r##"<field name="#">--port=0</field>"##), "{xml}");
        assert!(xml.contains(r#"<field name="default^mode" datatype="int">384</field>"#), "{xml}");
        assert!(xml.contains(r##"<field name="#" datatype="boolean">true</field>"##), "{xml}");
    }

    #[test]
    fn object_component_reads_record_fields() {
        let yaml = "vols: [{name: x, mode: 1}, {name: y}]\nlist: [x, b]\n";
        let paths = [".vols", ".list"];
        let var = |n: usize, obj: usize, item_field: &str, record_field: Option<&str>| {
            let rf = record_field.map(|r| format!(r#" record_field="{r}""#)).unwrap_or_default();
            format!(
                r#"<local_variable id="oval:t:var:{n}" version="1" datatype="string" comment="c"><object_component object_ref="oval:t:obj:{obj}" item_field="{item_field}"{rf}/></local_variable>"#
            )
        };
        let vars = format!(
            "<variables>{}{}{}{}{}</variables>",
            var(1, 2, "value", Some("#")),
            var(2, 1, "value", Some("mode")),
            var(3, 1, "value", None),
            var(4, 1, "yamlpath", Some("#")),
            var(5, 1, "value", Some("name")),
        );
        let uses = |v: usize| {
            record("", &[(&format!(r#"name="name" var_ref="oval:t:var:{v}" var_check="at least one""#), "")])
        };
        let tests = [(1, uses(1)), (1, uses(2)), (1, uses(3)), (1, uses(4)), (1, uses(5))];
        let (r, _) = eval_tests(yaml, &paths, &tests, &vars);
        use Res::*;
        // var 1 = [x, b]: the record named y fails. var 2: `mode` is
        // missing from one record, an error. var 3 (a record without
        // record_field), var 4 (a plain entity with one): errors. var 5 =
        // [x, y]: both records pass.
        assert_eq!(r, [False, Error, Error, Error, True]);
    }
}
