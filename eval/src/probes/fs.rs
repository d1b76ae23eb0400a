//! File resolution shared by the file-based probes (`file`,
//! `textfilecontent54`, `filehash58`, `xmlfilecontent`, `yamlfilecontent`,
//! `symlink`): which files an object's `filepath`, or `path` and
//! `filename`, designate on the target, with the OVAL file behaviors
//! (`max_depth`, `recurse`, `recurse_direction`, `recurse_file_system`).
//!
//! - `equals` is a direct lookup, never a walk.
//! - Any other operation walks the target. A `pattern match` anchored with
//!   a literal prefix (`^/etc/ssh/...`) starts at the deepest directory of
//!   that prefix; only a pattern without one walks the whole filesystem,
//!   and such a walk skips `/proc`, `/sys`, `/dev` and `/run`.
//! - Every walk reads directories through one listing cache in
//!   [`Cache`](super::Cache), so objects share the work.
//! - Symbolic links to directories are followed when `recurse` allows it
//!   (the default, `symlinks and directories`, as oscap); a directory
//!   already on the current path (a link loop) is not entered again.
//!   Entries reached through different links are reported under each
//!   path, as oscap does.
//! - An entry counts as a directory (and so is not a file) when the walk
//!   would descend into it: a real directory, or a link to one when
//!   `recurse` follows links. oscap behaves the same: with the default
//!   behaviors, `filepath` naming a link to a directory does not exist.

use super::ProbeCtx;
use crate::oval::item::{EntitySpec, ObjectSpec};
use crate::oval::types::{Check, Operation};
use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;

/// What the walk needs to know about one directory entry.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub kind: Kind,
    /// `(st_dev, st_ino)` of the entry itself (`lstat`).
    pub id: (u64, u64),
    /// For a link: `(st_dev, st_ino)` of what it points to when that is
    /// a directory.
    pub link_dir: Option<(u64, u64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    Symlink,
    Other,
}

/// A directory's entries (sorted by name), or why it could not be read.
pub type Listing = Result<Vec<Entry>, String>;

/// Filesystems that `recurse_file_system="local"` does not enter: network
/// filesystems and kernel pseudo filesystems.
const NONLOCAL_FS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "ncpfs",
    "afs",
    "coda",
    "ceph",
    "glusterfs",
    "fuse.sshfs",
    "sshfs",
    "9p",
    "lustre",
    "gpfs",
    "fuse.glusterfs",
    "fuse.ceph",
    "proc",
    "sysfs",
    "devtmpfs",
    "devpts",
    "cgroup",
    "cgroup2",
    "securityfs",
    "debugfs",
    "tracefs",
    "configfs",
    "fusectl",
    "mqueue",
    "hugetlbfs",
    "pstore",
    "bpf",
    "binfmt_misc",
    "autofs",
    "rpc_pipefs",
    "nfsd",
    "selinuxfs",
    "efivarfs",
];

/// Directories a whole-filesystem walk leaves out.
const SKIP_ON_ROOT_WALK: &[&str] = &["/proc", "/sys", "/dev", "/run"];

/// Joins a directory and a name into a target path.
pub fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// Splits a target path into its directory and its last component
/// (`/etc/passwd` -> `/etc`, `passwd`; `/x` -> `/`, `x`).
pub fn split(path: &str) -> (String, String) {
    let trimmed = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    match trimmed.rfind('/') {
        Some(0) => ("/".to_owned(), trimmed[1..].to_owned()),
        Some(i) => (trimmed[..i].to_owned(), trimmed[i + 1..].to_owned()),
        None => (String::new(), trimmed.to_owned()),
    }
}

/// Normalises a target path: absolute, no `.`, no repeated or trailing `/`.
pub fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    format!("/{}", parts.join("/"))
}

/// The listing of a target directory, from the shared cache.
pub fn listing(ctx: &ProbeCtx<'_>, dir: &str) -> Arc<Listing> {
    if let Some(l) = ctx.cache.dirs.lock().unwrap_or_else(|p| p.into_inner()).get(dir) {
        return l.clone();
    }
    let l = Arc::new(read_listing(ctx, dir));
    ctx.cache.dirs.lock().unwrap_or_else(|p| p.into_inner()).insert(dir.to_owned(), l.clone());
    l
}

fn read_listing(ctx: &ProbeCtx<'_>, dir: &str) -> Listing {
    let names = ctx.target.read_dir(dir).map_err(|e| format!("{dir}: {e}"))?;
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let p = join(dir, &name);
        let Ok(m) = ctx.target.symlink_metadata(&p) else { continue };
        let ft = m.file_type();
        let (kind, link_dir) = if ft.is_dir() {
            (Kind::Dir, None)
        } else if ft.is_symlink() {
            let link_dir = ctx.target.metadata(&p).ok().filter(|t| t.is_dir()).map(|t| (t.dev(), t.ino()));
            (Kind::Symlink, link_dir)
        } else {
            (Kind::Other, None)
        };
        out.push(Entry { name, kind, id: (m.dev(), m.ino()), link_dir });
    }
    Ok(out)
}

/// `recurse`: which entries a recursion descends into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurse {
    Directories,
    Symlinks,
    Both,
}

/// `recurse_file_system`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsScope {
    All,
    Local,
    /// Stay on the filesystem of the starting directory.
    Defined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    None,
    Down,
    Up,
}

/// The file behaviors of an object, with the schema's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Behaviors {
    pub max_depth: i64,
    pub direction: Direction,
    pub recurse: Recurse,
    pub scope: FsScope,
}

impl Behaviors {
    pub fn of(obj: &ObjectSpec) -> Result<Behaviors, String> {
        let max_depth = match obj.behavior("max_depth") {
            None => -1,
            Some(s) => s.trim().parse::<i64>().map_err(|_| format!("invalid max_depth `{s}`"))?,
        };
        let direction = match obj.behavior("recurse_direction").unwrap_or("none") {
            "none" => Direction::None,
            "down" => Direction::Down,
            "up" => Direction::Up,
            s => return Err(format!("invalid recurse_direction `{s}`")),
        };
        let recurse = match obj.behavior("recurse").unwrap_or("symlinks and directories") {
            "directories" => Recurse::Directories,
            "symlinks" => Recurse::Symlinks,
            "symlinks and directories" => Recurse::Both,
            s => return Err(format!("invalid recurse `{s}`")),
        };
        let scope = match obj.behavior("recurse_file_system").unwrap_or("all") {
            "all" => FsScope::All,
            "local" => FsScope::Local,
            "defined" => FsScope::Defined,
            s => return Err(format!("invalid recurse_file_system `{s}`")),
        };
        Ok(Behaviors { max_depth, direction, recurse, scope })
    }

    /// Whether a walk descends into this entry, and the directory's id.
    fn descends(&self, e: &Entry) -> Option<(u64, u64)> {
        match e.kind {
            Kind::Dir if self.recurse != Recurse::Symlinks => Some(e.id),
            // A real directory is still a directory for a `symlinks` walk;
            // it is just not entered below the starting point.
            Kind::Dir => None,
            Kind::Symlink if self.recurse != Recurse::Directories => e.link_dir,
            _ => None,
        }
    }

    /// Whether an entry is a directory (not a file) for this object.
    fn is_dir(&self, e: &Entry) -> bool {
        match e.kind {
            Kind::Dir => true,
            Kind::Symlink => self.recurse != Recurse::Directories && e.link_dir.is_some(),
            Kind::Other => false,
        }
    }
}

/// One file (or directory, when `filename` is nil) an object designates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileRef {
    /// The directory.
    pub path: String,
    /// The name in it; `None` for the directory itself.
    pub filename: Option<String>,
    /// The directory as the object wrote it, when it wrote a relative path
    /// (`./x`): items report that form, as oscap does, while `path` is
    /// where the file is.
    pub written: Option<String>,
}

impl FileRef {
    fn new(path: String, filename: Option<String>) -> FileRef {
        FileRef { path, filename, written: None }
    }

    /// The directory an item reports: as written when relative.
    pub fn item_path(&self) -> &str {
        self.written.as_deref().unwrap_or(&self.path)
    }

    /// The full path an item reports (`None` for a directory item): as
    /// written when relative.
    pub fn item_filepath(&self) -> Option<String> {
        match (&self.written, &self.filename) {
            (Some(w), Some(f)) if w.is_empty() => Some(f.clone()),
            (Some(w), Some(f)) => Some(join(w, f)),
            _ => self.filepath(),
        }
    }

    /// The full path, or `None` for a directory item.
    pub fn filepath(&self) -> Option<String> {
        self.filename.as_ref().map(|f| join(&self.path, f))
    }

    /// The path to open or stat: the file, or the directory itself.
    pub fn target_path(&self) -> String {
        self.filepath().unwrap_or_else(|| self.path.clone())
    }
}

/// The files an object designates.
#[derive(Debug, Default)]
pub struct Resolved {
    pub files: Vec<FileRef>,
    pub messages: Vec<String>,
    /// The deadline passed: the list may be partial.
    pub incomplete: bool,
    /// The object could not be resolved at all (bad entity or behavior).
    pub error: Option<String>,
    /// The object used `filepath` (items then carry `filepath`).
    pub by_filepath: bool,
}

/// A directory waiting to be listed: its path, the depth of its
/// children, its device, and the ids of the directories above it.
type Pending = (String, i64, u64, Arc<Vec<(u64, u64)>>);

/// The walk state: shared by the searches of one object.
struct Walker<'a, 'c> {
    ctx: &'a ProbeCtx<'c>,
    beh: Behaviors,
    messages: Vec<String>,
    incomplete: bool,
    /// While walking for a `pattern match` whose every value is anchored
    /// with a literal prefix: those prefixes. A directory is entered only
    /// when a match could lie below it (it starts with a prefix, or is an
    /// ancestor of one), as oscap prunes with partial matches.
    prune: Option<Vec<String>>,
    /// Base directories the object wrote as relative paths: (where it
    /// is, as written).
    written: Vec<(String, String)>,
}

impl Walker<'_, '_> {
    /// The directory `dir` (found under a base directory) as the object
    /// wrote its base: `./etc/app/sub` for `/cwd/etc/app/sub` when the
    /// object wrote `./etc/app` (the longest base wins).
    fn as_written(&self, dir: &str) -> Option<String> {
        self.written
            .iter()
            .filter_map(|(abs, wr)| {
                let rest = if dir == abs {
                    ""
                } else {
                    dir.strip_prefix(abs.as_str()).filter(|r| r.starts_with('/') || abs == "/")?
                };
                Some((abs.len(), format!("{wr}{rest}")))
            })
            .max_by_key(|(n, _)| *n)
            .map(|(_, s)| s)
    }

    /// Whether a match of the current walk's pattern could lie below `dir`.
    fn may_hold_match(&self, dir: &str) -> bool {
        self.prune.as_deref().is_none_or(|prefixes| may_hold(prefixes, dir))
    }

    fn entity_matches(&mut self, e: &EntitySpec, value: &str) -> bool {
        match e.matches(value) {
            Ok(b) => b,
            Err(err) => {
                let m = format!("{}: {err}", e.name);
                if !self.messages.contains(&m) {
                    self.messages.push(m);
                }
                false
            }
        }
    }

    /// Whether a filesystem boundary may be crossed into `dir` (whose
    /// device differs from its parent's or the start's).
    fn may_enter(&mut self, dir: &str, dev: u64, start_dev: u64, parent_dev: u64) -> bool {
        match self.beh.scope {
            FsScope::All => true,
            FsScope::Defined => dev == start_dev,
            FsScope::Local => {
                if dev == parent_dev {
                    return true;
                }
                let Ok(host) = self.ctx.target.resolve(dir) else { return false };
                let host = host.to_string_lossy().into_owned();
                !nonlocal_mounts(self.ctx).contains(&host)
            }
        }
    }

    /// Depth-first walk below `start` (a directory), calling `visit` with
    /// each entry's path, the entry, whether it is a directory for this
    /// object, and whether it leads back to a directory above it (a loop). `max_depth` counts levels below `start` (-1: no
    /// limit); entries at depth 1 are `start`'s children.
    fn walk(&mut self, start: &str, max_depth: i64, visit: &mut dyn FnMut(&mut Self, &str, &Entry, bool, bool)) {
        let Ok(meta) = self.ctx.target.metadata(start) else { return };
        if !meta.is_dir() {
            return;
        }
        let root_walk = start == "/";
        let start_dev = meta.dev();
        // (path, depth of its children, device, ancestors' ids)
        let mut stack: Vec<Pending> = vec![(start.to_owned(), 1, start_dev, Arc::new(vec![(meta.dev(), meta.ino())]))];
        while let Some((dir, depth, dev, ancestors)) = stack.pop() {
            if self.ctx.expired() {
                self.incomplete = true;
                return;
            }
            let l = listing(self.ctx, &dir);
            let entries = match &*l {
                Ok(v) => v,
                Err(e) => {
                    if self.messages.len() < 20 {
                        self.messages.push(e.clone());
                    }
                    continue;
                }
            };
            let mut children = Vec::new();
            for e in entries {
                let p = join(&dir, &e.name);
                let is_dir = self.beh.is_dir(e);
                let looped = self.beh.descends(e).is_some_and(|id| ancestors.contains(&id));
                visit(self, &p, e, is_dir, looped);
                if max_depth >= 0 && depth >= max_depth {
                    continue;
                }
                let Some(id) = self.beh.descends(e) else { continue };
                if root_walk && SKIP_ON_ROOT_WALK.contains(&p.as_str()) {
                    continue;
                }
                if ancestors.contains(&id) {
                    continue; // a link loop
                }
                if !self.may_hold_match(&p) {
                    continue;
                }
                // Through a link into /proc (whose `root` links lead back to
                // `/`) or /sys, a walk would never end: a walk enters a
                // kernel pseudo filesystem only by starting inside it.
                if id.0 != start_dev && pseudo_devs(self.ctx).contains(&id.0) {
                    continue;
                }
                if id.0 != dev && !self.may_enter(&p, id.0, start_dev, dev) {
                    continue;
                }
                let mut anc = (*ancestors).clone();
                anc.push(id);
                children.push((p, depth + 1, id.0, Arc::new(anc)));
            }
            // Pop in name order.
            children.reverse();
            stack.extend(children);
        }
    }
}

/// Kernel pseudo filesystems: their contents are not files of the system.
const PSEUDO_FS: &[&str] =
    &["proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "securityfs", "debugfs", "tracefs"];

/// Device ids of this host's kernel pseudo filesystems.
fn pseudo_devs<'a>(ctx: &ProbeCtx<'a>) -> &'a HashSet<u64> {
    ctx.cache.pseudo_devs.get_or_init(|| {
        let text = crate::target::Target::local().read_text("/proc/self/mounts").unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() >= 3 && PSEUDO_FS.contains(&f[2]))
                    .then(|| std::fs::metadata(unescape_mount(f[1])).ok().map(|m| m.dev()))
                    .flatten()
            })
            .collect()
    })
}

/// Mount points (host paths) of non-local filesystems on this host.
fn nonlocal_mounts<'a>(ctx: &ProbeCtx<'a>) -> &'a Vec<String> {
    ctx.cache.nonlocal_mounts.get_or_init(|| {
        let text = crate::target::Target::local().read_text("/proc/self/mounts").unwrap_or_default();
        text.lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() >= 3 && NONLOCAL_FS.contains(&f[2])).then(|| unescape_mount(f[1]))
            })
            .collect()
    })
}

/// Decodes the octal escapes of `/proc/mounts` and `fstab` (`\040`).
pub fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c)) {
            let v = (b[i + 1] - b'0') as u32 * 64 + (b[i + 2] - b'0') as u32 * 8 + (b[i + 3] - b'0') as u32;
            out.push(v as u8);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The literal text every match of an anchored pattern starts with, or
/// `None` when the pattern is not anchored (or alternates at top level).
pub fn literal_prefix(pattern: &str) -> Option<String> {
    let rest = pattern.strip_prefix('^')?;
    if has_top_level_alternation(pattern) {
        return None;
    }
    let mut out = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        let lit = match c {
            '\\' => match chars.next() {
                Some(n) if n.is_ascii_alphanumeric() => break,
                Some(n) => n,
                None => break,
            },
            '.' | '[' | '(' | ')' | '|' | '$' | '+' => break,
            '*' | '?' | '{' => {
                out.pop();
                break;
            }
            c => c,
        };
        // A quantifier that allows zero occurrences makes this character
        // optional.
        if matches!(chars.peek(), Some('*' | '?' | '{')) {
            break;
        }
        out.push(lit);
    }
    Some(out)
}

fn has_top_level_alternation(p: &str) -> bool {
    let mut depth = 0i32;
    let mut in_class = false;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => depth -= 1,
            '|' if !in_class && depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Whether a `pattern match` is a plain literal (`^/etc/passwd$`), which
/// needs a lookup rather than a walk.
fn pattern_literal(pattern: &str) -> Option<String> {
    let body = pattern.strip_suffix('$')?;
    let prefix = literal_prefix(body)?;
    // The prefix must be the whole body (re-escape to compare lengths).
    let unescaped_len: usize = {
        let mut n = 0;
        let mut chars = body[1..].chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                chars.next();
            }
            n += 1;
        }
        n
    };
    (prefix.chars().count() == unescaped_len && !body.ends_with('\\')).then_some(prefix)
}

/// Whether a path that starts with one of `prefixes` can lie below `dir`.
fn may_hold(prefixes: &[String], dir: &str) -> bool {
    prefixes.iter().any(|q| dir.starts_with(q.as_str()) || q.starts_with(&format!("{dir}/")))
}

/// The literal prefixes that every match of a `pattern match` entity
/// starts with, when each of its values has one (absolute), for pruning.
fn prune_prefixes(e: &EntitySpec) -> Option<Vec<String>> {
    if e.operation != Operation::PatternMatch || e.values.is_empty() || e.var_check == Check::NoneSatisfy {
        return None;
    }
    e.values.iter().map(|v| literal_prefix(v).filter(|p| p.starts_with('/') && p.len() > 1)).collect()
}

/// Where a walk for this entity must start: the directories that contain
/// every possible match.
fn walk_starts(e: &EntitySpec) -> Vec<String> {
    if e.operation != Operation::PatternMatch || e.values.is_empty() {
        return vec!["/".to_owned()];
    }
    let starts: Vec<String> = e
        .values
        .iter()
        .map(|v| match literal_prefix(v) {
            Some(p) if p.starts_with('/') => {
                let (dir, _) = split(&format!("{p}x"));
                if dir.is_empty() {
                    "/".to_owned()
                } else {
                    normalize(&dir)
                }
            }
            _ => "/".to_owned(),
        })
        .collect();
    match e.var_check {
        Check::All => vec![starts.into_iter().max_by_key(|s| s.len()).unwrap_or_else(|| "/".into())],
        Check::NoneSatisfy => vec!["/".to_owned()],
        Check::AtLeastOne | Check::OnlyOne => {
            let mut s = starts;
            s.sort();
            s.dedup();
            // Drop starts inside another start.
            let all = s.clone();
            s.retain(|a| !all.iter().any(|b| b != a && (b == "/" || a.starts_with(&format!("{b}/")))));
            s
        }
    }
}

/// The exact values an entity designates, when it is `equals` or a
/// literal `pattern match`.
fn lookup_values(e: &EntitySpec) -> Option<Vec<String>> {
    if let Some(v) = e.exact() {
        return Some(v.into_iter().map(str::to_owned).collect());
    }
    if e.operation == Operation::PatternMatch && e.values.len() == 1 && e.var_check != Check::NoneSatisfy {
        return pattern_literal(&e.values[0]).filter(|p| p.starts_with('/')).map(|p| vec![p]);
    }
    None
}

/// Resolves the files of an object with `filepath`, or `path` and
/// `filename`.
pub fn resolve(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Resolved {
    let beh = match Behaviors::of(obj) {
        Ok(b) => b,
        Err(e) => return Resolved { error: Some(e), ..Default::default() },
    };
    let mut w = Walker { ctx, beh, messages: Vec::new(), incomplete: false, prune: None, written: Vec::new() };
    let mut files: Vec<FileRef> = Vec::new();
    let mut by_filepath = false;
    if let Some(fp) = obj.entity("filepath") {
        by_filepath = true;
        if fp.nil {
            return Resolved { error: Some("filepath may not be nil".into()), ..Default::default() };
        }
        if let Some(values) = lookup_values(fp) {
            for v in values {
                if v.is_empty() {
                    continue;
                }
                let abs = normalize(&ctx.target.absolute(&v));
                if let Some(mut f) = lookup_file(&mut w, &abs) {
                    // A literal pattern must still match (e.g. `\.` vs `.`).
                    if fp.operation == Operation::Equals || w.entity_matches(fp, &abs) {
                        if !v.starts_with('/') {
                            f.written = Some(split(&v).0);
                        }
                        files.push(f);
                    }
                }
            }
        } else {
            w.prune = prune_prefixes(fp);
            for start in walk_starts(fp) {
                w.walk(&start, -1, &mut |w, p, _e, is_dir, _looped| {
                    if !is_dir && w.entity_matches(fp, p) {
                        let (d, n) = split(p);
                        files.push(FileRef::new(d, Some(n)));
                    }
                });
            }
            w.prune = None;
        }
    } else {
        let Some(path) = obj.entity("path") else {
            return Resolved { error: Some("the object has neither filepath nor path".into()), ..Default::default() };
        };
        let dirs = base_dirs(&mut w, path);
        let dirs = recurse_dirs(&mut w, dirs);
        match obj.entity("filename") {
            None => {}
            Some(f) if f.nil => files.extend(dirs.into_iter().map(|d| FileRef::new(d, None))),
            Some(f) => {
                let exact = f.exact();
                for d in dirs {
                    if w.ctx.expired() {
                        w.incomplete = true;
                        break;
                    }
                    match &exact {
                        Some(names) => {
                            for n in names {
                                if n.is_empty() || n.contains('/') {
                                    continue;
                                }
                                if let Some(fr) = lookup_file(&mut w, &join(&d, n)) {
                                    files.push(fr);
                                }
                            }
                        }
                        None => {
                            let l = listing(ctx, &d);
                            if let Ok(entries) = &*l {
                                for e in entries {
                                    if !w.beh.is_dir(e) && w.entity_matches(f, &e.name) {
                                        files.push(FileRef::new(d.clone(), Some(e.name.clone())));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    if !w.written.is_empty() {
        for f in files.iter_mut().filter(|f| f.written.is_none()) {
            f.written = w.as_written(&f.path);
        }
    }
    files.sort();
    files.dedup();
    Resolved { files, messages: w.messages, incomplete: w.incomplete, error: None, by_filepath }
}

/// A file by its exact path: it must exist (`lstat`) and not be a
/// directory for this object.
fn lookup_file(w: &mut Walker<'_, '_>, path: &str) -> Option<FileRef> {
    let m = w.ctx.target.symlink_metadata(path).ok()?;
    let ft = m.file_type();
    if ft.is_dir() {
        return None;
    }
    if ft.is_symlink()
        && w.beh.recurse != Recurse::Directories
        && w.ctx.target.metadata(path).map(|t| t.is_dir()).unwrap_or(false)
    {
        return None;
    }
    let (d, n) = split(path);
    if n.is_empty() {
        return None;
    }
    Some(FileRef::new(d, Some(n)))
}

/// The directories the `path` entity designates (before recursion).
fn base_dirs(w: &mut Walker<'_, '_>, path: &EntitySpec) -> Vec<String> {
    let mut dirs = Vec::new();
    if let Some(values) = lookup_values(path) {
        for v in values {
            if v.is_empty() {
                continue;
            }
            let abs = normalize(&w.ctx.target.absolute(&v));
            if w.ctx.target.metadata(&abs).map(|m| m.is_dir()).unwrap_or(false)
                && (path.operation == Operation::Equals || w.entity_matches(path, &abs))
            {
                if !v.starts_with('/') {
                    let written = if v.len() > 1 { v.trim_end_matches('/') } else { &v };
                    w.written.push((abs.clone(), written.to_owned()));
                }
                dirs.push(abs);
            }
        }
    } else {
        w.prune = prune_prefixes(path);
        for start in walk_starts(path) {
            if w.entity_matches(path, &start) {
                dirs.push(start.clone());
            }
            w.walk(&start, -1, &mut |w, p, _e, is_dir, looped| {
                if is_dir && !looped && w.entity_matches(path, p) {
                    dirs.push(p.to_owned());
                }
            });
        }
        w.prune = None;
    }
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Applies `recurse_direction` and `max_depth` to the base directories.
fn recurse_dirs(w: &mut Walker<'_, '_>, base: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = HashSet::new();
    for b in base {
        if seen.insert(b.clone()) {
            out.push(b.clone());
        }
        match w.beh.direction {
            Direction::None => {}
            Direction::Down => {
                if w.beh.max_depth == 0 {
                    continue;
                }
                let mut found = Vec::new();
                w.walk(&b, w.beh.max_depth, &mut |w, p, e, _is_dir, looped| {
                    if w.beh.descends(e).is_some() && !looped {
                        found.push(p.to_owned());
                    }
                });
                for f in found {
                    if seen.insert(f.clone()) {
                        out.push(f);
                    }
                }
            }
            Direction::Up => {
                let mut cur = b.clone();
                let mut depth = 0;
                while cur != "/" && (w.beh.max_depth < 0 || depth < w.beh.max_depth) {
                    let (parent, _) = split(&cur);
                    cur = if parent.is_empty() { "/".to_owned() } else { parent };
                    depth += 1;
                    if seen.insert(cur.clone()) {
                        out.push(cur.clone());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(literal_prefix("^/etc/ssh/.*").as_deref(), Some("/etc/ssh/"));
        assert_eq!(literal_prefix(r"^/etc/ssh/sshd_config\.d/.*\.conf$").as_deref(), Some("/etc/ssh/sshd_config.d/"));
        assert_eq!(literal_prefix("^/etc/pam.d").as_deref(), Some("/etc/pam"));
        assert_eq!(literal_prefix("^/var/logs?/").as_deref(), Some("/var/log"));
        assert_eq!(literal_prefix("^/etc/(a|b)").as_deref(), Some("/etc/"));
        assert_eq!(literal_prefix("^/etc/a|^/var/b"), None);
        assert_eq!(literal_prefix("/etc/"), None);
        assert_eq!(pattern_literal(r"^/etc/os\-release$").as_deref(), Some("/etc/os-release"));
        assert_eq!(pattern_literal(r"^/etc/os.release$"), None);
        assert_eq!(split("/etc/passwd"), ("/etc".to_owned(), "passwd".to_owned()));
        assert_eq!(split("/etc"), ("/".to_owned(), "etc".to_owned()));
        assert_eq!(unescape_mount(r"/mnt/a\040b"), "/mnt/a b");
    }

    #[test]
    fn walks_prune_directories_that_cannot_hold_a_match() {
        let e = EntitySpec {
            name: "path".into(),
            operation: Operation::PatternMatch,
            values: vec!["^/tmp/support.+".into()],
            ..Default::default()
        };
        let p = prune_prefixes(&e).unwrap();
        assert_eq!(p, vec!["/tmp/support"]);
        assert!(may_hold(&p, "/tmp"));
        assert!(may_hold(&p, "/tmp/support"));
        assert!(may_hold(&p, "/tmp/support2/x"));
        assert!(!may_hold(&p, "/tmp/other"));
        assert!(!may_hold(&p, "/tmp/sup"));
        assert!(!may_hold(&p, "/var"));
        // no prefix for one value, or none satisfy: no pruning
        let mut e2 = e.clone();
        e2.values.push("support$".into());
        assert_eq!(prune_prefixes(&e2), None);
        let mut e3 = e.clone();
        e3.var_check = Check::NoneSatisfy;
        assert_eq!(prune_prefixes(&e3), None);
    }

    #[test]
    fn walk_starts_pick_the_prefix_directory() {
        let e = EntitySpec {
            name: "filepath".into(),
            operation: Operation::PatternMatch,
            values: vec!["^/etc/ssh/.*".into()],
            ..Default::default()
        };
        assert_eq!(walk_starts(&e), vec!["/etc/ssh"]);
        let e = EntitySpec {
            name: "filepath".into(),
            operation: Operation::PatternMatch,
            values: vec!["sshd_config$".into()],
            ..Default::default()
        };
        assert_eq!(walk_starts(&e), vec!["/"]);
        let e = EntitySpec {
            name: "path".into(),
            operation: Operation::PatternMatch,
            var_check: Check::AtLeastOne,
            values: vec!["^/etc/a/".into(), "^/etc/".into(), "^/usr/lib/x".into()],
            ..Default::default()
        };
        assert_eq!(walk_starts(&e), vec!["/etc", "/usr/lib"]);
    }
}
