//! Reading sources: the [`Cache`] through which every source of a tree is
//! read once (shared by all products and the linter); one source file
//! being read: its path, its rendered text, a map from rendered lines back
//! to source lines, and typed access to its YAML keys that records a
//! diagnostic for every problem instead of stopping.

use crate::codes;
use crate::yaml::{self, Node, Value};
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

/// Maps lines of rendered Jinja output back to lines of the source, so that
/// a YAML error in rendered text points at the line the author wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineMap {
    /// `map[i]` is the source line of rendered line `i + 1`; `None` when the
    /// rendering changed nothing.
    /// (source line, characters at the start of the line that rendering
    /// left unchanged; `u32::MAX` when the whole line is unchanged).
    map: Option<Vec<(u32, u32)>>,
}

impl LineMap {
    pub fn identity() -> Self {
        LineMap { map: None }
    }

    /// The map from `rendered` back to `source`. Lines are matched in
    /// linear time, as rendering changes a file: the common first and last
    /// lines, then lines that occur once on each side (anchors, in order),
    /// then equal lines at both ends of each gap between anchors; what is
    /// left of a gap is diffed (Myers) into equal and changed blocks. A
    /// changed block's lines map to the source lines at the same offset
    /// (the last one beyond), keeping the columns up to the first changed
    /// character when the block kept its length.
    pub fn between(source: &str, rendered: &str) -> Self {
        if source == rendered {
            return Self::identity();
        }
        let a: Vec<&str> = source.split_inclusive('\n').collect();
        let b: Vec<&str> = rendered.split_inclusive('\n').collect();
        // Each distinct line gets a number; lines are compared by number.
        // Per number: how often it is in each side, and where in `a` it was
        // last seen.
        struct Seen {
            id: u32,
            in_a: u32,
            in_b: u32,
            at_a: usize,
        }
        let mut seen: HashMap<&str, Seen, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(a.len() + b.len() / 2, Default::default());
        let mut ia = Vec::with_capacity(a.len());
        for (i, l) in a.iter().enumerate() {
            let n = seen.len() as u32;
            let e = seen.entry(l).or_insert(Seen { id: n, in_a: 0, in_b: 0, at_a: 0 });
            e.in_a += 1;
            e.at_a = i;
            ia.push(e.id);
        }
        let mut ib = Vec::with_capacity(b.len());
        for l in &b {
            let n = seen.len() as u32;
            let e = seen.entry(l).or_insert(Seen { id: n, in_a: 0, in_b: 0, at_a: 0 });
            e.in_b += 1;
            ib.push(e.id);
        }
        let mut map = Vec::with_capacity(b.len());
        let gap = |a0: usize, a1: usize, b0: usize, b1: usize, map: &mut Vec<(u32, u32)>| {
            // Equal lines at both ends of the gap.
            let head = ia[a0..a1].iter().zip(&ib[b0..b1]).take_while(|(x, y)| x == y).count();
            let tail =
                ia[a0 + head..a1].iter().rev().zip(ib[b0 + head..b1].iter().rev()).take_while(|(x, y)| x == y).count();
            map.extend((0..head).map(|k| ((a0 + k) as u32 + 1, u32::MAX)));
            let (ca0, ca1, cb0, cb1) = (a0 + head, a1 - tail, b0 + head, b1 - tail);
            // What is left is small: diffed line by line (Myers), unless
            // no line is on both sides, when Myers' answer (merged into
            // replacements) is one replacement of all of it.
            let (ga, gb) = (&ia[ca0..ca1], &ib[cb0..cb1]);
            let shared = ga.len() * gb.len() > 64 || ga.iter().any(|x| gb.contains(x));
            let ops = if !ga.is_empty() && !gb.is_empty() && shared {
                similar::capture_diff_slices(similar::Algorithm::Myers, &ia[ca0..ca1], &ib[cb0..cb1])
            } else {
                vec![similar::DiffOp::Replace { old_index: 0, old_len: ca1 - ca0, new_index: 0, new_len: cb1 - cb0 }]
            };
            for op in ops {
                let (old, new) = (op.old_range(), op.new_range());
                let exact = op.tag() == similar::DiffTag::Equal;
                let one_to_one = old.len() == new.len();
                for k in 0..new.len() {
                    let src = if exact {
                        old.start + k
                    } else {
                        (old.start + k).min(old.end.saturating_sub(1)).max(old.start)
                    };
                    let same = if exact {
                        u32::MAX
                    } else if one_to_one {
                        let (x, y) = (a[ca0 + old.start + k], b[cb0 + new.start + k]);
                        x.chars().zip(y.chars()).take_while(|(x, y)| x == y).count() as u32
                    } else {
                        0
                    };
                    map.push(((ca0 + src) as u32 + 1, same));
                }
            }
            map.extend((0..tail).map(|k| ((ca1 + k) as u32 + 1, u32::MAX)));
        };
        // Anchors: lines found once in each side, matched in order.
        let (mut ai, mut bi) = (0, 0);
        for (j, l) in b.iter().enumerate() {
            let Some(e) = seen.get(*l) else { continue };
            if e.in_a != 1 || e.in_b != 1 {
                continue;
            }
            let i = e.at_a;
            if i < ai {
                continue;
            }
            gap(ai, i, bi, j, &mut map);
            map.push((i as u32 + 1, u32::MAX));
            (ai, bi) = (i + 1, j + 1);
        }
        gap(ai, a.len(), bi, b.len(), &mut map);
        LineMap { map: Some(map) }
    }

    pub fn source_pos(&self, pos: Pos) -> Pos {
        match &self.map {
            None => pos,
            Some(m) => match m.get(pos.line.saturating_sub(1) as usize) {
                // Columns hold up to where Jinja changed the line.
                Some(&(l, same)) if pos.col <= same.saturating_add(1) => Pos::new(l, pos.col),
                Some(&(l, _)) => Pos::new(l, 1),
                None => Pos::new(m.last().map(|x| x.0).unwrap_or(1), 1),
            },
        }
    }
}

/// Reads a file as UTF-8, or explains why not.
pub fn read(path: &Path) -> Result<String, Diagnostic> {
    // Never open what is not a regular file: a FIFO blocks, a device or
    // `/dev/zero` never ends, a directory is not a source.
    if let Some(what) = std::fs::metadata(path).ok().as_ref().and_then(scapc_output::not_regular) {
        return Err(Diagnostic::error(
            codes::IO,
            format!("the file is {what}, not a regular file; it cannot be loaded"),
        )
        .at_file(path)
        .hint("replace it with a regular file, or remove it"));
    }
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            let (line, col) = scapc_xml::line_col(
                &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
                e.utf8_error().valid_up_to(),
            );
            Diagnostic::error(codes::IO, "the file is not valid UTF-8")
                .at(Location::at(path, line, col))
                .hint("save the file as UTF-8")
        }),
        Err(e) => Err(Diagnostic::error(codes::IO, format!("cannot read the file: {e}")).at_file(path)),
    }
}

/// Per path, as spelled (looked up by its bytes, with a fast hash: a
/// rebuild looks up thousands).
type ByPath<V> = HashMap<std::ffi::OsString, V, foldhash::fast::RandomState>;

/// Every source of a tree, read once: the texts and directory listings
/// that loading asks for, kept for the products that follow (each product
/// renders the shared sources with its own variables, but the files are
/// read and listed only once) and for the linter. Safe to share between
/// threads; a file that changes during the run is read as first seen.
#[derive(Debug, Default)]
pub struct Cache {
    texts: RwLock<ByPath<Result<Arc<str>, Diagnostic>>>,
    dirs: RwLock<ByPath<Arc<[PathBuf]>>>,
    /// Rendered YAML sources with their parse, per source file, when
    /// [`Cache::share_parses`] is on: products that render a file to the
    /// same text share one parse.
    parsed: RwLock<ByPath<Renderings>>,
    share_parses: std::sync::atomic::AtomicBool,
    stats: RwLock<ByPath<Option<FileStat>>>,
}

/// What a build needs of a source file's metadata: its modification time
/// (the default timestamp of outputs) and its device and inode (so that
/// no output overwrites it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    /// Whole seconds since the epoch (`None` before it).
    pub mtime: Option<i64>,
    pub dev: u64,
    pub ino: u64,
}

/// The distinct renderings of one file kept for sharing, and how often
/// a product found its rendering among them.
#[derive(Debug, Default)]
struct Renderings {
    kept: Vec<Arc<Parsed>>,
    hits: std::sync::atomic::AtomicU32,
    misses: u32,
}

impl Renderings {
    /// Distinct renderings kept before the hit rate decides.
    const KEEP_UP_TO: u32 = 3;
}

/// The YAML of a [`Parsed`] that parsed.
#[derive(Debug, Clone)]
pub struct ParsedYaml(Arc<Parsed>);

impl ParsedYaml {
    pub fn new(p: Arc<Parsed>) -> Option<Self> {
        p.yaml.is_ok().then_some(ParsedYaml(p))
    }
}

impl std::ops::Deref for ParsedYaml {
    type Target = Node;
    fn deref(&self) -> &Node {
        match &self.0.yaml {
            Ok(n) => n,
            Err(_) => unreachable!("ParsedYaml::new keeps only parses that succeeded"),
        }
    }
}

/// A source file's rendered text, its line map back to the source, and the
/// YAML parsed from it.
#[derive(Debug)]
pub struct Parsed {
    pub rendered: Box<str>,
    pub lines: LineMap,
    pub yaml: Result<Node, yaml::YamlError>,
}

impl Cache {
    /// The text of `path` ([`read`] on first use).
    pub fn read(&self, path: &Path) -> Result<Arc<str>, Diagnostic> {
        if let Some(r) = self.texts.read().unwrap_or_else(|e| e.into_inner()).get(path.as_os_str()) {
            return r.clone();
        }
        let r = read(path).map(Arc::from);
        let mut map = self.texts.write().unwrap_or_else(|e| e.into_inner());
        map.entry(path.as_os_str().to_owned()).or_insert(r).clone()
    }

    /// Keeps each rendering of a YAML source with its parse for the
    /// products that follow ([`Cache::parse`]): a build of many products
    /// parses a file once per distinct rendering instead of once per
    /// product. Off by default (a single product renders each file once,
    /// and keeping the parses would only hold memory).
    pub fn share_parses(&self, on: bool) {
        self.share_parses.store(on, std::sync::atomic::Ordering::Relaxed);
        if !on {
            self.parsed.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// The line map and YAML parse of `rendered`, the rendering of `src`
    /// (the text of `path`): computed here, or shared with an earlier
    /// product that rendered `path` to the same text.
    pub fn parse(&self, path: &Path, src: &str, rendered: String) -> Arc<Parsed> {
        use std::sync::atomic::Ordering::Relaxed;
        let make = |rendered: String| {
            let lines = LineMap::between(src, &rendered);
            let yaml = yaml::parse(&rendered);
            Arc::new(Parsed { rendered: rendered.into_boxed_str(), lines, yaml })
        };
        if !self.share_parses.load(Relaxed) {
            return make(rendered);
        }
        if let Some(r) = self.parsed.read().unwrap_or_else(|e| e.into_inner()).get(path.as_os_str()) {
            if let Some(p) = r.kept.iter().find(|p| *p.rendered == *rendered) {
                r.hits.fetch_add(1, Relaxed);
                return p.clone();
            }
        }
        let p = make(rendered);
        let mut map = self.parsed.write().unwrap_or_else(|e| e.into_inner());
        let r = map.entry(path.as_os_str().to_owned()).or_default();
        if let Some(q) = r.kept.iter().find(|q| q.rendered == p.rendered) {
            return q.clone();
        }
        // A file that renders differently for most products (its text
        // names the product) is not kept: its parses would hold memory
        // that later products seldom reuse.
        r.misses += 1;
        if r.misses > Renderings::KEEP_UP_TO && 2 * r.hits.load(Relaxed) < r.misses {
            r.kept = Vec::new();
        } else {
            r.kept.push(p.clone());
        }
        p
    }

    /// The metadata of each of `paths` (following links; `None` when there
    /// is nothing there), each looked up once (in parallel) until
    /// [`Cache::invalidate`] names it.
    pub fn stats(&self, paths: &[&Path]) -> Vec<Option<FileStat>> {
        use rayon::prelude::*;
        use std::os::unix::fs::MetadataExt;
        // One lookup per path; only the paths not known yet are stat'ed.
        let mut out: Vec<Option<Option<FileStat>>> = {
            let known = self.stats.read().unwrap_or_else(|e| e.into_inner());
            paths.iter().map(|p| known.get(p.as_os_str()).copied()).collect()
        };
        let missing: Vec<usize> = (0..paths.len()).filter(|&i| out[i].is_none()).collect();
        if !missing.is_empty() {
            let found: Vec<Option<FileStat>> = missing
                .par_iter()
                .map(|&i| {
                    std::fs::metadata(paths[i]).ok().map(|m| FileStat {
                        mtime: (m.mtime() >= 0).then_some(m.mtime()),
                        dev: m.dev(),
                        ino: m.ino(),
                    })
                })
                .collect();
            let mut known = self.stats.write().unwrap_or_else(|e| e.into_inner());
            for (&i, st) in missing.iter().zip(found) {
                known.insert(paths[i].as_os_str().to_owned(), st);
                out[i] = Some(st);
            }
        }
        out.into_iter().map(Option::flatten).collect()
    }

    /// Reads every one of `paths` not read yet, in parallel.
    pub fn preload(&self, paths: &[PathBuf]) {
        use rayon::prelude::*;
        let todo: Vec<&PathBuf> = {
            let map = self.texts.read().unwrap_or_else(|e| e.into_inner());
            paths.iter().filter(|p| !map.contains_key(p.as_os_str())).collect()
        };
        let read: Vec<(PathBuf, Result<Arc<str>, Diagnostic>)> =
            todo.into_par_iter().map(|p| (p.clone(), read(p).map(Arc::from))).collect();
        let mut map = self.texts.write().unwrap_or_else(|e| e.into_inner());
        for (p, r) in read {
            map.entry(p.into_os_string()).or_insert(r);
        }
    }

    /// The text of `path` if it was read and is readable, without reading.
    pub fn cached(&self, path: &Path) -> Option<Arc<str>> {
        self.texts.read().unwrap_or_else(|e| e.into_inner()).get(path.as_os_str())?.as_ref().ok().cloned()
    }

    /// The entries of directory `dir`, sorted (none when it is not a
    /// readable directory).
    pub fn list(&self, dir: &Path) -> Arc<[PathBuf]> {
        let absent = {
            let dirs = self.dirs.read().unwrap_or_else(|e| e.into_inner());
            if let Some(l) = dirs.get(dir.as_os_str()) {
                return l.clone();
            }
            // A directory that its parent's listing (already read) does not
            // hold is not opened: a rule's `sce/`, `ansible/`, ... mostly
            // are not there. Its empty listing is kept like any other (the
            // next product asks again), and forgotten with its parent's.
            match (dir.parent(), dir.file_name()) {
                (Some(parent), Some(name)) => dirs
                    .get(parent.as_os_str())
                    .is_some_and(|pl| pl.binary_search_by(|p| entry_name(p).cmp(name)).is_err()),
                _ => false,
            }
        };
        let l: Arc<[PathBuf]> = if absent {
            Arc::from(Vec::new())
        } else {
            let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
                .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            v.sort();
            v.into()
        };
        self.dirs.write().unwrap_or_else(|e| e.into_inner()).entry(dir.as_os_str().to_owned()).or_insert(l).clone()
    }

    /// Forgets what was read at or below each of `paths`, and the listings
    /// of their parent directories, so that the next use reads them anew
    /// (`build --watch` after an edit, creation, removal or rename).
    pub fn invalidate(&self, paths: &[PathBuf]) {
        let hit = |p: &Path| paths.iter().any(|c| p.starts_with(c));
        self.texts.write().unwrap_or_else(|e| e.into_inner()).retain(|p, _| !hit(Path::new(p)));
        self.parsed.write().unwrap_or_else(|e| e.into_inner()).retain(|p, _| !hit(Path::new(p)));
        self.stats.write().unwrap_or_else(|e| e.into_inner()).retain(|p, _| !hit(Path::new(p)));
        let parents: Vec<&Path> = paths.iter().filter_map(|p| p.parent()).collect();
        self.dirs.write().unwrap_or_else(|e| e.into_inner()).retain(|d, _| {
            let d = Path::new(d);
            !hit(d) && !parents.iter().any(|p| d == *p || (p.as_os_str().is_empty() && d == Path::new(".")))
        });
    }

    /// Whether something (a file, directory or link, dangling or not) is at
    /// `path`, from its directory's listing.
    pub fn exists(&self, path: &Path) -> bool {
        let Some(parent) = path.parent() else { return false };
        let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
        let list = self.list(parent);
        let Some(name) = path.file_name() else { return false };
        list.binary_search_by(|p| entry_name(p).cmp(name)).is_ok()
    }
}

/// The name of an entry of a listing ([`Cache::list`]): what follows its
/// last `/` (its `file_name()`, since a listing's paths are its directory
/// joined with a name, without parsing the path's components).
fn entry_name(p: &Path) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    let b = p.as_os_str().as_bytes();
    match b.iter().rposition(|&c| c == b'/') {
        Some(i) => std::ffi::OsStr::from_bytes(&b[i + 1..]),
        None => p.as_os_str(),
    }
}

/// A file's YAML with helpers that report problems into `diags`.
pub struct Doc<'a> {
    pub file: PathBuf,
    pub lines: LineMap,
    pub product: &'a str,
    pub diags: Vec<Diagnostic>,
    /// Keys suggested for unknown keys: a missing required key that was
    /// suggested is a typo already reported, not a second error.
    suggested: Vec<String>,
}

/// The keys of a mapping, after `key@product` selection.
pub struct Fields<'n> {
    pub entries: BTreeMap<String, (Pos, &'n Node)>,
    /// Keys in file order (after selection).
    pub order: Vec<String>,
    pub pos: Pos,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.get(key).map(|(_, n)| *n)
    }
    pub fn key_pos(&self, key: &str) -> Option<Pos> {
        self.entries.get(key).map(|(p, _)| *p)
    }
}

impl<'a> Doc<'a> {
    /// Locations of every key's value in `f`.
    pub fn locs(&self, f: &Fields<'_>) -> BTreeMap<String, Location> {
        f.entries.iter().map(|(k, (_, n))| (k.clone(), self.loc(n.pos))).collect()
    }

    pub fn new(file: impl Into<PathBuf>, lines: LineMap, product: &'a str) -> Self {
        Doc { file: file.into(), lines, product, diags: Vec::new(), suggested: Vec::new() }
    }

    pub fn loc(&self, pos: Pos) -> Location {
        let p = self.lines.source_pos(pos);
        Location::at(&self.file, p.line, p.col)
    }

    pub fn error(&mut self, code: &str, pos: Pos, msg: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(code, msg).at(self.loc(pos));
        self.diags.push(d);
        self.diags.last_mut().unwrap()
    }

    /// Parses rendered YAML text; on failure records the error.
    pub fn parse_yaml(&mut self, text: &str) -> Option<Node> {
        match yaml::parse(text) {
            Ok(n) => Some(n),
            Err(e) => {
                self.yaml_error(&e);
                None
            }
        }
    }

    /// Records a YAML parse error of this file.
    pub fn yaml_error(&mut self, e: &yaml::YamlError) {
        self.error(codes::YAML, e.pos, format!("invalid YAML: {}", e.message))
            .hints
            .push("check the indentation and quoting around this line".into());
    }

    /// Reads a mapping. `allowed` lists the keys the file type defines; an
    /// empty list accepts any key. `key@product` entries are kept only for
    /// this product and override the plain key.
    pub fn mapping<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Fields<'n>> {
        let Some(entries) = node.as_map() else {
            if node.is_null() {
                self.error(codes::NOT_MAPPING, node.pos, format!("{what} is empty; expected a mapping of keys"));
            } else {
                self.error(codes::NOT_MAPPING, node.pos, format!("{what} must be a mapping, found {}", node.kind()));
            }
            return None;
        };
        let first = entries.first().map(|(k, _)| k.pos).unwrap_or(node.pos);
        let mut out = Fields { entries: BTreeMap::new(), order: Vec::new(), pos: first };
        let mut specific: Vec<(String, Pos, &'n Node)> = Vec::new();
        for (k, v) in entries {
            let Some(key) = k.as_str() else {
                self.error(codes::BAD_VALUE, k.pos, format!("keys in {what} must be strings, found {}", k.kind()));
                continue;
            };
            let (base, prod) = match key.split_once('@') {
                Some((b, p)) => (b, Some(p)),
                None => (key, None),
            };
            if !allowed.is_empty() && !allowed.contains(&base) {
                let d = self.error(codes::UNKNOWN_KEY, k.pos, format!("unknown key `{base}` in {what}"));
                match suggest(base, allowed) {
                    Some(s) => {
                        d.hints.push(format!("did you mean `{s}`?"));
                        self.suggested.push(s.to_owned());
                    }
                    None => d.hints.push(format!("the keys of {what} are: {}", allowed.join(", "))),
                }
                continue;
            }
            match prod {
                None => {
                    out.order.push(base.to_owned());
                    out.entries.insert(base.to_owned(), (k.pos, v));
                }
                Some(p) if p == self.product => specific.push((base.to_owned(), k.pos, v)),
                Some(_) => {}
            }
        }
        for (base, pos, v) in specific {
            if !out.entries.contains_key(&base) {
                out.order.push(base.clone());
            }
            out.entries.insert(base, (pos, v));
        }
        Some(out)
    }

    /// A scalar as a string (numbers and booleans are accepted as text).
    pub fn string(&mut self, f: &Fields<'_>, key: &str, what: &str) -> Option<String> {
        let n = f.get(key)?;
        self.as_string(n, &format!("`{key}` in {what}"))
    }

    pub fn as_string(&mut self, n: &Node, what: &str) -> Option<String> {
        match &n.value {
            Value::Scalar { text, .. } => Some(text.clone()),
            Value::Null => None,
            _ => {
                self.error(codes::BAD_VALUE, n.pos, format!("{what} must be a string, found {}", n.kind()));
                None
            }
        }
    }

    pub fn required_string(&mut self, f: &Fields<'_>, key: &str, what: &str) -> Option<String> {
        match f.get(key) {
            None if self.suggested.iter().any(|s| s == key) => None,
            None => {
                self.error(codes::MISSING_KEY, f.pos, format!("{what} has no `{key}`"))
                    .hints
                    .push(format!("add `{key}:` to this file"));
                None
            }
            Some(n) if n.is_null() => {
                self.error(codes::MISSING_KEY, n.pos, format!("`{key}` in {what} is empty"));
                None
            }
            Some(_) => self.string(f, key, what),
        }
    }

    pub fn boolean(&mut self, f: &Fields<'_>, key: &str, what: &str) -> Option<bool> {
        let n = f.get(key)?;
        match n.as_bool() {
            Some(b) => Some(b),
            None => {
                self.error(
                    codes::BAD_VALUE,
                    n.pos,
                    format!("`{key}` in {what} must be true or false, found {}", n.kind()),
                );
                None
            }
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    pub fn string_list(&mut self, f: &Fields<'_>, key: &str, what: &str) -> Vec<(String, Pos)> {
        let Some(n) = f.get(key) else { return Vec::new() };
        match &n.value {
            Value::Null => Vec::new(),
            Value::Scalar { text, .. } => vec![(text.clone(), n.pos)],
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| self.as_string(i, &format!("an item of `{key}` in {what}")).map(|s| (s, i.pos)))
                .collect(),
            Value::Map(_) => {
                self.error(codes::BAD_VALUE, n.pos, format!("`{key}` in {what} must be a list, found a mapping"));
                Vec::new()
            }
        }
    }
}

/// The allowed word closest to `word`, if it is close enough to be a typo.
pub fn suggest<'s>(word: &str, allowed: &[&'s str]) -> Option<&'s str> {
    allowed.iter().map(|a| (levenshtein(word, a), *a)).filter(|(d, a)| *d <= 2.max(a.len() / 4)).min().map(|(_, a)| a)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `LineMap::between` skips Myers on a gap whose sides share no line,
    /// taking its answer to be one replacement of the whole gap: checked
    /// here on many such pairs of sequences.
    #[test]
    fn myers_replaces_sequences_without_a_common_element_at_once() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..2000 {
            let (la, lb) = (1 + next(8) as usize, 1 + next(8) as usize);
            // Old elements are even, new ones odd: none in common, repeats
            // within a side allowed.
            let a: Vec<u32> = (0..la).map(|_| 2 * next(4) as u32).collect();
            let b: Vec<u32> = (0..lb).map(|_| 2 * next(4) as u32 + 1).collect();
            let ops = similar::capture_diff_slices(similar::Algorithm::Myers, &a, &b);
            assert_eq!(
                ops,
                [similar::DiffOp::Replace { old_index: 0, old_len: la, new_index: 0, new_len: lb }],
                "{a:?} {b:?}"
            );
        }
    }

    #[test]
    fn line_map_follows_removed_jinja_lines() {
        let src = "a: 1\n{{% if x %}}\nb: 2\n{{% endif %}}\nc: 3\n";
        let rendered = "a: 1\nb: 2\nc: 3\n";
        let m = LineMap::between(src, rendered);
        assert_eq!(m.source_pos(Pos::new(1, 1)).line, 1);
        assert_eq!(m.source_pos(Pos::new(2, 1)).line, 3);
        assert_eq!(m.source_pos(Pos::new(3, 4)), Pos::new(5, 4));
    }

    #[test]
    fn line_map_follows_expanded_and_repeated_lines() {
        // A macro expanded into three lines, a repeated blank line, and a
        // line whose end rendering changed.
        let src = "a: 1\n\nm: {{{ m() }}}\n\nb: 2\nc: {{{ x }}}\nd: 4\n";
        let rendered = "a: 1\n\nm: |\n  x\n  y\n\nb: 2\nc: 3\nd: 4\n";
        let m = LineMap::between(src, rendered);
        let lines: Vec<u32> = (1..=9).map(|l| m.source_pos(Pos::new(l, 1)).line).collect();
        assert_eq!(lines, [1, 2, 3, 3, 3, 4, 5, 6, 7]);
        // Same line count: columns hold up to the first changed character.
        assert_eq!(m.source_pos(Pos::new(8, 2)), Pos::new(6, 2));
        assert_eq!(m.source_pos(Pos::new(8, 5)), Pos::new(6, 1));
        // Past the end: the last line.
        assert_eq!(m.source_pos(Pos::new(20, 3)), Pos::new(7, 1));
        assert_eq!(LineMap::between("x\n", "y\n").source_pos(Pos::new(1, 1)), Pos::new(1, 1));
    }

    #[test]
    fn products_share_a_parse_of_the_same_rendering() {
        let c = Cache::default();
        let path = Path::new("r/rule.yml");
        let src = "title: {{{ t }}}\n";
        // Off: every call parses anew.
        let a = c.parse(path, src, "title: x\n".into());
        let b = c.parse(path, src, "title: x\n".into());
        assert!(!Arc::ptr_eq(&a, &b));
        c.share_parses(true);
        let a = c.parse(path, src, "title: x\n".into());
        let b = c.parse(path, src, "title: x\n".into());
        assert!(Arc::ptr_eq(&a, &b));
        let other = c.parse(path, src, "title: y\n".into());
        assert!(!Arc::ptr_eq(&a, &other));
        assert_eq!(other.yaml.as_ref().unwrap().get("title").and_then(|n| n.as_str()), Some("y"));
        // An edit to the file drops what was kept for it.
        c.invalidate(&[path.to_path_buf()]);
        assert!(!Arc::ptr_eq(&a, &c.parse(path, src, "title: x\n".into())));
        // A file rendered differently by most products stops being kept.
        let p2 = Path::new("r2/rule.yml");
        for k in 0..10 {
            c.parse(p2, src, format!("title: {k}\n"));
        }
        let d = c.parse(p2, src, "title: 9\n".into());
        assert!(!Arc::ptr_eq(&d, &c.parse(p2, src, "title: 9\n".into())));
        // Off again: nothing kept.
        c.share_parses(false);
        assert!(c.parsed.read().unwrap().is_empty());
    }

    #[test]
    fn stats_are_kept_until_invalidated() {
        let d = tempfile::tempdir().unwrap();
        let (a, b) = (d.path().join("a.yml"), d.path().join("missing.yml"));
        std::fs::write(&a, "x").unwrap();
        let c = Cache::default();
        let first = c.stats(&[&a, &b]);
        assert!(first[0].is_some() && first[1].is_none());
        // Replaced by another file: the same answer until invalidated.
        std::fs::write(d.path().join("other"), "y").unwrap();
        std::fs::rename(d.path().join("other"), &a).unwrap();
        std::fs::write(&b, "z").unwrap();
        assert_eq!(c.stats(&[&a, &b]), first);
        c.invalidate(&[a.clone(), b.clone()]);
        let now = c.stats(&[&a, &b]);
        assert_ne!(now[0].unwrap().ino, first[0].unwrap().ino);
        assert!(now[1].is_some());
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("titel", &["title", "description"]), Some("title"));
        assert_eq!(suggest("zzzzzz", &["title"]), None);
    }

    #[test]
    fn product_specific_keys_override() {
        let n = yaml::parse("a: 1\na@debian12: 2\na@rhel9: 3\n").unwrap();
        let mut d = Doc::new("f", LineMap::identity(), "debian12");
        let f = d.mapping(&n, "x", &["a"]).unwrap();
        assert_eq!(f.get("a").unwrap().as_str(), Some("2"));
        assert!(d.diags.is_empty());
    }
}
