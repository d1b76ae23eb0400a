//! `scapc build`: load, compile and emit every product of a content tree,
//! then write the outputs atomically. A product with errors writes nothing.

use crate::compile::{self, Compiled};
use crate::load::{self, Tree};
use crate::{codes, text};
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Diagnostics, Location};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The content tree.
    pub root: PathBuf,
    /// Where outputs go (default `<root>/build`).
    pub out_dir: PathBuf,
    /// Build only these products (all when empty).
    pub products: Vec<String>,
    /// Include SCE checks (not SCAP 1.3 conformant).
    pub sce: bool,
    /// Timestamp for every output; else SOURCE_DATE_EPOCH, else the newest
    /// source file's mtime.
    pub epoch: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct ProductOutput {
    pub product: String,
    pub files: Vec<(PathBuf, usize)>,
    pub rules: usize,
    pub groups: usize,
    pub values: usize,
    pub profiles: usize,
    pub oval_definitions: usize,
}

#[derive(Debug, Default)]
pub struct BuildReport {
    pub outputs: Vec<ProductOutput>,
    pub diagnostics: Diagnostics,
}

fn newest_mtime(tree: &Tree) -> i64 {
    let inputs = input_files(tree);
    tree.sources
        .stats(&inputs)
        .into_iter()
        .filter_map(|s| s?.mtime)
        .max()
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0))
}

/// Every source file of the tree that a build reads.
fn input_files(tree: &Tree) -> Vec<&Path> {
    [
        &tree.products,
        &tree.group_files,
        &tree.rule_files,
        &tree.value_files,
        &tree.profile_files,
        &tree.template_files,
        &tree.platform_files,
        &tree.macro_files,
    ]
    .iter()
    .flat_map(|l| l.iter().map(PathBuf::as_path))
    .collect()
}

/// Reads SOURCE_DATE_EPOCH, if set and valid.
pub fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse::<i64>().map(Some).map_err(|_| format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds"))
        }
        _ => Ok(None),
    }
}

/// Writes `data` to `path` atomically, readable by all (see
/// [`scapc_output::write_file`], the one implementation).
pub fn write_atomic(path: &Path, data: &[u8]) -> std::io::Result<()> {
    scapc_output::write_file(path, data, scapc_output::Mode::Public)
}

pub use crate::pipeline::emit::{emit, Emitted};

/// Loads and compiles every selected product, without writing anything.
pub fn compile_tree(opts: &BuildOptions) -> (Vec<Compiled>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if !opts.root.is_dir() {
        diags.push(
            Diagnostic::error(codes::IO, format!("the content tree `{}` is not a directory", opts.root.display()))
                .hint("run scapc in a content tree, or name the tree: `scapc build -C DIR`, `scapc lint DIR`"),
        );
        return (Vec::new(), diags);
    }
    let tree = load::discover(&opts.root);
    let (out, more) = compile_discovered(opts, &tree);
    diags.extend(more);
    (out, diags)
}

/// What every product of a tree shares before it is compiled: the
/// timestamp, the macro library and the products selected.
struct Prepared {
    timestamp: String,
    macros: Vec<(String, String)>,
    products: Vec<crate::model::Product>,
}

/// Reads the tree-level sources (macro library, product files) and picks
/// the products `opts` asks for. `None` when the tree has no product.
fn prepare(opts: &BuildOptions, tree: &Tree, diags: &mut Diagnostics) -> Option<Prepared> {
    if tree.products.is_empty() {
        diags.push(
            Diagnostic::error(
                codes::LAYOUT,
                format!("no product found: `{}` has no products/*/product.yml", opts.root.display()),
            )
            .at(Location::file(&opts.root))
            .hint("is this a content tree? name its top directory: `scapc build -C DIR`, `scapc lint DIR`"),
        );
        return None;
    }
    let epoch = opts.epoch.unwrap_or_else(|| newest_mtime(tree));
    let timestamp = text::iso_datetime(epoch);
    // Both read no rule, group, Value or profile: `build --watch` keeps
    // them until another source changes (the memo forgets them then).
    let (macros, mdiags) = match tree.macro_files.first() {
        Some(first) => tree.memo.derived_at("macros", "", first, (), || load::load_macros(tree)),
        None => load::load_macros(tree),
    };
    diags.extend(mdiags);
    let mut products = Vec::new();
    let mut known = Vec::new();
    // Each product file renders on its own: in parallel, kept in order
    // (and, in `build --watch`, kept until another source changes).
    let loaded: Vec<_> = tree
        .products
        .par_iter()
        .map(|p| tree.memo.derived_at("product", "", p, (), || load::load_product(tree, p)))
        .collect();
    for (prod, d) in loaded {
        diags.extend(d);
        if let Some(prod) = prod {
            known.push(prod.id.clone());
            if opts.products.is_empty() || opts.products.contains(&prod.id) {
                products.push(prod);
            }
        }
    }
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    for want in &opts.products {
        if !products.iter().any(|p| &p.id == want) {
            let close = scapc_diagnostics::suggest::closest(want, &known);
            let d = Diagnostic::error(codes::DANGLING, format!("no product `{want}` in products/"));
            let d = if close.is_empty() {
                d.hint(format!("the products are: {}", known.join(", ")))
            } else {
                d.hint(format!("did you mean `{}`?", close.join("`, `")))
            };
            diags.push(d.hint("check --product"));
        }
    }
    Some(Prepared { timestamp, macros, products })
}

/// Loads and compiles one product (the read, resolve and link phases).
fn compile_product(
    opts: &BuildOptions,
    tree: &Tree,
    macros: &[(String, String)],
    timestamp: &str,
    product: crate::model::Product,
) -> (Option<Compiled>, Vec<Diagnostic>) {
    let (read, mut d) = crate::pipeline::read::read(&opts.root, tree, macros, &product);
    let Some(read) = read else { return (None, d) };
    let (compiled, mut d2) =
        compile::compile_memo(product, read.content, &read.jinja, opts.sce, timestamp.to_owned(), &tree.memo);
    d.append(&mut d2);
    (Some(compiled), d)
}

/// [`compile_tree`] for a tree already discovered (`load::discover` of
/// `opts.root`), so that a caller who needs the file lists too (the
/// linter) walks the tree once.
pub fn compile_discovered(opts: &BuildOptions, tree: &Tree) -> (Vec<Compiled>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(prep) = prepare(opts, tree, &mut diags) else { return (Vec::new(), diags) };
    let results: Vec<(Option<Compiled>, Vec<Diagnostic>)> = prep
        .products
        .into_par_iter()
        .map(|product| compile_product(opts, tree, &prep.macros, &prep.timestamp, product))
        .collect();
    let mut out = Vec::new();
    for (c, d) in results {
        diags.extend(d);
        if let Some(c) = c {
            out.push(c);
        }
    }
    (out, diags)
}

/// What [`to_source`] needs of a compiled product: where its items and
/// OVAL come from. Built before the gate so that the model itself is
/// dropped before its data stream is validated (the gate's findings are
/// rare; the model is most of a product's memory).
struct Locator {
    /// `xccdf_<namespace>_`
    prefix: String,
    /// OVAL id -> (its fragment or template, the rule owning it); the rules'
    /// OVAL first, then the CPE OVAL, as [`to_source`] searched them.
    oval: HashMap<String, (Location, String)>,
    /// Rule id -> (file, identifiers (value, where)).
    rules: HashMap<String, (PathBuf, Vec<(String, Location)>)>,
    groups: HashMap<String, PathBuf>,
    values: HashMap<String, PathBuf>,
    profiles: HashMap<String, PathBuf>,
}

impl Locator {
    fn new(c: &Compiled) -> Locator {
        let mut oval = HashMap::new();
        for o in [&c.oval, &c.cpe_oval] {
            for it in o.items.values() {
                if let Some(id) = o.id(it.kind, &it.short) {
                    oval.entry(id.to_owned())
                        .or_insert_with(|| (Location { file: it.file.clone(), pos: Some(it.pos) }, it.owner.clone()));
                }
            }
        }
        let content = &c.content;
        let rules = content
            .rules
            .iter()
            .map(|(id, r)| {
                let idents = r.identifiers.iter().map(|i| (i.value.1.clone(), i.loc.clone())).collect();
                (id.clone(), (r.file.clone(), idents))
            })
            .collect();
        Locator {
            prefix: format!("xccdf_{}_", c.ns()),
            oval,
            rules,
            groups: content.groups.iter().map(|(k, g)| (k.clone(), g.file.clone())).collect(),
            values: content.values.iter().map(|(k, v)| (k.clone(), v.file.clone())).collect(),
            profiles: content.profiles.iter().map(|(k, p)| (k.clone(), p.file.clone())).collect(),
        }
    }
}

/// Points a finding about a generated data stream back at the source it
/// came from, when its element lies inside a rule, group, value or profile:
/// the source becomes the location and the generated place a related one.
fn to_source(c: &Locator, mut d: Diagnostic) -> Diagnostic {
    let Some(path) = d.hints.iter().find_map(|h| h.strip_prefix("element: ")).map(str::to_owned) else { return d };
    // An identifier of a rule, named in the message, is where to fix it.
    let named = |idents: &[(String, Location)]| {
        idents.iter().find(|(v, _)| d.message.contains(&format!("`{v}`"))).map(|(_, l)| l.clone())
    };
    // The innermost item on the path wins.
    let mut found: Option<Location> = None;
    for part in path.split('/') {
        let Some(id) = part.split_once("[@id='").and_then(|(_, r)| r.strip_suffix("']")) else { continue };
        if id.starts_with("oval:") {
            if let Some((loc, owner)) = c.oval.get(id) {
                // Else the fragment or template.
                let ident = c.rules.get(owner).and_then(|(_, idents)| named(idents));
                found = Some(ident.unwrap_or_else(|| loc.clone()));
            }
            continue;
        }
        let Some(rest) = id.strip_prefix(&c.prefix) else { continue };
        let loc = if let Some((file, idents)) = rest.strip_prefix("rule_").and_then(|r| c.rules.get(r)) {
            // An identifier named in the message points at its own line.
            named(idents).unwrap_or_else(|| Location::file(file))
        } else if let Some(file) = rest.strip_prefix("group_").and_then(|g| c.groups.get(g)) {
            Location::file(file)
        } else if let Some(file) = rest.strip_prefix("value_").and_then(|v| c.values.get(v)) {
            Location::file(file)
        } else if let Some(file) = rest.strip_prefix("profile_").and_then(|p| c.profiles.get(p)) {
            Location::file(file)
        } else {
            continue;
        };
        found = Some(loc);
    }
    if let Some(loc) = found {
        if let Some(generated) = d.location.take() {
            d = d.related(generated, "in the generated data stream (not written)");
        }
        d.location = Some(loc);
    }
    d
}

/// A check run on each data stream before anything is written (the CLI
/// plugs in the validator). It gets the path the stream will have and its
/// text, and returns findings; any error stops the product's outputs.
pub type Gate<'g> = &'g (dyn Fn(&Path, &str) -> Vec<Diagnostic> + Sync);

/// The whole build.
pub fn build(opts: &BuildOptions) -> BuildReport {
    build_gated(opts, None)
}

/// A last step on each data stream before the set is written (the CLI
/// plugs in signing and guides): it gets the stream's file name and text
/// and returns the text to write in its place plus more files for the set
/// (names relative to the output directory). An error stops the whole
/// write.
pub type Finish<'f> = &'f (dyn Fn(&str, String) -> Result<Finished, Diagnostic> + Sync);

/// What [`Finish`] returns: the stream's text and more files (name, bytes).
pub type Finished = (String, Vec<(String, Vec<u8>)>);

/// The whole build, with each data stream checked by `gate` before writing.
pub fn build_gated(opts: &BuildOptions, gate: Option<Gate<'_>>) -> BuildReport {
    build_finished(opts, gate, None)
}

/// [`build_gated`], each data stream passed through `finish` (signing,
/// guides) so that what it returns is written in the same all-or-nothing
/// set.
pub fn build_finished(opts: &BuildOptions, gate: Option<Gate<'_>>, finish: Option<Finish<'_>>) -> BuildReport {
    let tree = opts.root.is_dir().then(|| load::discover(&opts.root));
    build_discovered(opts, tree.as_ref(), gate, finish)
}

/// [`build_finished`] for a tree already discovered (`None` when the root
/// is not a directory), so that `build --watch` keeps its source cache
/// (`Tree::sources`) from one build to the next.
pub fn build_discovered(
    opts: &BuildOptions,
    tree: Option<&Tree>,
    gate: Option<Gate<'_>>,
    finish: Option<Finish<'_>>,
) -> BuildReport {
    build_discovered_as(opts, tree, gate, finish, Writing::Durable)
}

/// How a build writes its outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writing {
    /// Each file synced to the disk before it is renamed into place, and
    /// each model freed before the next step (`scapc build`).
    Durable,
    /// Renamed into place without waiting for the disk, and the models
    /// freed in the background: the rebuilds of `scapc build --watch`,
    /// which rewrite the same outputs again and again.
    Quick,
}

/// [`build_discovered`], writing as `writing` says.
pub fn build_discovered_as(
    opts: &BuildOptions,
    tree: Option<&Tree>,
    gate: Option<Gate<'_>>,
    finish: Option<Finish<'_>>,
    writing: Writing,
) -> BuildReport {
    let mut report = BuildReport::default();
    let mut diags = Diagnostics::new();
    // The tree's file lists are kept: no output may overwrite a source.
    let Some(tree) = tree else {
        let (_, d) = compile_tree(opts);
        report.diagnostics = d;
        return report;
    };
    let Some(prep) = prepare(opts, tree, &mut diags) else {
        report.diagnostics = diags;
        return report;
    };
    // Each product goes through every phase on its own (compile, emit,
    // gate, write) and nothing of it is kept: a product's compiled model
    // is dropped as soon as it is emitted and its documents once they are
    // checked and written, so a build of many products holds the products
    // in flight only, and one product's validation and writing overlap
    // the next one's compilation. Its files are written into the set as
    // the gate checks them; the set is put in place at the end, or, when
    // anything failed, dropped with nothing in place.
    let stager = Stager::new(&opts.out_dir, writing);
    let later: std::sync::Mutex<Vec<Compiled>> = std::sync::Mutex::new(Vec::new());
    // Products that render a source to the same text share its parse.
    tree.sources.share_parses(prep.products.len() > 1);
    tree.memo.share_texts(prep.products.len() > 1);
    let done: Vec<Done> = prep
        .products
        .into_par_iter()
        .map(|product| {
            let (c, mut d) = compile_product(opts, tree, &prep.macros, &prep.timestamp, product);
            let Some(c) = c else { return Done { output: None, diags: d, gated: Vec::new() } };
            let e = crate::pipeline::emit::emit_memo(&c, &mut d, &tree.memo);
            let po = ProductOutput {
                product: c.product.id.clone(),
                files: Vec::new(),
                rules: c.content.rules.len(),
                groups: c.content.groups.len(),
                values: c.content.values.len(),
                profiles: c.profiles.len(),
                oval_definitions: c.oval.items.keys().filter(|(k, _)| *k == crate::oval::Kind::Def).count(),
            };
            // The gate's findings count only when nothing else failed (they
            // are dropped below otherwise), so a product with errors of its
            // own is not checked at all.
            let own_errors = d.iter().any(|x| x.severity == scapc_diagnostics::Severity::Error);
            let gate = gate.filter(|_| !own_errors);
            let locator = gate.map(|_| Locator::new(&c));
            // The model is not needed any more: its memory is free for the
            // gate's.
            if writing == Writing::Quick && gate.is_none() {
                // Freed once the outputs are written, off the path to them.
                later.lock().unwrap_or_else(|e| e.into_inner()).push(c);
            } else {
                drop(c);
            }
            let check = || match (gate, locator) {
                (Some(gate), Some(locator)) => e
                    .files
                    .par_iter()
                    .filter(|(n, _)| n.ends_with("-ds.xml"))
                    .flat_map_iter(|(name, data)| gate(&opts.out_dir.join(name), data))
                    .map(|x| to_source(&locator, x))
                    .collect(),
                _ => Vec::new(),
            };
            let mut po = po;
            let (gated, mut staged) = if own_errors {
                (check(), Vec::new())
            } else {
                rayon::join(check, || stager.stage(&e.files, finish, &mut po.files))
            };
            d.append(&mut staged);
            Done { output: Some(po), diags: d, gated }
        })
        .collect();
    tree.sources.share_parses(false);
    tree.memo.share_texts(false);
    let mut outputs = Vec::new();
    let mut gated = Vec::new();
    for d in done {
        diags.extend(d.diags);
        gated.extend(d.gated);
        outputs.extend(d.output);
    }
    // The gate checks only what would be written: its findings are
    // reported when loading, compiling and emitting found no error.
    if !diags.has_errors() {
        diags.extend(gated);
    }
    if diags.has_errors() {
        diags.sort();
        report.diagnostics = diags;
        return report;
    }
    stager.commit(opts, tree, outputs, &mut report, &mut diags);
    let later = later.into_inner().unwrap_or_else(|e| e.into_inner());
    if !later.is_empty() {
        rayon::spawn(move || drop(later));
    }
    diags.sort();
    report.diagnostics = diags;
    report
}

/// One product through the build: its outputs (none when it could not be
/// compiled), what compiling and emitting it reported, and what the gate
/// found in its data stream.
struct Done {
    output: Option<ProductOutput>,
    diags: Vec<Diagnostic>,
    gated: Vec<Diagnostic>,
}

/// The build's outputs as one set, all or nothing: each product's files
/// written as soon as they are made into a temporary directory beside
/// their place (begun with the first product's), then renamed into place
/// at the end, each data stream last. Unchanged files keep their mtime.
struct Stager<'a> {
    dir: &'a Path,
    durable: bool,
    staged: std::sync::OnceLock<Result<scapc_output::Staged, Diagnostic>>,
}

impl<'a> Stager<'a> {
    fn new(dir: &'a Path, writing: Writing) -> Self {
        Stager { dir, durable: writing == Writing::Durable, staged: std::sync::OnceLock::new() }
    }

    fn how() -> scapc_output::SetOptions {
        scapc_output::SetOptions { overwrite: true, skip_unchanged: true }
    }

    /// Writes one product's `files` into the set (each data stream through
    /// `finish` first, with what it adds), recording each in `written`;
    /// returns what went wrong.
    fn stage(
        &self,
        files: &[(String, String)],
        finish: Option<Finish<'_>>,
        written: &mut Vec<(PathBuf, usize)>,
    ) -> Vec<Diagnostic> {
        let staged = self.staged.get_or_init(|| {
            scapc_output::Staged::begin(self.dir, &Self::how(), self.durable).map_err(|e| self.error(e))
        });
        // A set that could not be begun is reported once, by `commit`.
        let Ok(staged) = staged else { return Vec::new() };
        let mut add = |name: &str, data: &[u8], last: bool| -> Result<(), Diagnostic> {
            let f = scapc_output::FileRef { name, data, mode: scapc_output::Mode::Public };
            staged.add(f, last).map_err(|e| self.error(e))?;
            written.push((self.dir.join(name), data.len()));
            Ok(())
        };
        for (name, data) in files {
            let stream = name.ends_with("-ds.xml");
            let r = match finish.filter(|_| stream) {
                None => add(name, data.as_bytes(), stream),
                Some(f) => f(name, data.clone()).and_then(|(data, more)| {
                    for (n, d) in &more {
                        add(n, d, false)?;
                    }
                    add(name, data.as_bytes(), true)
                }),
            };
            if let Err(d) = r {
                return vec![d];
            }
        }
        Vec::new()
    }

    /// Puts the set in place, when no output is an input of `tree`; the
    /// report then lists `outputs`.
    fn commit(
        self,
        opts: &BuildOptions,
        tree: &Tree,
        outputs: Vec<ProductOutput>,
        report: &mut BuildReport,
        diags: &mut Diagnostics,
    ) {
        let staged = match self.staged.into_inner() {
            None => {
                report.outputs = outputs;
                return;
            }
            Some(Err(d)) => {
                diags.push(d);
                return;
            }
            Some(Ok(s)) => s,
        };
        let inputs = input_files(tree);
        let inodes: Vec<Option<(u64, u64)>> =
            tree.sources.stats(&inputs).into_iter().map(|s| s.map(|s| (s.dev, s.ino))).collect();
        let outs: Vec<&Path> = outputs.iter().flat_map(|po| po.files.iter().map(|(p, _)| p.as_path())).collect();
        if let Err(msg) = scapc_output::check_distinct_known(&inputs, &inodes, &outs) {
            diags.push(Diagnostic::error(codes::IO, msg).at_file(&opts.out_dir).hint("choose another --out directory"));
            return;
        }
        match staged.commit() {
            Ok(_) => report.outputs = outputs,
            Err(e) => diags.push(set_error(self.dir, e)),
        }
    }

    fn error(&self, e: scapc_output::SetError) -> Diagnostic {
        set_error(self.dir, e)
    }
}

/// A set that could not be written, as a diagnostic.
fn set_error(dir: &Path, e: scapc_output::SetError) -> Diagnostic {
    match e {
        scapc_output::SetError::Io { path, error } => {
            Diagnostic::error(codes::IO, format!("cannot write the outputs: {error}; nothing was written"))
                .at_file(&path)
        }
        scapc_output::SetError::Refused { ref name, .. } => {
            let at = dir.join(name);
            Diagnostic::error(codes::IO, format!("{e}; nothing was written")).at_file(at)
        }
    }
}
