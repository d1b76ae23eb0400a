//! Rebuilding after edits (`scapc build --watch`): a [`Session`] keeps the
//! discovered tree and its source cache from one build to the next, so a
//! rebuild reads only the files that changed, rediscovers the tree only
//! when files appeared or went away, and reuses per rule what earlier
//! builds derived from it ([`Memo`]): its load (rendered and parsed), its
//! resolution (templates and own files rendered) and, for a
//! ComplianceAsCode product, its fixes, template OVAL and OVAL, the
//! Values its check and fix files and its template's OVAL name (reused
//! while the product's Value ids are the same, [`Memo::shared_ids`]), and its
//! XCCDF `<Rule>` as written (reused only for equal inputs: what linking
//! made of the rule, the OVAL and OCIL ids it names); per file the load
//! of each group, Value, profile, template, platform and control file,
//! the macro library and the product files; each OVAL fragment's parse
//! (reused only for the same text); and each OVAL item's text as written
//! ([`Memo::written`], reused only for an equal item with the same ids).
//! Per CaC product, its linked OVAL ([`Memo::kept`]): reused while every
//! rule's OVAL and what linking reads of the rules are the same, and taken
//! in item by item when a rule's OVAL changed only in its text (a title
//! edit renders into the definition's metadata), as long as no link
//! outcome can change. Only what was
//! derived from a changed file (or from a file in a changed directory) is
//! derived again; a change that any rule may read (macros, templates,
//! product files) forgets everything. Emission runs as in a
//! full build, and `scapc_output::write_set` skips identical files, so
//! what a rebuild writes is byte for byte what `scapc build` of the
//! edited tree writes; a rebuild writes without waiting for the disk
//! ([`build::Writing::Quick`]), each file still renamed into place.

use crate::build::{self, BuildOptions, BuildReport, Finish, Gate};
use crate::load::{self, Tree};
use crate::model::Rule;
use crate::pipeline::resolve::RuleWork;
use scapc_diagnostics::Diagnostic;
use std::any::Any;
use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, RwLock};

type Loaded = (Option<Rule>, Vec<Diagnostic>);

/// Something derived from a rule (or a product), and the inputs it was
/// made from, by (kind, product, file).
type Derived = HashMap<(&'static str, String, OsString), Box<dyn Any + Send + Sync>, Hasher>;

/// The memo's maps are looked up thousands of times per rebuild, by keys
/// no one outside the process chooses: a fast hash.
type Hasher = foldhash::fast::RandomState;

/// A rule's own resolution, and the platform ids it was made with.
type Worked = (Vec<String>, RuleWork);

/// Rules as loaded by earlier builds, per product and `rule.yml`. A rule's
/// load reads only its own directory, rendered with the product's Jinja
/// (its properties and the macro library), so an entry stays good until a
/// file in its directory changes; any other change except a group, Value
/// or profile file (which no rule's load reads) forgets every entry, as
/// does a change of the tree's layout (a rule's group comes from it).
#[derive(Debug, Default)]
pub struct Memo {
    on: bool,
    rules: RwLock<HashMap<(String, OsString), Loaded, Hasher>>,
    /// Each rule's resolution (its templates and own files rendered, per
    /// product and `rule.yml`): it reads the rule, the templates, the
    /// product and the macro library, so it stays good exactly as long as
    /// the rule's entry in `rules` does, given the same platform ids.
    works: RwLock<HashMap<(String, OsString), Worked, Hasher>>,
    /// More of each rule's derived results, by kind (a CaC rule's fixes,
    /// its OVAL), per product and `rule.yml`, each with the inputs beyond
    /// the rule's own files it was made from (compared before reuse);
    /// forgotten as `works` is.
    derived: RwLock<Derived>,
    /// Texts written from one item of an output document (an OVAL item),
    /// by (document, item), each with what it was written from; reused
    /// only when that is equal again, so no edit makes one stale.
    written: RwLock<Written>,
    /// Parses that the products of one build share, by kind and text
    /// ([`Memo::by_text`]); kept only while [`Memo::share_texts`] is on.
    texts: RwLock<ByText>,
    sharing: std::sync::atomic::AtomicBool,
}

/// See [`Memo::by_text`].
type ByText = HashMap<&'static str, HashMap<Box<str>, Arc<dyn Any + Send + Sync>, Hasher>, Hasher>;

/// See [`Memo::written`].
type Written = HashMap<(String, String), Box<dyn Any + Send + Sync>, Hasher>;

impl Memo {
    /// A memo that keeps what it is given (`Memo::default()` keeps nothing).
    pub fn keeping() -> Self {
        Memo {
            on: true,
            rules: RwLock::default(),
            works: RwLock::default(),
            derived: RwLock::default(),
            written: RwLock::default(),
            texts: RwLock::default(),
            sharing: Default::default(),
        }
    }

    /// Whether the products of the build about to run share the parses
    /// of texts they render alike ([`Memo::by_text`]): on for a build of
    /// several products; off forgets them.
    pub fn share_texts(&self, on: bool) {
        self.sharing.store(on, std::sync::atomic::Ordering::Relaxed);
        if !on {
            self.texts.write().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// Whether [`Memo::by_text`] shares now ([`Memo::share_texts`]).
    pub(crate) fn sharing_texts(&self) -> bool {
        self.sharing.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What `make` parses from `text` (a `kind` of parse): made here, or
    /// shared with an earlier product of this build that had the same
    /// text (while [`Memo::share_texts`] is on; else always made).
    pub(crate) fn by_text<T: Any + Send + Sync>(
        &self,
        kind: &'static str,
        text: &str,
        make: impl FnOnce() -> T,
    ) -> Arc<T> {
        use std::sync::atomic::Ordering::Relaxed;
        if !self.sharing.load(Relaxed) {
            return Arc::new(make());
        }
        let found = self.texts.read().unwrap_or_else(|e| e.into_inner()).get(kind).and_then(|m| m.get(text).cloned());
        if let Some(v) = found.and_then(|v| v.downcast::<T>().ok()) {
            return v;
        }
        let v = Arc::new(make());
        let mut map = self.texts.write().unwrap_or_else(|e| e.into_inner());
        let kept = map.entry(kind).or_default().entry(Box::from(text)).or_insert_with(|| v.clone()).clone();
        kept.downcast::<T>().unwrap_or(v)
    }

    /// Whether this memo keeps anything (else inputs need not be made).
    pub(crate) fn keeps(&self) -> bool {
        self.on
    }

    /// What `make` derives from `rule` in `product`, besides the rule's
    /// own files, from `inputs`: from an earlier build when one made it
    /// from equal inputs, else made (and kept).
    pub(crate) fn derived<K, T>(
        &self,
        kind: &'static str,
        product: &str,
        rule: &Rule,
        inputs: K,
        make: impl FnOnce() -> T,
    ) -> T
    where
        K: PartialEq + Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
    {
        self.derived_at(kind, product, &rule.file, inputs, make)
    }

    /// [`Memo::derived`] for what is derived from no one rule (`file`,
    /// e.g. the product's, is what names it); any change of a source
    /// outside the rules' directories, but a group, Value or profile,
    /// forgets it.
    pub(crate) fn derived_at<K, T>(
        &self,
        kind: &'static str,
        product: &str,
        file: &Path,
        inputs: K,
        make: impl FnOnce() -> T,
    ) -> T
    where
        K: PartialEq + Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
    {
        if !self.on {
            return make();
        }
        let key = (kind, product.to_owned(), file.as_os_str().to_owned());
        if let Some(hit) = self.derived.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if let Some((k, v)) = hit.downcast_ref::<(K, T)>() {
                if *k == inputs {
                    return v.clone();
                }
            }
        }
        let v = make();
        self.derived.write().unwrap_or_else(|e| e.into_inner()).insert(key, Box::new((inputs, v.clone())));
        v
    }

    /// What [`Memo::keep`] kept under (`kind`, `product`, `file`), when
    /// `same` says it still holds, given what it was kept with (its
    /// inputs, or enough of them to check): for a result whose inputs are
    /// too many to copy and compare on every build.
    pub(crate) fn kept<I, T>(
        &self,
        kind: &'static str,
        product: &str,
        file: &Path,
        same: impl FnOnce(&I) -> bool,
    ) -> Option<T>
    where
        I: Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
    {
        if !self.on {
            return None;
        }
        let key = (kind, product.to_owned(), file.as_os_str().to_owned());
        // Out of the lock: `same` may ask the memo for more.
        let kept =
            self.derived.read().unwrap_or_else(|e| e.into_inner()).get(&key)?.downcast_ref::<Arc<(I, T)>>()?.clone();
        same(&kept.0).then(|| kept.1.clone())
    }

    /// Keeps `value`, made from `inputs`, for [`Memo::kept`]; forgotten
    /// as [`Memo::derived_at`] results are.
    pub(crate) fn keep<I, T>(&self, kind: &'static str, product: &str, file: &Path, inputs: I, value: T)
    where
        I: Send + Sync + 'static,
        T: Send + Sync + 'static,
    {
        if self.on {
            let key = (kind, product.to_owned(), file.as_os_str().to_owned());
            self.derived.write().unwrap_or_else(|e| e.into_inner()).insert(key, Box::new(Arc::new((inputs, value))));
        }
    }

    /// `ids` (e.g. a product's Value ids) as kept by an earlier build of
    /// `product` when they are equal, so that a per-rule memo keyed on
    /// them compares one pointer (`Arc`'s equality checks it first)
    /// instead of every id; `file` names them as in [`Memo::derived_at`].
    pub(crate) fn shared_ids(
        &self,
        kind: &'static str,
        product: &str,
        file: &Path,
        ids: Vec<String>,
    ) -> Arc<Vec<String>> {
        if !self.on {
            return Arc::new(ids);
        }
        let same = ids.clone();
        self.derived_at(kind, product, file, same, || Arc::new(ids))
    }

    /// The text of `item` of document `doc`: from an earlier build when
    /// what it was written from passes `same`, else written by `make`
    /// (which returns what it is written from, and the text) and kept.
    pub(crate) fn written<I, T>(
        &self,
        doc: &str,
        item: &str,
        same: impl FnOnce(&I) -> bool,
        make: impl FnOnce() -> (I, T),
    ) -> T
    where
        I: Send + Sync + 'static,
        T: Clone + Send + Sync + 'static,
    {
        if !self.on {
            return make().1;
        }
        let key = (doc.to_owned(), item.to_owned());
        if let Some(hit) = self.written.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if let Some((i, t)) = hit.downcast_ref::<(I, T)>() {
                if same(i) {
                    return t.clone();
                }
            }
        }
        let (i, t) = make();
        self.written.write().unwrap_or_else(|e| e.into_inner()).insert(key, Box::new((i, t.clone())));
        t
    }

    /// The resolution of `rule` in `product` with `platforms`, from an
    /// earlier build or by `work`.
    pub(crate) fn rule_work(
        &self,
        product: &str,
        rule: &Rule,
        platforms: Vec<String>,
        work: impl FnOnce(Vec<String>) -> RuleWork,
    ) -> RuleWork {
        if !self.on {
            return work(platforms);
        }
        let key = (product.to_owned(), rule.file.as_os_str().to_owned());
        if let Some((p, w)) = self.works.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if *p == platforms {
                return w.clone();
            }
        }
        let w = work(platforms.clone());
        self.works.write().unwrap_or_else(|e| e.into_inner()).insert(key, (platforms, w.clone()));
        w
    }

    /// Rule `path` of `product`, from an earlier build or by `load`.
    pub fn rule(&self, product: &str, path: &Path, load: impl FnOnce() -> Loaded) -> Loaded {
        if !self.on {
            return load();
        }
        let key = (product.to_owned(), path.as_os_str().to_owned());
        if let Some(hit) = self.rules.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return hit.clone();
        }
        let loaded = load();
        self.rules.write().unwrap_or_else(|e| e.into_inner()).insert(key, loaded.clone());
        loaded
    }

    /// Forgets what `change` may have made stale.
    fn forget(&self, change: &Change) {
        let mut rules = self.rules.write().unwrap_or_else(|e| e.into_inner());
        let mut works = self.works.write().unwrap_or_else(|e| e.into_inner());
        let mut derived = self.derived.write().unwrap_or_else(|e| e.into_inner());
        let in_rule = |p: &Path| rules.keys().any(|(_, r)| Path::new(r).parent().is_some_and(|d| p.starts_with(d)));
        let unread_by_rules = |p: &Path| {
            p.file_name().is_some_and(|n| n == "group.yml")
                || p.extension().is_some_and(|e| e == "var" || e == "profile")
        };
        if change.layout || change.paths.iter().any(|p| !in_rule(p) && !unread_by_rules(p)) {
            rules.clear();
            works.clear();
            derived.clear();
            // Never stale, but what a new layout or macro library leaves
            // unused would stay forever.
            self.written.write().unwrap_or_else(|e| e.into_inner()).clear();
            return;
        }
        let untouched = |r: &OsString| {
            let dir = Path::new(r).parent().unwrap_or(Path::new(""));
            !change.paths.iter().any(|p| p.starts_with(dir))
        };
        rules.retain(|(_, r), _| untouched(r));
        works.retain(|(_, r), _| untouched(r));
        derived.retain(|(_, _, r), _| untouched(r));
    }
}

/// What one batch of file-system events means for the build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Sources that changed, were created or removed, as the tree names
    /// them (relative to the working directory when the root is).
    pub paths: Vec<PathBuf>,
    /// Whether files or directories appeared, went away or were renamed:
    /// the tree is then discovered anew.
    pub layout: bool,
}

/// A tree built again and again, keeping what did not change.
pub struct Session {
    opts: BuildOptions,
    /// The root and the output directory as absolute paths, to read event
    /// paths (which the watcher reports absolute).
    abs_root: PathBuf,
    abs_out: PathBuf,
    tree: Option<Tree>,
    /// Whether a build ran: the later ones write without waiting for the
    /// disk ([`build::Writing::Quick`]).
    built: bool,
}

impl Session {
    pub fn new(opts: BuildOptions) -> Self {
        let abs = |p: &Path| {
            let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if p.is_absolute() {
                p
            } else {
                std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
            }
        };
        let abs_root = abs(&opts.root);
        // The output directory may not exist yet: resolve its parent.
        let abs_out = match (opts.out_dir.parent(), opts.out_dir.file_name()) {
            (Some(parent), Some(name)) => {
                abs(if parent.as_os_str().is_empty() { Path::new(".") } else { parent }).join(name)
            }
            _ => abs(&opts.out_dir),
        };
        Session { opts, abs_root, abs_out, tree: None, built: false }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// The root as an absolute path (what to watch).
    pub fn root(&self) -> &Path {
        &self.abs_root
    }

    /// The source a watcher's absolute `path` stands for, as the tree names
    /// it; `None` for what no build reads: the output directory, hidden
    /// names (editor swap files, scapc's own temporaries), backups (`~`),
    /// Emacs lock and autosave files, and places outside the tree.
    pub fn source_path(&self, path: &Path) -> Option<PathBuf> {
        if path.starts_with(&self.abs_out) {
            return None;
        }
        let rel = path.strip_prefix(&self.abs_root).ok()?;
        let ignored = |c: Component<'_>| {
            let Component::Normal(n) = c else { return false };
            let n = n.to_string_lossy();
            n.starts_with('.') || n.starts_with('#') || n.ends_with('~') || n.ends_with(".swp") || n == "4913"
        };
        if rel.components().any(ignored) {
            return None;
        }
        let root = &self.opts.root;
        Some(if root == Path::new(".") || root.as_os_str().is_empty() { rel.to_path_buf() } else { root.join(rel) })
    }

    /// Forgets the changed sources (and, when the layout changed, the
    /// discovered file lists) so that the next [`Session::build`] reads
    /// them anew.
    pub fn apply(&mut self, change: &Change) {
        let Some(tree) = &self.tree else { return };
        let change = &Change { paths: change.paths.clone(), layout: change.layout && needs_discovery(tree, change) };
        tree.sources.invalidate(&change.paths);
        tree.memo.forget(change);
        if change.layout {
            let mut fresh = load::discover(&self.opts.root);
            fresh.sources = tree.sources.clone();
            fresh.memo = tree.memo.clone();
            self.tree = Some(fresh);
        }
    }

    /// Builds the tree as `build::build_finished` does, reusing every
    /// source read before and not changed since.
    pub fn build(&mut self, gate: Option<Gate<'_>>, finish: Option<Finish<'_>>) -> BuildReport {
        if self.tree.is_none() && self.opts.root.is_dir() {
            let mut tree = load::discover(&self.opts.root);
            tree.memo = std::sync::Arc::new(Memo::keeping());
            self.tree = Some(tree);
        }
        let writing = if self.built { build::Writing::Quick } else { build::Writing::Durable };
        self.built = true;
        build::build_discovered_as(&self.opts, self.tree.as_ref(), gate, finish, writing)
    }
}

/// Whether files came or went that discovery lists: anything but files
/// discovery already lists (saved by renaming a temporary over them, as
/// editors do) and files inside a known rule's directory other than those
/// discovery looks for (a rule's checks and fixes are found when the rule
/// is loaded again).
fn needs_discovery(tree: &Tree, change: &Change) -> bool {
    let listed = [
        &tree.products,
        &tree.group_files,
        &tree.rule_files,
        &tree.value_files,
        &tree.profile_files,
        &tree.template_files,
        &tree.platform_files,
        &tree.macro_files,
        &tree.control_files,
        &tree.property_files,
    ];
    let discovered = |p: &Path| {
        p.file_name().is_some_and(|n| n == "rule.yml" || n == "group.yml")
            || p.extension().is_some_and(|e| e == "var" || e == "profile")
    };
    let in_rule = |p: &Path| tree.rule_files.iter().any(|r| r.parent().is_some_and(|d| p.starts_with(d) && p != d));
    // What a rule's load finds in its own directory (checks, fixes, tests).
    let rule_local = |p: &Path| in_rule(p) && !discovered(p);
    let is_listed = |p: &Path| listed.iter().any(|l| l.binary_search_by(|x| x.as_path().cmp(p)).is_ok());
    change.paths.iter().any(|p| match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_file() => !(is_listed(p) || rule_local(p)),
        Ok(_) => true,
        Err(_) => !rule_local(p),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(root: &str, out: &str) -> Session {
        Session::new(BuildOptions {
            root: root.into(),
            out_dir: out.into(),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        })
    }

    #[test]
    fn event_paths_map_to_tree_paths_and_ignore_outputs_and_temporaries() {
        let dir = std::env::temp_dir().join(format!("scapc-incr-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("rules")).unwrap();
        let root = std::fs::canonicalize(&dir).unwrap();
        let s = session(root.to_str().unwrap(), root.join("build").to_str().unwrap());
        let rule = root.join("rules/a/rule.yml");
        assert_eq!(s.source_path(&rule), Some(rule.clone()));
        assert_eq!(s.source_path(&root.join("build/x-ds.xml")), None);
        assert_eq!(s.source_path(&root.join("rules/a/.rule.yml.swp")), None);
        assert_eq!(s.source_path(&root.join("rules/a/rule.yml~")), None);
        assert_eq!(s.source_path(&root.join("rules/a/.scapc-tmp-1-x")), None);
        assert_eq!(s.source_path(Path::new("/elsewhere/rule.yml")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn memo_with(rules: &[&str]) -> Memo {
        let m = Memo::keeping();
        for r in rules {
            m.rule("p", Path::new(r), || (None, Vec::new()));
        }
        m
    }

    fn kept(m: &Memo) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = m.rules.read().unwrap().keys().map(|(_, p)| PathBuf::from(p)).collect();
        v.sort();
        v
    }

    #[test]
    fn memo_forgets_the_edited_rule_or_everything() {
        let all = ["t/rules/a/rule.yml", "t/rules/b/rule.yml"];
        let change = |p: &str, layout: bool| Change { paths: vec![PathBuf::from(p)], layout };
        // An edit inside a rule's directory forgets that rule only.
        let m = memo_with(&all);
        m.forget(&change("t/rules/a/bash/shared.sh", false));
        assert_eq!(kept(&m), vec![PathBuf::from("t/rules/b/rule.yml")]);
        // Files no rule's load reads forget nothing.
        let m = memo_with(&all);
        m.forget(&change("t/rules/group.yml", false));
        m.forget(&change("t/profiles/x.profile", false));
        assert_eq!(kept(&m).len(), 2);
        // Macros, products and a new layout forget everything.
        for c in
            [change("t/macros/m.jinja", false), change("t/products/p/product.yml", false), change("t/rules/c", true)]
        {
            let m = memo_with(&all);
            m.forget(&c);
            assert!(kept(&m).is_empty(), "{c:?}");
        }
        // A memo that is off loads every time and keeps nothing.
        let off = Memo::default();
        off.rule("p", Path::new("t/rules/a/rule.yml"), || (None, Vec::new()));
        assert!(kept(&off).is_empty());
    }

    #[test]
    fn derived_results_are_reused_for_equal_inputs_and_forgotten_with_their_rule() {
        // (`Memo::derived` is this for the rule's `rule.yml`.)
        let (a, b) = (PathBuf::from("t/rules/a/rule.yml"), PathBuf::from("t/rules/b/rule.yml"));
        let m = Memo::keeping();
        let made = std::cell::Cell::new(0);
        let get = |m: &Memo, r: &PathBuf, input: u32| {
            m.derived_at("k", "p", r, input, || {
                made.set(made.get() + 1);
                format!("{}:{input}", r.display())
            })
        };
        assert_eq!(get(&m, &a, 1), "t/rules/a/rule.yml:1");
        get(&m, &b, 1);
        assert_eq!(made.get(), 2);
        // Equal inputs: kept; other inputs: made again.
        assert_eq!(get(&m, &a, 1), "t/rules/a/rule.yml:1");
        assert_eq!(made.get(), 2);
        assert_eq!(get(&m, &a, 2), "t/rules/a/rule.yml:2");
        assert_eq!(made.get(), 3);
        // An edit in a's directory forgets a's only; a group keeps both.
        let change = |p: &str| Change { paths: vec![PathBuf::from(p)], layout: false };
        m.rule("p", &a, || (None, Vec::new()));
        m.rule("p", &b, || (None, Vec::new()));
        m.forget(&change("t/rules/group.yml"));
        get(&m, &a, 2);
        get(&m, &b, 1);
        assert_eq!(made.get(), 3);
        m.forget(&change("t/rules/a/oval/shared.xml"));
        get(&m, &a, 2);
        get(&m, &b, 1);
        assert_eq!(made.get(), 4);
        // A macro forgets everything.
        m.forget(&change("t/macros/m.jinja"));
        get(&m, &b, 1);
        assert_eq!(made.get(), 5);
        // Off: made every time.
        let off = Memo::default();
        get(&off, &a, 1);
        get(&off, &a, 1);
        assert_eq!(made.get(), 7);
    }

    #[test]
    fn written_texts_are_reused_only_when_their_source_is_the_same() {
        let m = Memo::keeping();
        let made = std::cell::Cell::new(0);
        let text = |m: &Memo, item: &str, from: u32| {
            m.written(
                "p/oval",
                item,
                |f: &u32| *f == from,
                || {
                    made.set(made.get() + 1);
                    (from, format!("{item}={from}"))
                },
            )
        };
        assert_eq!(text(&m, "def:a", 1), "def:a=1");
        assert_eq!(text(&m, "def:a", 1), "def:a=1");
        assert_eq!(made.get(), 1);
        // Written from something else: written again, and that is kept.
        assert_eq!(text(&m, "def:a", 2), "def:a=2");
        assert_eq!(text(&m, "def:a", 2), "def:a=2");
        assert_eq!(made.get(), 2);
        // A rule's edit keeps them (they are checked, not forgotten)...
        m.rule("p", Path::new("t/rules/a/rule.yml"), || (None, Vec::new()));
        m.forget(&Change { paths: vec![PathBuf::from("t/rules/a/rule.yml")], layout: false });
        text(&m, "def:a", 2);
        assert_eq!(made.get(), 2);
        // ...a macro's edit clears them; a memo that is off keeps nothing.
        m.forget(&Change { paths: vec![PathBuf::from("t/macros/m.jinja")], layout: false });
        text(&m, "def:a", 2);
        assert_eq!(made.get(), 3);
        let off = Memo::default();
        text(&off, "def:a", 1);
        text(&off, "def:a", 1);
        assert_eq!(made.get(), 5);
    }
}
