//! Loading: find the files of a content tree, render and parse them in
//! parallel, and build the [`Content`] model for one product. One loader
//! for both layouts: scapc's (`rules/`, `profiles/` beside `products/`)
//! and ComplianceAsCode's (a product names its `benchmark_root` and
//! `profiles_root`; `product_properties/`, `controls/`, `shared/macros`).
//!
//! Invariant: loading never stops at the first problem. Every loader
//! returns what it could read plus diagnostics; a broken file yields no
//! item but does not hide errors in the others.

use crate::codes;
use crate::jinja::{Jinja, RenderError};
use crate::model::*;
use crate::source::{Cache, Doc, Fields, LineMap};
use crate::yaml::{Node, Value};
use minijinja::Value as JValue;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files of a content tree, sorted.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    pub root: PathBuf,
    pub products: Vec<PathBuf>,
    pub group_files: Vec<PathBuf>,
    pub rule_files: Vec<PathBuf>,
    pub value_files: Vec<PathBuf>,
    pub profile_files: Vec<PathBuf>,
    pub template_files: Vec<PathBuf>,
    pub platform_files: Vec<PathBuf>,
    pub macro_files: Vec<PathBuf>,
    /// Policies: `controls/*.yml` and `products/<p>/controls/*.yml`.
    pub control_files: Vec<PathBuf>,
    /// CaC's `product_properties/*.yml`, evaluated into every product.
    pub property_files: Vec<PathBuf>,
    /// Every file and directory listing loading reads, read once for all
    /// products (and the linter).
    pub sources: std::sync::Arc<Cache>,
    /// Rules loaded by earlier builds of a `build --watch` session (off,
    /// and empty, in every other build).
    pub memo: std::sync::Arc<crate::incremental::Memo>,
}

/// Where one product's sources are, from its `product.yml`.
#[derive(Debug, Clone)]
pub struct ProductRoots {
    pub layout: Layout,
    pub benchmark: PathBuf,
    pub profiles: PathBuf,
}

/// Joins `rel` to `base` and removes `.` and `..` lexically, so that paths
/// in diagnostics stay relative and readable (`linux_os/guide/...`).
pub fn join_normalized(base: &Path, rel: &str) -> PathBuf {
    let joined = base.join(rel);
    let mut out: Vec<std::path::Component> = Vec::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir if matches!(out.last(), Some(std::path::Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Reads `benchmark_root` and `profiles_root` of a product file. A product
/// that names a `benchmark_root` is laid out as in ComplianceAsCode.
/// Problems in the file are reported by [`load_product`], not here.
pub fn product_roots(root: &Path, product_file: &Path) -> ProductRoots {
    let dir = product_file.parent().unwrap_or(Path::new(""));
    let node = std::fs::read_to_string(product_file).ok().and_then(|t| crate::yaml::parse(&t).ok());
    let key = |k: &str| -> Option<String> {
        let n = node.as_ref()?;
        n.as_map()?.iter().find(|(key, _)| key.as_str() == Some(k)).and_then(|(_, v)| v.as_str().map(str::to_owned))
    };
    match key("benchmark_root") {
        Some(b) => ProductRoots {
            layout: Layout::Cac,
            benchmark: join_normalized(dir, &b),
            profiles: join_normalized(dir, &key("profiles_root").unwrap_or_else(|| "./profiles".into())),
        },
        None => ProductRoots {
            layout: Layout::Scapc,
            benchmark: root.join("rules"),
            profiles: match key("profiles_root") {
                Some(p) => join_normalized(dir, &p),
                None => root.join("profiles"),
            },
        },
    }
}

fn walk(dir: &Path, keep: impl FnMut(&Path) -> bool + Send + Sync) -> Vec<PathBuf> {
    walk_with(dir, false, keep)
}

/// [`walk`]; with `cac`, as ComplianceAsCode's loader descends a
/// benchmark: not into a rule's directory (one holding `rule.yml`: its
/// checks, fixes and tests are read with the rule) nor into `tests`.
fn walk_with(dir: &Path, cac: bool, mut keep: impl FnMut(&Path) -> bool + Send + Sync) -> Vec<PathBuf> {
    let probe = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    if !probe.is_dir() {
        return Vec::new();
    }
    let out = Mutex::new(Vec::new());
    let keep = Mutex::new(&mut keep);
    ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(move |e| {
            !(cac
                && e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && (e.file_name() == "tests" || e.path().parent().is_some_and(|p| p.join("rule.yml").exists())))
        })
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if let Ok(e) = entry {
                    // Whatever bears a source's name is kept, regular or
                    // not (a directory, a FIFO, a link to a device): reading
                    // it (`source::read`) reports it at its path.
                    if e.depth() > 0 && (keep.lock().unwrap())(e.path()) {
                        out.lock().unwrap().push(e.into_path());
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut v: Vec<PathBuf> = out
        .into_inner()
        .unwrap()
        .into_iter()
        // `scapc build -C .` reports `rules/x/rule.yml`, not `./rules/...`.
        .map(|p| p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    v.sort();
    v
}

/// The entries of `dir` itself (not below it) that `keep` keeps, as
/// [`walk`] would list them at depth 1 (hidden names left out), sorted,
/// without starting a walker.
fn top_level(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let probe = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    let Ok(rd) = std::fs::read_dir(probe) else { return Vec::new() };
    let mut v: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().as_encoded_bytes().starts_with(b"."))
        .map(|e| dir.join(e.file_name()))
        .map(|p| p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
        .filter(|p| keep(p))
        .collect();
    v.sort();
    v
}

fn ext_is(p: &Path, ext: &str) -> bool {
    p.extension().is_some_and(|e| e == ext)
}

/// Finds every source file under `root`.
pub fn discover(root: &Path) -> Tree {
    let root = if root == Path::new(".") { Path::new("") } else { root };
    let mut t = Tree { root: root.to_path_buf(), ..Default::default() };
    t.products = walk(&root.join("products"), |p| p.file_name().is_some_and(|n| n == "product.yml"));
    let roots: Vec<ProductRoots> = t.products.iter().map(|p| product_roots(root, p)).collect();
    // Each benchmark root is walked once, however many products share it.
    let mut bench_dirs: Vec<(PathBuf, Layout)> = roots.iter().map(|r| (r.benchmark.clone(), r.layout)).collect();
    if roots.is_empty() {
        bench_dirs.push((root.join("rules"), Layout::Scapc));
    }
    bench_dirs.sort();
    bench_dirs.dedup();
    let mut all_rules = Vec::new();
    for (dir, layout) in &bench_dirs {
        all_rules.extend(walk_with(dir, *layout == Layout::Cac, |p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n == "group.yml" || n == "rule.yml" || ext_is(p, "var")
        }));
    }
    all_rules.sort();
    all_rules.dedup();
    for p in all_rules {
        match p.file_name().and_then(|n| n.to_str()) {
            Some("group.yml") => t.group_files.push(p),
            Some("rule.yml") => t.rule_files.push(p),
            _ => t.value_files.push(p),
        }
    }
    let mut profile_dirs: Vec<(PathBuf, Layout)> = roots.iter().map(|r| (r.profiles.clone(), r.layout)).collect();
    profile_dirs.push((root.join("profiles"), Layout::Scapc));
    profile_dirs.sort();
    profile_dirs.dedup();
    for (dir, layout) in profile_dirs {
        // CaC reads only the files directly in profiles_root.
        t.profile_files.extend(match layout {
            Layout::Scapc => walk(&dir, |p| ext_is(p, "profile")),
            Layout::Cac => top_level(&dir, |p| ext_is(p, "profile")),
        });
    }
    t.profile_files.sort();
    t.profile_files.dedup();
    t.template_files = walk(&root.join("templates"), |p| p.file_name().is_some_and(|n| n == "template.yml"));
    t.platform_files = walk(&root.join("applicability"), |p| ext_is(p, "yml"));
    t.macro_files = walk(&root.join("macros"), |p| ext_is(p, "jinja"));
    // CaC keeps its macro library in shared/macros.
    t.macro_files.extend(walk(&root.join("shared").join("macros"), |p| ext_is(p, "jinja")));
    let top_level_yml = |dir: &Path| -> Vec<PathBuf> { top_level(dir, |p| ext_is(p, "yml")) };
    t.control_files = top_level_yml(&root.join("controls"));
    for p in &t.products {
        if let Some(d) = p.parent() {
            t.control_files.extend(top_level_yml(&d.join("controls")));
        }
    }
    t.property_files = top_level_yml(&root.join("product_properties"));
    t
}

fn stem(p: &Path) -> String {
    p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned()
}

fn dir_name(p: &Path) -> String {
    p.parent().and_then(|d| d.file_name()).and_then(|s| s.to_str()).unwrap_or_default().to_owned()
}

/// Checks an id against `[a-z0-9_]+` (rules and values also allow
/// upper-case and digits-first; nothing allows `-` or spaces).
fn check_id(id: &str, what: &str, file: &Path, diags: &mut Vec<Diagnostic>) -> bool {
    let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        diags.push(
            Diagnostic::error(codes::BAD_VALUE, format!("`{id}` is not a valid {what} id"))
                .at_file(file)
                .hint(format!("{what} ids use letters, digits, `_` and `-` only; rename the file or directory")),
        );
    }
    ok
}

fn jinja_error(file: &Path, e: &RenderError, rule: Option<&str>) -> Diagnostic {
    let (loc_file, related) = match &e.in_template {
        Some(t) if !t.starts_with('<') => (PathBuf::from(t), Some(file.to_path_buf())),
        _ => (file.to_path_buf(), None),
    };
    let loc = match e.line {
        Some(l) => Location::at(loc_file, l, e.col.unwrap_or(1)),
        None => Location::file(loc_file),
    };
    let mut msg = e.message.clone();
    if let Some(r) = rule {
        msg.push_str(&format!(" (while rendering for rule `{r}`)"));
    }
    let mut d = Diagnostic::error(codes::JINJA, msg).at(loc);
    if let Some(r) = related {
        d = d.related(Location::file(r), "rendered from here");
    }
    if e.message.contains("undefined") {
        d = d.hint("define the variable, pass it as a template parameter, or guard it with `is defined`");
    }
    d
}

/// Reads, renders and parses one YAML source. Returns the root node and the
/// doc (for positions and diagnostics).
pub(crate) fn read_yaml<'p>(
    cache: &Cache,
    path: &Path,
    jinja: &Jinja,
    ctx: &BTreeMap<String, JValue>,
    product: &'p str,
) -> (Option<crate::source::ParsedYaml>, Doc<'p>) {
    let mut doc = Doc::new(path, LineMap::identity(), product);
    let src = match cache.read(path) {
        Ok(s) => s,
        Err(d) => {
            doc.diags.push(d);
            return (None, doc);
        }
    };
    let rendered = match jinja.render(&path.display().to_string(), &src, ctx) {
        Ok(r) => r,
        Err(e) => {
            doc.diags.push(jinja_error(path, &e, ctx.get("rule_id").and_then(|v| v.as_str())));
            return (None, doc);
        }
    };
    let parsed = cache.parse(path, &src, rendered);
    doc.lines = parsed.lines.clone();
    if let Err(e) = &parsed.yaml {
        doc.yaml_error(e);
    }
    (crate::source::ParsedYaml::new(parsed), doc)
}

/// Properties CaC's build gives every product that does not set them
/// (ssg/products.py `_get_implied_properties`, ssg/constants.py), so that
/// Jinja in the sources sees the same variables.
const IMPLIED_PROPERTIES: &[(&str, &str)] = &[
    ("dconf_gdm_dir", "gdm.d"),
    ("aide_conf_path", "/etc/aide.conf"),
    ("aide_bin_path", "/usr/sbin/aide"),
    ("audit_watches_style", "legacy"),
    ("rsyslog_cafile", "/etc/pki/tls/cert.pem"),
    ("sshd_distributed_config", "false"),
    ("sshd_runtime_check", "false"),
    ("sshd_main_config_file", "/etc/ssh/sshd_config"),
    ("sshd_config_dir", "/etc/ssh/sshd_config.d"),
    ("sshd_hardening_config_basename", "00-complianceascode-hardening.conf"),
    ("sshd_sysconfig_file", "/etc/sysconfig/sshd"),
    ("ssh_client_main_config_file", "/etc/ssh/ssh_config"),
    ("ssh_client_config_dir", "/etc/ssh/ssh_config.d"),
    ("openssh_client_crypto_policy_config_file", "/etc/crypto-policies/back-ends/openssh.config"),
    ("openssh_server_crypto_policy_config_file", "/etc/crypto-policies/back-ends/opensshserver.config"),
    ("chrony_conf_path", "/etc/chrony.conf"),
    ("chrony_d_path", "/etc/chrony.d/"),
    ("audisp_conf_path", "/etc/audit"),
    ("faillock_path", "/var/run/faillock"),
    ("sysctl_remediate_drop_in_file", "false"),
    ("bootable_containers_supported", "false"),
];

/// Reference schemes every CaC product knows, with their URIs; a
/// product's `reference_uris` adds to and overrides them.
pub const CAC_REFERENCE_URIS: &[(&str, &str)] = &[
    ("anssi", "https://cyber.gouv.fr/sites/default/files/document/linux_configuration-en-v2.pdf"),
    ("bsi", "https://www.bsi.bund.de/SharedDocs/Downloads/EN/BSI/Grundschutz/International/bsi_it_gs_comp_2022.pdf"),
    ("nist", "http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-53r4.pdf"),
    ("nist-csf", "https://nvlpubs.nist.gov/nistpubs/CSWP/NIST.CSWP.04162018.pdf"),
    ("isa-62443-2013", "https://www.isa.org/products/ansi-isa-62443-3-3-99-03-03-2013-security-for-indu"),
    ("isa-62443-2009", "https://www.isa.org/products/isa-62443-2-1-2009-security-for-industrial-automat"),
    ("cobit5", "https://www.isaca.org/resources/cobit"),
    ("cis-csc", "https://www.cisecurity.org/controls/"),
    ("cjis", "https://www.fbi.gov/file-repository/cjis-security-policy-v5_5_20160601-2-1.pdf"),
    ("cui", "http://nvlpubs.nist.gov/nistpubs/SpecialPublications/NIST.SP.800-171.pdf"),
    ("dcid", "not_officially_available"),
    ("disa", "https://www.cyber.mil/stigs/cci/"),
    ("pcidss", "https://www.pcisecuritystandards.org/documents/PCI_DSS_v3-2-1.pdf"),
    ("pcidss4", "https://docs-prv.pcisecuritystandards.org/PCI%20DSS/Standard/PCI-DSS-v4_0.pdf"),
    ("ospp", "https://www.niap-ccevs.org/Profile/PP.cfm"),
    ("hipaa", "https://www.gpo.gov/fdsys/pkg/CFR-2007-title45-vol1/pdf/CFR-2007-title45-vol1-chapA-subchapC.pdf"),
    ("ism", "https://www.cyber.gov.au/acsc/view-all-content/ism"),
    ("iso27001-2013", "https://www.iso.org/contents/data/standard/05/45/54534.html"),
    ("nerc-cip", "https://www.nerc.com/standards/reliability-standards/cip"),
    ("stigid", "https://www.cyber.mil/stigs/downloads/?_dl_facet_stigs=operating-systems%2Cunix-linux"),
    ("os-srg", "https://www.cyber.mil/stigs/downloads/?_dl_facet_stigs=operating-systems%2Cgeneral-purpose-os"),
    ("app-srg", "https://www.cyber.mil/stigs/downloads/?_dl_facet_stigs=application-servers"),
    ("app-srg-ctr", "https://www.cyber.mil/stigs/downloads/?_dl_facet_stigs=app-security"),
    ("stigref", "https://www.cyber.mil/stigs/srg-stig-tools/"),
    ("stigref_vulnerability_id", "https://www.cyber.mil/stigs/srg-stig-tools#vulnerability_id"),
];

/// The version CaC's build gives the benchmark (`ssg_version_str`) when
/// the product names none and the tree has no `CMakeLists.txt` to take it
/// from (the reference tarball has none): the CaC release this
/// compatibility follows.
pub const CAC_VERSION: &str = "0.1.83";

/// Adds the implied properties and evaluates `product_properties/*.yml`
/// (Jinja with the product's variables, then `default:` and `overrides:`
/// merged) into the product's variables, as CaC's build does.
fn add_properties(tree: &Tree, vars: &mut BTreeMap<String, serde_json::Value>, diags: &mut Vec<Diagnostic>) {
    use serde_json::Value as J;
    for (k, v) in IMPLIED_PROPERTIES {
        vars.entry((*k).to_owned()).or_insert_with(|| J::String((*v).to_owned()));
    }
    if let Some(pm) = vars.get("pkg_manager").and_then(|v| v.as_str()).map(str::to_owned) {
        let system = match pm.as_str() {
            "yum" | "zypper" | "dnf" => Some("rpm"),
            "apt_get" => Some("dpkg"),
            _ => None,
        };
        if let Some(s) = system {
            vars.entry("pkg_system".into()).or_insert_with(|| J::String(s.into()));
        }
        let conf = match pm.as_str() {
            "yum" => Some("/etc/yum.conf"),
            "dnf" => Some("/etc/dnf/dnf.conf"),
            "zypper" => Some("/etc/zypp/zypper.conf"),
            _ => None,
        };
        if let Some(c) = conf {
            vars.entry("pkg_manager_config_file".into()).or_insert_with(|| J::String(c.into()));
        }
    }
    if let Some(main) = vars.get("sshd_main_config_file").and_then(|v| v.as_str()).map(str::to_owned) {
        let base = Path::new(&main).parent().map(|p| p.display().to_string()).unwrap_or_default();
        vars.entry("sshd_config_base_dir".into()).or_insert(J::String(base));
    }
    let packages = crate::jinja::cac::platform_packages(vars.get("platform_package_overrides"));
    vars.insert("platform_package_overrides".into(), packages);
    vars.entry("groups".into()).or_insert_with(|| J::Object(Default::default()));
    vars.entry("xwindows_packages".into()).or_insert_with(|| {
        J::Array(
            ["xorg-x11-server-Xorg", "xorg-x11-server-common", "xorg-x11-server-utils", "xorg-x11-server-Xwayland"]
                .iter()
                .map(|s| J::String((*s).into()))
                .collect(),
        )
    });
    vars.entry("ssg_version_str".into()).or_insert_with(|| {
        J::String(cmake_version(&tree.root.join("CMakeLists.txt")).unwrap_or_else(|| CAC_VERSION.into()))
    });
    vars.entry("cmake_build_type".into()).or_insert_with(|| J::String("Release".into()));
    vars.entry("sce_enabled".into()).or_insert_with(|| J::String("false".into()));
    if tree.property_files.is_empty() {
        return;
    }
    // CaC renders property files with its Jinja and no macros.
    let jinja = match Jinja::with_dialect(crate::jinja::Dialect::Cac, &[], vars) {
        Ok(j) => j,
        Err((_, e)) => {
            diags.push(Diagnostic::error(codes::JINJA, format!("product properties: {}", e.message)));
            return;
        }
    };
    let mut acquired: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    for path in &tree.property_files {
        let (node, mut doc) = read_yaml(&tree.sources, path, &jinja, &BTreeMap::new(), "");
        let Some(node) = node else {
            diags.append(&mut doc.diags);
            continue;
        };
        if let Some(f) = doc.mapping(&node, "a product properties file", &["default", "overrides"]) {
            for part in ["default", "overrides"] {
                let Some(n) = f.get(part) else { continue };
                if n.is_null() {
                    continue;
                }
                let Some(m) = doc.mapping(n, &format!("`{part}`"), &[]) else { continue };
                for k in &m.order {
                    let v = m.get(k).unwrap();
                    if part == "default" && (vars.contains_key(k) || acquired.contains_key(k)) {
                        doc.error(codes::DUPLICATE, v.pos, format!("the property `{k}` is already defined"))
                            .hints
                            .push("define each property once, in product.yml or in one properties file".into());
                        continue;
                    }
                    acquired.insert(k.clone(), crate::jinja::cac::yaml_to_json(v));
                }
            }
        }
        diags.append(&mut doc.diags);
    }
    vars.extend(acquired);
}

/// Loads `product.yml`, with CaC's implied properties and
/// `product_properties/` evaluated into its variables.
pub fn load_product(tree: &Tree, path: &Path) -> (Option<Product>, Vec<Diagnostic>) {
    let roots = product_roots(&tree.root, path);
    let id = dir_name(path);
    let mut doc = Doc::new(path, LineMap::identity(), "");
    let src = match tree.sources.read(path) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let Some(node) = doc.parse_yaml(&src) else { return (None, doc.diags) };
    // Product files may carry any extra keys (they become Jinja variables).
    let Some(f) = doc.mapping(&node, "the product file", &[]) else { return (None, doc.diags) };
    let what = "the product file";
    let product = doc.required_string(&f, "product", what).unwrap_or_default();
    if !product.is_empty() && product != id {
        let pos = f.get("product").map(|n| n.pos).unwrap_or(f.pos);
        doc.error(codes::BAD_VALUE, pos, format!("`product: {product}` does not match the directory name `{id}`"))
            .hints
            .push(format!("rename the directory or set `product: {id}`"));
    }
    let full_name = doc.required_string(&f, "full_name", what).unwrap_or_default();
    let benchmark_id = doc.required_string(&f, "benchmark_id", what).unwrap_or_default();
    // CaC's products name no namespace: their ids are org.ssgproject.content.
    let namespace = doc.string(&f, "namespace", what).unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
    let well_formed =
        namespace.contains('.') && namespace.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !namespace.is_empty() && !well_formed {
        let pos = f.get("namespace").map(|n| n.pos).unwrap_or(f.pos);
        doc.error(codes::BAD_VALUE, pos, format!("namespace `{namespace}` is not a reverse-DNS name"))
            .hints
            .push("use something like `org.example` (letters, digits, `.` and `-`; no `_`)".into());
    }
    let title =
        doc.string(&f, "title", what).unwrap_or_else(|| format!("Guide to the Secure Configuration of {full_name}"));
    let description = doc.string(&f, "description", what).unwrap_or_else(|| {
        format!("This guide presents a catalog of security-relevant configuration settings for {full_name}.")
    });
    let mut cpes = Vec::new();
    if let Some(list) = f.get("cpes") {
        match list.as_seq() {
            Some(items) => {
                for item in items {
                    let Some(m) = doc.mapping(item, "a `cpes` entry", &[]) else { continue };
                    for key in &m.order {
                        let n = m.get(key).unwrap();
                        let Some(c) = doc.mapping(n, &format!("cpe `{key}`"), &["name", "title", "check_id"]) else {
                            continue;
                        };
                        let w = format!("cpe `{key}`");
                        let name = doc.required_string(&c, "name", &w).unwrap_or_default();
                        let title = doc.required_string(&c, "title", &w).unwrap_or_default();
                        let check = doc.required_string(&c, "check_id", &w).unwrap_or_default();
                        let check_pos = c.get("check_id").map(|n| n.pos).unwrap_or(c.pos);
                        cpes.push(ProductCpe {
                            id: key.clone(),
                            name,
                            title,
                            check_id: Spanned::new(check, doc.loc(check_pos)),
                        });
                    }
                }
            }
            None => {
                doc.error(codes::BAD_VALUE, list.pos, format!("`cpes` must be a list, found {}", list.kind()));
            }
        }
    }
    if cpes.is_empty() {
        doc.error(codes::MISSING_KEY, f.pos, "the product declares no CPE (`cpes:`)")
            .hints
            .push("add `cpes: [{<id>: {name: cpe:/o:..., title: ..., check_id: <platform>}}]`".into());
    }
    let mut reference_uris = BTreeMap::new();
    if roots.layout == Layout::Cac {
        reference_uris.extend(CAC_REFERENCE_URIS.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    }
    if let Some(r) = f.get("reference_uris") {
        if let Some(m) = doc.mapping(r, "`reference_uris`", &[]) {
            for k in &m.order {
                if let Some(v) = doc.string(&m, k, "`reference_uris`") {
                    reference_uris.insert(k.clone(), v);
                }
            }
        }
    }
    let mut vars = BTreeMap::new();
    for k in &f.order {
        let v = f.get(k).unwrap();
        // CaC's reader keeps YAML 1.1 words (`yes`, `on`) as the strings written.
        let v = if roots.layout == Layout::Cac { crate::jinja::cac::yaml_to_json(v) } else { v.to_json() };
        vars.insert(k.clone(), v);
    }
    vars.insert("product".into(), serde_json::Value::String(id.clone()));
    if roots.layout == Layout::Cac {
        add_properties(tree, &mut vars, &mut doc.diags);
    }
    let meta = benchmark_meta(tree, roots.layout, &vars, &namespace, &mut doc.diags);
    let p = Product {
        id,
        full_name,
        benchmark_id,
        namespace,
        layout: roots.layout,
        benchmark_root: roots.benchmark,
        profiles_root: roots.profiles,
        title,
        description,
        cpes,
        reference_uris,
        vars,
        meta,
        file: path.to_path_buf(),
    };
    (Some(p), doc.diags)
}

/// CaC's name for itself and where its releases are published
/// (`ssg/constants.py`: `SSG_PROJECT_NAME`, `SSG_BENCHMARK_LATEST_URI`).
const CAC_PROJECT: &str = "SCAP Security Guide Project";
const CAC_LATEST: &str = "https://github.com/ComplianceAsCode/content/releases/latest";

/// The Benchmark's version and metadata ([`BenchmarkMeta`]). A product key
/// wins; a CaC tree then gets what CaC's build writes: `ssg_version_str`
/// (from its `CMakeLists.txt`, see [`add_properties`]), the project as creator and
/// publisher, the contributors of `Contributors.xml` and the releases page
/// as update URI and source.
fn benchmark_meta(
    tree: &Tree,
    layout: Layout,
    vars: &BTreeMap<String, serde_json::Value>,
    namespace: &str,
    diags: &mut Vec<Diagnostic>,
) -> BenchmarkMeta {
    let key = |k: &str| vars.get(k).and_then(|v| v.as_str().map(str::to_owned));
    let cac = layout == Layout::Cac;
    let version =
        key("version").or_else(|| cac.then(|| key("ssg_version_str")).flatten()).unwrap_or_else(|| "0.1".into());
    let contributors = match vars.get("contributor") {
        Some(serde_json::Value::String(s)) => vec![s.clone()],
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        // SRC-8-1 wants a contributor: the project, without that file.
        _ if cac => Some(cac_contributors(&tree.root.join("Contributors.xml"), diags))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec![CAC_PROJECT.into()]),
        _ => vec!["scapc content authors".into()],
    };
    let (who, source) = if cac { (CAC_PROJECT, CAC_LATEST) } else { ("scapc", namespace) };
    BenchmarkMeta {
        version,
        update: key("update_uri").or_else(|| cac.then(|| CAC_LATEST.to_owned())),
        creator: key("creator").unwrap_or_else(|| who.into()),
        publisher: key("publisher").unwrap_or_else(|| who.into()),
        contributors,
        source: key("source").unwrap_or_else(|| source.into()),
    }
}

/// `SSG_MAJOR_VERSION.SSG_MINOR_VERSION.SSG_PATCH_VERSION` of CaC's
/// `CMakeLists.txt` (`set(SSG_MAJOR_VERSION 0)`), if it has all three.
fn cmake_version(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let part = |name: &str| -> Option<String> {
        let at = text.find(&format!("set({name} "))? + name.len() + 5;
        let v: String = text[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        (!v.is_empty()).then_some(v)
    };
    Some(format!("{}.{}.{}", part("SSG_MAJOR_VERSION")?, part("SSG_MINOR_VERSION")?, part("SSG_PATCH_VERSION")?))
}

/// The `<contributor>` texts of CaC's `Contributors.xml`, in order; none
/// when the tree has no such file (the reference tarball has none).
fn cac_contributors(path: &Path, diags: &mut Vec<Diagnostic>) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    match scapc_xml::parse(&text) {
        Ok(root) => {
            let mut out = Vec::new();
            root.walk(&mut |e| {
                if e.name == "contributor" {
                    out.push(e.text());
                }
            });
            out
        }
        Err(e) => {
            diags.push(
                Diagnostic::warning(codes::IO, format!("Contributors.xml is not well-formed XML: {}", e.message))
                    .at(Location::at(path, e.line, e.col))
                    .hint("fix the file; the Benchmark lists no contributors meanwhile"),
            );
            Vec::new()
        }
    }
}

/// Loads every template and platform of a tree (for documentation).
pub fn load_templates_and_platforms(tree: &Tree) -> (Vec<Template>, Vec<PlatformDef>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut ts = Vec::new();
    for p in &tree.template_files {
        let (t, mut d) = load_template(&tree.sources, p, "");
        diags.append(&mut d);
        ts.extend(t);
    }
    let mut ps = Vec::new();
    for p in &tree.platform_files {
        let (x, mut d) = load_platform(&tree.sources, p, "");
        diags.append(&mut d);
        ps.extend(x);
    }
    (ts, ps, diags)
}

/// Reads the macro library: (name relative to root, source).
pub fn load_macros(tree: &Tree) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for p in &tree.macro_files {
        match tree.sources.read(p) {
            Ok(s) => {
                let name = p.strip_prefix(&tree.root).unwrap_or(p).display().to_string();
                out.push((name, s.to_string()));
            }
            Err(d) => diags.push(d),
        }
    }
    (out, diags)
}

/// Loads everything for one product, in parallel.
pub fn load_content(tree: &Tree, product: &Product, jinja: &Jinja) -> (Content, Vec<Diagnostic>) {
    let pid = product.id.as_str();
    let cache: &Cache = &tree.sources;
    let rules_dir = product.benchmark_root.clone();
    // It reads the policies (any change to one forgets the memo) and the
    // profiles (compared: a profile's change keeps the memo).
    let profile_texts: Vec<Option<std::sync::Arc<str>>> = match tree.memo.keeps() {
        true => tree.profile_files.iter().map(|p| cache.read(p).ok()).collect(),
        false => Vec::new(),
    };
    let policy_files =
        tree.memo.derived_at("policies-needed", pid, &product.file, profile_texts, || policies_needed(tree, product));
    let tree = &product_share(tree, product);
    // `build --watch` keeps each file's load until a file it reads changes
    // (see `crate::incremental::Memo`); a plain build keeps nothing.
    let memo = &*tree.memo;
    // Directories that are groups or rules, for parent lookups.
    let group_dirs: HashMap<PathBuf, String> =
        tree.group_files.iter().map(|p| (p.parent().unwrap().to_path_buf(), dir_name(p))).collect();
    let rule_dirs: HashMap<PathBuf, String> =
        tree.rule_files.iter().map(|p| (p.parent().unwrap().to_path_buf(), dir_name(p))).collect();
    let parent_group = |dir: &Path| -> Option<String> {
        let mut d = dir.parent();
        while let Some(x) = d {
            if x == rules_dir {
                return None;
            }
            if let Some(g) = group_dirs.get(x) {
                return Some(g.clone());
            }
            d = x.parent();
        }
        None
    };
    let inside_rule = |dir: &Path| -> Option<PathBuf> {
        let mut d = dir.parent();
        while let Some(x) = d {
            if rule_dirs.contains_key(x) {
                return Some(x.join("rule.yml"));
            }
            if x == rules_dir {
                return None;
            }
            d = x.parent();
        }
        None
    };
    let empty = BTreeMap::new();

    let groups: Vec<(Option<Group>, Vec<Diagnostic>)> = tree
        .group_files
        .par_iter()
        .map(|p| {
            let dir = p.parent().unwrap();
            let mut diags = Vec::new();
            if let Some(r) = inside_rule(dir) {
                diags.push(
                    Diagnostic::error(codes::LAYOUT, "a group directory sits inside a rule directory")
                        .at_file(p)
                        .related(Location::file(r), "the enclosing rule")
                        .hint("move the group out of the rule directory"),
                );
                return (None, diags);
            }
            let (g, mut d) = memo
                .derived_at("load-group", pid, p, (), || load_group(cache, p, parent_group(dir), jinja, pid, &empty));
            diags.append(&mut d);
            (g, diags)
        })
        .collect();

    let rules: Vec<(Option<Rule>, Vec<Diagnostic>)> = tree
        .rule_files
        .par_iter()
        .map(|p| {
            let dir = p.parent().unwrap();
            if let Some(r) = inside_rule(dir) {
                return (
                    None,
                    vec![Diagnostic::error(codes::LAYOUT, "a rule directory sits inside another rule directory")
                        .at_file(p)
                        .related(Location::file(r), "the enclosing rule")
                        .hint("move it next to the other rule, under a group")],
                );
            }
            tree.memo.rule(pid, p, || load_rule(cache, p, parent_group(dir), jinja, product))
        })
        .collect();

    let values: Vec<(Option<XValue>, Vec<Diagnostic>)> = tree
        .value_files
        .par_iter()
        .map(|p| {
            let dir = p.parent().unwrap();
            // A CaC Value belongs to the group whose directory holds it.
            let group = match product.layout {
                Layout::Cac => group_dirs.get(dir).cloned().or_else(|| parent_group(dir)),
                Layout::Scapc => parent_group(dir).or_else(|| group_dirs.get(dir).cloned()),
            };
            memo.derived_at("load-value", pid, p, (), || load_value(cache, p, group, jinja, pid, product.layout))
        })
        .collect();

    let profiles: Vec<(Option<Profile>, Vec<Diagnostic>)> = tree
        .profile_files
        .par_iter()
        .map(|p| memo.derived_at("load-profile", pid, p, (), || load_profile(cache, p, jinja, pid)))
        .collect();
    let templates: Vec<(Option<Template>, Vec<Diagnostic>)> = tree
        .template_files
        .par_iter()
        .map(|p| memo.derived_at("load-template", pid, p, (), || load_template(cache, p, pid)))
        .collect();
    let platforms: Vec<(Option<PlatformDef>, Vec<Diagnostic>)> = tree
        .platform_files
        .par_iter()
        .map(|p| memo.derived_at("load-platform", pid, p, (), || load_platform(cache, p, pid)))
        .collect();
    let policies: Vec<(Option<Policy>, Vec<Diagnostic>)> = policy_files
        .par_iter()
        .map(|p| memo.derived_at("load-policy", pid, p, (), || load_policy(cache, p, jinja, pid)))
        .collect();

    let loaded = Loaded { groups, rules, values, profiles, templates, platforms, policies };
    assemble(tree, product, jinja, loaded)
}

/// A product's share of the tree's files: the groups, rules and values
/// under its benchmark root, and its profiles.
fn product_share(tree: &Tree, product: &Product) -> Tree {
    let rules_dir = &product.benchmark_root;
    let mine =
        |files: &[PathBuf]| -> Vec<PathBuf> { files.iter().filter(|p| p.starts_with(rules_dir)).cloned().collect() };
    let (group_files, rule_files, value_files) =
        (mine(&tree.group_files), mine(&tree.rule_files), mine(&tree.value_files));
    let profile_files: Vec<PathBuf> = tree
        .profile_files
        .iter()
        .filter(|p| match product.layout {
            Layout::Cac => p.parent() == Some(product.profiles_root.as_path()),
            Layout::Scapc => p.starts_with(&product.profiles_root),
        })
        .cloned()
        .collect();
    Tree { group_files, rule_files, value_files, profile_files, ..tree.clone() }
}

/// What each file of a product's share loaded into (in file order), and
/// what loading it reported.
struct Loaded {
    groups: Vec<(Option<Group>, Vec<Diagnostic>)>,
    rules: Vec<(Option<Rule>, Vec<Diagnostic>)>,
    values: Vec<(Option<XValue>, Vec<Diagnostic>)>,
    profiles: Vec<(Option<Profile>, Vec<Diagnostic>)>,
    templates: Vec<(Option<Template>, Vec<Diagnostic>)>,
    platforms: Vec<(Option<PlatformDef>, Vec<Diagnostic>)>,
    policies: Vec<(Option<Policy>, Vec<Diagnostic>)>,
}

/// Ids of the items whose files failed to load.
fn broken_ids(tree: &Tree, l: &Loaded) -> BTreeSet<String> {
    let mut broken = BTreeSet::new();
    let failed = |files: &[PathBuf], ok: &mut dyn Iterator<Item = bool>, id: fn(&Path) -> String| -> Vec<String> {
        files.iter().zip(ok).filter(|(_, ok)| !ok).map(|(p, _)| id(p)).collect()
    };
    broken.extend(failed(&tree.group_files, &mut l.groups.iter().map(|x| x.0.is_some()), dir_name));
    broken.extend(failed(&tree.rule_files, &mut l.rules.iter().map(|x| x.0.is_some()), dir_name));
    broken.extend(failed(&tree.value_files, &mut l.values.iter().map(|x| x.0.is_some()), stem));
    broken.extend(failed(&tree.profile_files, &mut l.profiles.iter().map(|x| x.0.is_some()), stem));
    broken
}

/// The loaded items into one [`Content`]: ids unique across the tree,
/// a later policy replacing an earlier one, CaC's own sources added.
fn assemble(tree: &Tree, product: &Product, jinja: &Jinja, loaded: Loaded) -> (Content, Vec<Diagnostic>) {
    let pid = product.id.as_str();
    let cache: &Cache = &tree.sources;
    let rules_dir = &product.benchmark_root;
    let mut content = Content { broken: broken_ids(tree, &loaded), ..Content::default() };
    let Loaded { groups, rules, values, profiles, templates, platforms, policies } = loaded;
    let mut diags = Vec::new();
    // Ids are unique across the whole tree, whatever their kind: profile
    // selections name rules, groups and values in one namespace.
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut claim = |id: &str, file: &Path, kind: &str, diags: &mut Vec<Diagnostic>| -> bool {
        if let Some(first) = seen.get(id) {
            diags.push(
                Diagnostic::error(codes::DUPLICATE, format!("the {kind} id `{id}` is already used"))
                    .at_file(file)
                    .related(Location::file(first), "first used here")
                    .hint("ids of rules, groups and values must be unique across the tree; rename one of them"),
            );
            return false;
        }
        seen.insert(id.to_owned(), file.to_path_buf());
        true
    };
    for (g, mut d) in groups {
        diags.append(&mut d);
        if let Some(g) = g {
            if claim(&g.id, &g.file, "group", &mut diags) {
                content.groups.insert(g.id.clone(), g);
            }
        }
    }
    for (r, mut d) in rules {
        diags.append(&mut d);
        if let Some(r) = r {
            if claim(&r.id, &r.file, "rule", &mut diags) {
                content.rules.insert(r.id.clone(), r);
            }
        }
    }
    for (v, mut d) in values {
        diags.append(&mut d);
        if let Some(v) = v {
            if claim(&v.id, &v.file, "value", &mut diags) {
                content.values.insert(v.id.clone(), v);
            }
        }
    }
    for (p, mut d) in profiles {
        diags.append(&mut d);
        if let Some(p) = p {
            if let Some(first) = content.profiles.get(&p.id) {
                diags.push(
                    Diagnostic::error(codes::DUPLICATE, format!("the profile id `{}` is already used", p.id))
                        .at_file(&p.file)
                        .related(Location::file(&first.file), "first used here"),
                );
                continue;
            }
            content.profiles.insert(p.id.clone(), p);
        }
    }
    for (t, mut d) in templates {
        diags.append(&mut d);
        if let Some(t) = t {
            content.templates.insert(t.name.clone(), t);
        }
    }
    for (p, mut d) in platforms {
        diags.append(&mut d);
        if let Some(p) = p {
            content.platforms.insert(p.name.clone(), p);
        }
    }
    if product.layout == Layout::Cac {
        crate::cac_cpe::load(cache, &mut content, product, jinja, &mut diags);
        crate::cac_fix::load(cache, &mut content, product, &tree.memo, &mut diags);
        crate::cac_stig::load(cache, &mut content, product, &mut diags);
        find_value_refs(cache, &mut content, &tree.memo, product);
        let file = rules_dir.join("benchmark.yml");
        if file.is_file() {
            let (b, mut d) = load_benchmark(cache, &file, jinja, pid);
            diags.append(&mut d);
            content.benchmark = b;
        }
    }
    // A later policy with the same id replaces an earlier one (a product's
    // own controls/ comes after the tree's), as in CaC.
    for (p, mut d) in policies {
        diags.append(&mut d);
        if let Some(p) = p {
            content.policies.insert(p.id.clone(), p);
        }
    }
    (content, diags)
}

/// The policy files one product loads. Policies are most of a CaC tree's
/// YAML (8.5 MB of 13 MB at b3a2cca) and are rendered per product, so a
/// product loads only those it may use: the policies its profiles name
/// (`policy:...`), those these name in turn (`controls: [other:id]`), and
/// every policy that declares a `reference_type` (they add references to
/// the rules of the products they name). The names are found in the
/// files' text, so more may be loaded than is used, never less. The
/// first product of the tree also loads the policies no profile of the
/// tree names, so that their problems are reported once.
fn policies_needed(tree: &Tree, product: &Product) -> Vec<PathBuf> {
    let cache: &Cache = &tree.sources;
    if product.layout != Layout::Cac {
        return tree.control_files.clone();
    }
    let text = |p: &Path| cache.read(p).unwrap_or_else(|_| std::sync::Arc::from(""));
    // The tree's `controls/` and this product's own, not other products'
    // (CaC's ControlsManager reads those two directories).
    let own = product.file.parent().map(|d| d.join("controls"));
    let mine = |p: &&PathBuf| p.parent() == Some(tree.root.join("controls").as_path()) || p.parent() == own.as_deref();
    // Each policy file with the names it answers to: its file name and its `id:`.
    let names: Vec<(&PathBuf, Vec<String>)> = tree
        .control_files
        .iter()
        .filter(mine)
        .map(|p| {
            let mut n = vec![stem(p)];
            if let Some(id) = text(p).lines().find_map(|l| l.strip_prefix("id:")) {
                n.push(id.trim().trim_matches(['\'', '"']).to_owned());
            }
            (p, n)
        })
        .collect();
    // `word:` tokens of a text: candidate `policy:` prefixes.
    let prefixes = |t: &str, out: &mut std::collections::HashSet<String>| {
        let b = t.as_bytes();
        let mut start = None;
        for (i, &c) in b.iter().enumerate() {
            let word = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
            match (word, start) {
                (true, None) => start = Some(i),
                (false, Some(st)) => {
                    if c == b':' {
                        out.insert(t[st..i].to_owned());
                    }
                    start = None;
                }
                _ => {}
            }
        }
    };
    let mut wanted = std::collections::HashSet::new();
    for p in tree.profile_files.iter().filter(|p| p.parent() == Some(product.profiles_root.as_path())) {
        prefixes(&text(p), &mut wanted);
    }
    let named_anywhere = || {
        let mut all = std::collections::HashSet::new();
        for p in &tree.profile_files {
            prefixes(&text(p), &mut all);
        }
        all
    };
    let first = tree.products.first() == Some(&product.file);
    let anywhere = if first { named_anywhere() } else { Default::default() };
    let mut take = vec![false; names.len()];
    let mut todo: Vec<usize> = Vec::new();
    for (i, (p, n)) in names.iter().enumerate() {
        let t = text(p);
        let orphan = first && !n.iter().any(|x| anywhere.contains(x));
        if t.contains("reference_type") || orphan || n.iter().any(|x| wanted.contains(x)) {
            take[i] = true;
            todo.push(i);
        }
    }
    // Policies that taken ones name, in their file or their controls directory.
    while let Some(i) = todo.pop() {
        let p = names[i].0;
        let mut more = std::collections::HashSet::new();
        prefixes(&text(p), &mut more);
        let dirs: Vec<PathBuf> = {
            let t = text(p);
            let named = t
                .lines()
                .find_map(|l| l.strip_prefix("controls_dir:"))
                .map(|d| p.parent().unwrap_or(Path::new("")).join(d.trim().trim_matches(['\'', '"'])));
            [Some(p.with_extension("")), named].into_iter().flatten().collect()
        };
        for d in dirs {
            for f in cache.list(&d).iter().filter(|f| ext_is(f, "yml")) {
                prefixes(&text(f), &mut more);
            }
        }
        for (j, (_, n)) in names.iter().enumerate() {
            if !take[j] && n.iter().any(|x| more.contains(x)) {
                take[j] = true;
                todo.push(j);
            }
        }
    }
    names.iter().zip(take).filter(|(_, t)| *t).map(|((p, _), _)| (*p).clone()).collect()
}

/// `documentation_complete: false`: CaC's release build leaves the item
/// out, and so does scapc (the caller records its id as broken so that
/// references to it are not reported again).
/// Other values are the schema's business (lint L020), as before.
fn incomplete(_doc: &mut Doc<'_>, f: &Fields<'_>) -> bool {
    f.get("documentation_complete").and_then(|n| n.as_bool()) == Some(false)
}

/// `warnings: [{category: text}, ...]`.
fn warnings_of(doc: &mut Doc<'_>, f: &Fields<'_>) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    if let Some(n) = f.get("warnings") {
        match n.as_seq() {
            Some(items) => {
                for it in items {
                    if let Some(m) = doc.mapping(it, "a warning", &[]) {
                        for k in &m.order {
                            if let Some(v) = doc.string(&m, k, "a warning") {
                                warnings.push((k.clone(), v));
                            }
                        }
                    }
                }
            }
            None if n.is_null() => {}
            None => {
                doc.error(
                    codes::BAD_VALUE,
                    n.pos,
                    format!("`warnings` must be a list of {{category: text}}, found {}", n.kind()),
                );
            }
        }
    }
    warnings
}

/// Records in each rule the Values its rule-local check and fix files name
/// (`oval/`, `bash/`, `ansible/`, `sce/`, any product's), as whole words.
/// In `build --watch` each rule's from the memo while its directory and
/// the Value ids stay the same.
fn find_value_refs(cache: &Cache, content: &mut Content, memo: &crate::incremental::Memo, product: &Product) {
    let ids: std::collections::HashSet<&str, foldhash::fast::RandomState> =
        content.values.keys().map(String::as_str).collect();
    let kept = memo.keeps().then(|| {
        memo.shared_ids("value-ids-load", &product.id, &product.file, content.values.keys().cloned().collect())
    });
    let found: Vec<(String, Vec<String>)> = content
        .rules
        .par_iter()
        .map(|(id, r)| {
            let find = || {
                let mut refs = std::collections::BTreeSet::new();
                for sub in ["oval", "bash", "ansible", "sce"] {
                    for e in cache.list(&r.dir.join(sub)).iter() {
                        let Ok(text) = cache.read(e) else { continue };
                        for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
                            if ids.contains(w) {
                                refs.insert(w.to_owned());
                            }
                        }
                    }
                }
                refs.into_iter().collect::<Vec<String>>()
            };
            let refs = match &kept {
                Some(k) => memo.derived("value-refs", &product.id, r, k.clone(), find),
                None => find(),
            };
            (id.clone(), refs)
        })
        .collect();
    for (id, refs) in found {
        if let Some(r) = content.rules.get_mut(&id) {
            r.value_refs = refs;
        }
    }
}

const GROUP_KEYS: &[&str] = &[
    "documentation_complete",
    "title",
    "description",
    "platform",
    "platforms",
    "prodtype",
    "warnings",
    "requires",
    "conflicts",
    "status",
];

fn load_group(
    cache: &Cache,
    path: &Path,
    parent: Option<String>,
    jinja: &Jinja,
    pid: &str,
    ctx: &BTreeMap<String, JValue>,
) -> (Option<Group>, Vec<Diagnostic>) {
    let id = dir_name(path);
    let (node, mut doc) = read_yaml(cache, path, jinja, ctx, pid);
    let mut diags_id = Vec::new();
    if !check_id(&id, "group", path, &mut diags_id) {
        doc.diags.append(&mut diags_id);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "group.yml", GROUP_KEYS) else { return (None, doc.diags) };
    if incomplete(&mut doc, &f) {
        return (None, doc.diags);
    }
    let what = "group.yml";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let platforms = platform_of(&mut doc, &f, what);
    let warnings = warnings_of(&mut doc, &f);
    let requires = doc.string_list(&f, "requires", what).into_iter().map(|(s, _)| s).collect();
    let conflicts = doc.string_list(&f, "conflicts", what).into_iter().map(|(s, _)| s).collect();
    let g = Group {
        locs: doc.locs(&f),
        id,
        parent,
        title,
        description,
        platforms,
        warnings,
        requires,
        conflicts,
        dir: path.parent().unwrap().to_path_buf(),
        file: path.to_path_buf(),
    };
    (Some(g), doc.diags)
}

/// `platform: expr` and CaC's `platforms: [a, b]`: each is one platform
/// (XCCDF: the item applies where any does), repeats dropped.
fn platform_of(doc: &mut Doc<'_>, f: &Fields<'_>, what: &str) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    if let Some(n) = f.get("platform") {
        let pos = n.pos;
        if let Some(s) = doc.string(f, "platform", what) {
            out.push(Spanned::new(s, doc.loc(pos)));
        }
    }
    for (s, pos) in doc.string_list(f, "platforms", what) {
        if !out.iter().any(|x| x.value == s) {
            out.push(Spanned::new(s, doc.loc(pos)));
        }
    }
    out
}

const RULE_KEYS: &[&str] = &[
    "documentation_complete",
    "prodtype",
    "title",
    "description",
    "rationale",
    "severity",
    "identifiers",
    "references",
    "ocil",
    "ocil_clause",
    "fixtext",
    "srg_requirement",
    "warnings",
    "platform",
    "platforms",
    "template",
    "conflicts",
    "requires",
    "checktext",
    "vuldiscussion",
    "policy_specific_content",
    "inherited_platforms",
    "status",
    // Keys of CaC's resolved rules and newer CaC features.
    "control_references",
    "components",
    "oval_external_content",
    "sce_metadata",
    "cpe_platform_names",
    "inherited_cpe_platform_names",
    "bash_conditional",
    "fixes",
    "check_type",
    "inputs",
    "expression",
    "failure_reason",
    "definition_location",
];

fn load_rule(
    cache: &Cache,
    path: &Path,
    group: Option<String>,
    jinja: &Jinja,
    product: &Product,
) -> (Option<Rule>, Vec<Diagnostic>) {
    let id = dir_name(path);
    let pid = product.id.as_str();
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_owned(), JValue::from(id.clone()));
    let (node, mut doc) = read_yaml(cache, path, jinja, &ctx, pid);
    let mut id_diags = Vec::new();
    if !check_id(&id, "rule", path, &mut id_diags) {
        doc.diags.append(&mut id_diags);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "rule.yml", RULE_KEYS) else { return (None, doc.diags) };
    if incomplete(&mut doc, &f) {
        return (None, doc.diags);
    }
    let what = "rule.yml";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.required_string(&f, "description", what).unwrap_or_default();
    let rationale = doc.string(&f, "rationale", what).unwrap_or_default();
    let severity = match f.get("severity") {
        None => {
            doc.error(codes::MISSING_KEY, f.pos, "rule.yml has no `severity`")
                .hints
                .push(format!("add `severity:` with one of {}", Severity::NAMES.join(", ")));
            Severity::Unknown
        }
        Some(n) => match n.as_str().and_then(Severity::parse) {
            Some(s) => s,
            None => {
                let shown = n.as_str().map(|s| format!("`{s}`")).unwrap_or_else(|| n.kind().to_owned());
                doc.error(codes::BAD_VALUE, n.pos, format!("severity {shown} is not valid"))
                    .hints
                    .push(format!("use one of {}", Severity::NAMES.join(", ")));
                Severity::Unknown
            }
        },
    };
    let mut identifiers = Vec::new();
    if let Some(n) = f.get("identifiers") {
        if let Some(m) = doc.mapping(n, "`identifiers`", &[]) {
            for k in &m.order {
                let pos = m.key_pos(k).unwrap();
                if let Some(v) = doc.string(&m, k, "`identifiers`") {
                    identifiers.push(Spanned::new((k.clone(), v), doc.loc(pos)));
                }
            }
        }
    }
    let mut references = Vec::new();
    if let Some(n) = f.get("references") {
        if let Some(m) = doc.mapping(n, "`references`", &[]) {
            for k in &m.order {
                let ids: Vec<String> = doc
                    .string_list(&m, k, "`references`")
                    .into_iter()
                    .flat_map(|(s, _)| s.split(',').map(|x| x.trim().to_owned()).collect::<Vec<_>>())
                    .filter(|s| !s.is_empty())
                    .collect();
                references.push((k.clone(), ids));
            }
        }
    }
    let ocil = doc.string(&f, "ocil", what);
    let ocil_clause = doc.string(&f, "ocil_clause", what);
    let fixtext = doc.string(&f, "fixtext", what);
    let warnings = warnings_of(&mut doc, &f);
    let platforms = platform_of(&mut doc, &f, what);
    let requires = doc.string_list(&f, "requires", what).into_iter().map(|(s, _)| s).collect();
    let conflicts = doc.string_list(&f, "conflicts", what).into_iter().map(|(s, _)| s).collect();
    let srg_requirement = doc.string(&f, "srg_requirement", what);
    let vuldiscussion = doc.string(&f, "vuldiscussion", what);
    let checktext = doc.string(&f, "checktext", what);
    let oval_external_content = doc.string(&f, "oval_external_content", what);
    let template = f.get("template").and_then(|n| template_use(&mut doc, n, product.layout));
    let dir = path.parent().unwrap().to_path_buf();
    // The rule directory's listing first: its subdirectories that are not
    // there (most rules have no `sce/`, many no `ansible/`) are then known
    // absent without opening them.
    cache.list(&dir);
    let pick = |sub: &str, ext: &str| -> Option<PathBuf> {
        let specific = dir.join(sub).join(format!("{pid}.{ext}"));
        if cache.exists(&specific) {
            return Some(specific);
        }
        let shared = dir.join(sub).join(format!("shared.{ext}"));
        cache.exists(&shared).then_some(shared)
    };
    let tests: Vec<PathBuf> = cache
        .list(&dir.join("tests"))
        .iter()
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".pass.sh") || n.ends_with(".fail.sh")
        })
        .cloned()
        .collect();
    let mut files = RuleFiles {
        oval: pick("oval", "xml"),
        sce: pick("sce", "sh"),
        bash: pick("bash", "sh"),
        ansible: pick("ansible", "yml"),
        tests,
        texts: BTreeMap::new(),
        oval_candidates: Vec::new(),
        sce_candidates: Vec::new(),
    };
    if product.layout == Layout::Cac {
        // Every candidate CaC's build may take a check from, listed and
        // read through the cache (once for all products); one that cannot
        // be read is reported when the check is built.
        files.oval_candidates = crate::cac_checks::candidates(&cache.list(&dir.join("oval")), "xml", pid);
        files.sce_candidates = crate::cac_checks::candidates(&cache.list(&dir.join("sce")), "sh", pid);
        for f in files.oval_candidates.iter().chain(&files.sce_candidates) {
            if let Ok(text) = cache.read(f) {
                files.texts.entry(f.clone()).or_insert(text);
            }
        }
    }
    // Read now, so that resolution does no I/O; a file that cannot be read
    // is reported here and left out.
    for p in [&mut files.oval, &mut files.sce, &mut files.bash, &mut files.ansible] {
        if let Some(path) = p.clone() {
            match cache.read(&path) {
                Ok(text) => {
                    files.texts.insert(path, text);
                }
                Err(d) => {
                    doc.diags.push(d);
                    *p = None;
                }
            }
        }
    }
    let r = Rule {
        locs: doc.locs(&f),
        id,
        group,
        title,
        description,
        rationale,
        severity,
        identifiers,
        references,
        ocil,
        ocil_clause,
        fixtext,
        warnings,
        platforms,
        requires,
        conflicts,
        srg_requirement,
        vuldiscussion,
        checktext,
        oval_external_content,
        template,
        files,
        value_refs: Vec::new(),
        dir,
        file: path.to_path_buf(),
    };
    (Some(r), doc.diags)
}

/// The languages CaC's templates may be switched off for (its build
/// renders more than scapc builds: kickstart, Puppet, ...).
const CAC_LANGUAGES: &[&str] = &[
    "anaconda",
    "ansible",
    "bash",
    "blueprint",
    "bootc",
    "ignition",
    "kickstart",
    "kubernetes",
    "oval",
    "puppet",
    "sce",
];

fn template_use(doc: &mut Doc<'_>, n: &Node, layout: Layout) -> Option<TemplateUse> {
    let (keys, languages): (&[&str], &[&str]) = match layout {
        // CaC's template may extend its OVAL with other definitions.
        Layout::Cac => (&["name", "vars", "backends", "oval_extend_definitions"], CAC_LANGUAGES),
        Layout::Scapc => (&["name", "vars", "backends"], &LANGUAGES),
    };
    let f = doc.mapping(n, "`template`", keys)?;
    let name_pos = f.get("name").map(|n| n.pos).unwrap_or(f.pos);
    let name = doc.required_string(&f, "name", "`template`")?;
    let mut vars = BTreeMap::new();
    if let Some(v) = f.get("vars") {
        if let Some(m) = doc.mapping(v, "`template.vars`", &[]) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                // CaC's reader keeps YAML words such as `yes` as strings.
                let json = match layout {
                    Layout::Cac => crate::jinja::cac::yaml_to_json(node),
                    Layout::Scapc => node.to_json(),
                };
                vars.insert(k.clone(), Spanned::new(json, doc.loc(node.pos)));
            }
        }
    }
    let mut disabled = Vec::new();
    if let Some(b) = f.get("backends") {
        if let Some(m) = doc.mapping(b, "`template.backends`", languages) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                let off = match &node.value {
                    Value::Scalar { text, .. } => text == "off" || text == "false",
                    _ => false,
                };
                if off {
                    disabled.push(k.clone());
                }
            }
        }
    }
    Some(TemplateUse { name: Spanned::new(name, doc.loc(name_pos)), vars, disabled })
}

const VALUE_KEYS: &[&str] =
    &["documentation_complete", "title", "description", "type", "operator", "interactive", "options", "warnings"];

fn load_value(
    cache: &Cache,
    path: &Path,
    group: Option<String>,
    jinja: &Jinja,
    pid: &str,
    layout: Layout,
) -> (Option<XValue>, Vec<Diagnostic>) {
    let id = stem(path);
    let (node, mut doc) = read_yaml(cache, path, jinja, &BTreeMap::new(), pid);
    let mut id_diags = Vec::new();
    if !check_id(&id, "value", path, &mut id_diags) {
        doc.diags.append(&mut id_diags);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the value file", VALUE_KEYS) else { return (None, doc.diags) };
    if incomplete(&mut doc, &f) {
        return (None, doc.diags);
    }
    let what = "the value file";
    let warnings = warnings_of(&mut doc, &f);
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let ty = match doc.required_string(&f, "type", what).as_deref() {
        Some("number") => ValueType::Number,
        Some("string") => ValueType::String,
        Some("boolean") => ValueType::Boolean,
        Some(other) => {
            let pos = f.get("type").unwrap().pos;
            doc.error(codes::BAD_VALUE, pos, format!("value type `{other}` is not valid"))
                .hints
                .push("use number, string or boolean".into());
            ValueType::String
        }
        None => ValueType::String,
    };
    let operator = doc.string(&f, "operator", what).unwrap_or_else(|| "equals".into());
    if !OPERATORS.contains(&operator.as_str()) {
        let pos = f.get("operator").map(|n| n.pos).unwrap_or(f.pos);
        doc.error(codes::BAD_VALUE, pos, format!("operator `{operator}` is not valid"))
            .hints
            .push(format!("use one of: {}", OPERATORS.join(", ")));
    }
    let interactive = doc.boolean(&f, "interactive", what).unwrap_or(false);
    let mut options = Vec::new();
    match f.get("options") {
        None => {
            doc.error(codes::MISSING_KEY, f.pos, "the value has no `options`")
                .hints
                .push("add `options:` with at least `default: <value>`".into());
        }
        Some(n) => {
            if let Some(m) = doc.mapping(n, "`options`", &[]) {
                for k in &m.order {
                    let node = m.get(k).unwrap();
                    let v = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        Value::Null => String::new(),
                        _ => {
                            doc.error(
                                codes::BAD_VALUE,
                                node.pos,
                                format!("option `{k}` must be a scalar, found {}", node.kind()),
                            );
                            continue;
                        }
                    };
                    if ty == ValueType::Number && v.parse::<f64>().is_err() {
                        doc.error(
                            codes::BAD_VALUE,
                            node.pos,
                            format!("option `{k}` = `{v}` is not a number, but the value's type is number"),
                        );
                    }
                    if ty == ValueType::Boolean && !matches!(v.as_str(), "true" | "false" | "0" | "1") {
                        doc.error(codes::BAD_VALUE, node.pos, format!("option `{k}` = `{v}` is not a boolean"));
                    }
                    options.push((k.clone(), v));
                }
                // CaC's Values may lack a default (its build emits them
                // without one); scapc's own format asks for one.
                if layout == Layout::Scapc && !options.iter().any(|(k, _)| k == "default") {
                    doc.error(codes::MISSING_KEY, n.pos, "`options` has no `default` selector")
                        .hints
                        .push("add `default: <value>`".into());
                }
            }
        }
    }
    options.sort_by_key(|(k, _)| k != "default");
    let v = XValue {
        locs: doc.locs(&f),
        id,
        group,
        title,
        description,
        ty,
        operator,
        interactive,
        warnings,
        options,
        file: path.to_path_buf(),
    };
    (Some(v), doc.diags)
}

const PROFILE_KEYS: &[&str] = &[
    "documentation_complete",
    "title",
    "description",
    "extends",
    "selections",
    "metadata",
    "platform",
    "status",
    // CaC's profile keys.
    "hidden",
    "reference",
    "filter_rules",
    "policies",
    "single_rule_profile",
    "scanner_type",
    "platforms",
    "unselected_groups",
    "cpe_names",
];

fn load_profile(cache: &Cache, path: &Path, jinja: &Jinja, pid: &str) -> (Option<Profile>, Vec<Diagnostic>) {
    let id = stem(path);
    let (node, mut doc) = read_yaml(cache, path, jinja, &BTreeMap::new(), pid);
    let mut id_diags = Vec::new();
    if !check_id(&id, "profile", path, &mut id_diags) {
        doc.diags.append(&mut id_diags);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the profile", PROFILE_KEYS) else { return (None, doc.diags) };
    if incomplete(&mut doc, &f) {
        return (None, doc.diags);
    }
    let what = "the profile";
    let hidden = doc.boolean(&f, "hidden", what).unwrap_or(false);
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let extends = f.get("extends").and_then(|n| {
        let pos = n.pos;
        doc.string(&f, "extends", what).map(|s| Spanned::new(s, doc.loc(pos)))
    });
    let mut selections = Vec::new();
    for (s, pos) in doc.string_list(&f, "selections", what) {
        match parse_selection(&s) {
            Ok(sel) => selections.push(Spanned::new(sel, doc.loc(pos))),
            Err(msg) => {
                doc.error(codes::BAD_VALUE, pos, format!("selection `{s}`: {msg}")).hints.push(
                    "use `rule_id`, `!rule_id`, `value_id=selector`, `rule_id.severity=high` or `policy:control`"
                        .into(),
                );
            }
        }
    }
    let filter_rules = f.get("filter_rules").and_then(|n| {
        let pos = n.pos;
        doc.string(&f, "filter_rules", what).filter(|s| !s.trim().is_empty()).map(|s| Spanned::new(s, doc.loc(pos)))
    });
    let reference = doc.string(&f, "reference", what).filter(|s| !s.trim().is_empty());
    // `metadata: {version: ..., SMEs: [...]}`: only the version is emitted;
    // a number (`1.0`, `2022`) is taken as written.
    let version = f
        .get("metadata")
        .and_then(|m| m.get("version"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|v| !v.trim().is_empty());
    let p = Profile {
        locs: doc.locs(&f),
        id,
        title,
        description,
        extends,
        selections,
        hidden,
        filter_rules,
        version,
        reference,
        file: path.to_path_buf(),
    };
    (Some(p), doc.diags)
}

/// Refine-rule attributes a selection may set.
pub const REFINE_ATTRS: [&str; 4] = ["severity", "weight", "role", "selector"];

/// Parses one selection, in CaC's order of precedence: `policy:control`
/// (a `:` and no `=`), `rule.attr=value`, `value=selector`, `!rule`, `rule`.
pub fn parse_selection(s: &str) -> Result<Selection, String> {
    let s = s.trim();
    let valid = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if s.contains(':') && !s.contains('=') {
        let (policy, rest) = s.split_once(':').unwrap_or_default();
        if !valid(policy) || rest.is_empty() {
            return Err("expected `policy:control`, `policy:all` or `policy:all:level`".into());
        }
        let which = match rest.split_once(':') {
            Some(("all", level)) if !level.is_empty() => ControlPick::Level(level.to_owned()),
            None if rest == "all" => ControlPick::All,
            _ => ControlPick::One(rest.to_owned()),
        };
        return Ok(Selection::Controls { policy: policy.to_owned(), which });
    }
    if let Some((lhs, rhs)) = s.split_once('=') {
        let (lhs, rhs) = (lhs.trim(), rhs.trim());
        if let Some((rule, attr)) = lhs.split_once('.') {
            // `!rule.attr=value` takes a refinement back, as CaC's
            // `_subtract_refinements` does.
            let (undo, rule) = match rule.strip_prefix('!') {
                Some(r) => (true, r),
                None => (false, rule),
            };
            if !valid(rule) {
                return Err("not a valid rule id".into());
            }
            if !REFINE_ATTRS.contains(&attr) {
                return Err(format!("`{attr}` cannot be refined; use one of {}", REFINE_ATTRS.join(", ")));
            }
            let (rule, attr, value) = (rule.to_owned(), attr.to_owned(), rhs.to_owned());
            return Ok(if undo {
                Selection::Unrefine { rule, attr, value }
            } else {
                Selection::Refine { rule, attr, value }
            });
        }
        if !valid(lhs) || rhs.is_empty() {
            return Err("expected `value_id=selector`".into());
        }
        return Ok(Selection::SetValue { value: lhs.to_owned(), selector: rhs.to_owned() });
    }
    if let Some(rest) = s.strip_prefix('!') {
        return if valid(rest) { Ok(Selection::Unselect(rest.to_owned())) } else { Err("not a valid id".into()) };
    }
    if valid(s) {
        Ok(Selection::Select(s.to_owned()))
    } else {
        Err("not a valid id".into())
    }
}

const BENCHMARK_KEYS: &[&str] =
    &["documentation_complete", "title", "status", "description", "notice", "front-matter", "rear-matter", "version"];

/// Loads CaC's `benchmark.yml` (rendered with Jinja like every source).
fn load_benchmark(cache: &Cache, path: &Path, jinja: &Jinja, pid: &str) -> (Option<BenchmarkDoc>, Vec<Diagnostic>) {
    let (node, mut doc) = read_yaml(cache, path, jinja, &BTreeMap::new(), pid);
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "benchmark.yml", BENCHMARK_KEYS) else { return (None, doc.diags) };
    let what = "benchmark.yml";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.required_string(&f, "description", what).unwrap_or_default();
    let status = doc.string(&f, "status", what);
    let notice = f.get("notice").and_then(|n| {
        let m = doc.mapping(n, "`notice`", &["id", "description"])?;
        let id = doc.required_string(&m, "id", "`notice`")?;
        let text = doc.required_string(&m, "description", "`notice`")?;
        Some((id, text))
    });
    let front_matter = doc.string(&f, "front-matter", what);
    let rear_matter = doc.string(&f, "rear-matter", what);
    let b = BenchmarkDoc { title, description, status, notice, front_matter, rear_matter, file: path.to_path_buf() };
    (Some(b), doc.diags)
}

const POLICY_KEYS: &[&str] = &[
    "documentation_complete",
    "policy",
    "title",
    "id",
    "version",
    "source",
    "levels",
    "reference_type",
    "product",
    "controls",
    "controls_dir",
];
const CONTROL_KEYS: &[&str] = &[
    "id",
    "levels",
    "notes",
    "title",
    "description",
    "rationale",
    "automated",
    "status",
    "mitigation",
    "artifact_description",
    "status_justification",
    "fixtext",
    "check",
    "tickets",
    "original_title",
    "related_rules",
    "rules",
    "controls",
];

/// Loads a policy from `controls/<id>.yml`, with the files of its
/// `controls_dir` (default: the directory named like the file) appended.
fn load_policy(cache: &Cache, path: &Path, jinja: &Jinja, pid: &str) -> (Option<Policy>, Vec<Diagnostic>) {
    let (node, mut doc) = read_yaml(cache, path, jinja, &BTreeMap::new(), pid);
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the policy", POLICY_KEYS) else { return (None, doc.diags) };
    let what = "the policy";
    let id = doc.required_string(&f, "id", what).unwrap_or_else(|| stem(path));
    doc.required_string(&f, "policy", what);
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let reference_type = doc.string(&f, "reference_type", what);
    let products = doc.string_list(&f, "product", what).into_iter().map(|(s, _)| s).collect();
    let mut levels = Vec::new();
    if let Some(n) = f.get("levels") {
        for item in n.as_seq().unwrap_or_default() {
            let Some(m) = doc.mapping(item, "a level", &["id", "inherits_from"]) else { continue };
            let Some(lid) = doc.required_string(&m, "id", "a level") else { continue };
            let inherits_from = doc.string_list(&m, "inherits_from", "a level").into_iter().map(|(s, _)| s).collect();
            levels.push(Level { id: lid, inherits_from });
        }
    }
    if levels.is_empty() {
        levels.push(Level { id: "default".into(), inherits_from: Vec::new() });
    }
    let default_level = levels[0].id.clone();
    let mut controls = Vec::new();
    if let Some(n) = f.get("controls") {
        parse_controls(&mut doc, n, &default_level, &mut controls);
    }
    let sub_dir = match doc.string(&f, "controls_dir", what) {
        Some(d) => path.parent().unwrap_or(Path::new("")).join(d),
        None => path.with_extension(""),
    };
    let mut diags = std::mem::take(&mut doc.diags);
    {
        let files = cache.list(&sub_dir);
        for file in files.iter().filter(|p| ext_is(p, "yml")) {
            let (node, mut sub) = read_yaml(cache, file, jinja, &BTreeMap::new(), pid);
            if let Some(node) = node {
                if let Some(m) = sub.mapping(&node, "a controls file", &["controls"]) {
                    if let Some(n) = m.get("controls") {
                        parse_controls(&mut sub, n, &default_level, &mut controls);
                    }
                }
            }
            diags.append(&mut sub.diags);
        }
    }
    let known: Vec<&str> = levels.iter().map(|l| l.id.as_str()).collect();
    for c in &controls {
        for l in &c.levels {
            if !known.contains(&l.as_str()) {
                diags.push(
                    Diagnostic::error(
                        codes::DANGLING,
                        format!("control `{}` names the level `{l}`, which policy `{id}` does not define", c.id),
                    )
                    .at(c.loc.clone())
                    .hint(format!("the policy's levels are: {}", known.join(", "))),
                );
            }
        }
    }
    let p = Policy { id, title, levels, controls, reference_type, products, file: path.to_path_buf() };
    (Some(p), diags)
}

/// Parses a `controls:` list; nested definitions come before their parent
/// (as CaC orders them) and are listed in its `children`.
fn parse_controls(doc: &mut Doc<'_>, list: &Node, default_level: &str, out: &mut Vec<Control>) {
    let Some(items) = list.as_seq() else {
        if !list.is_null() {
            doc.error(codes::BAD_VALUE, list.pos, format!("`controls` must be a list, found {}", list.kind()));
        }
        return;
    };
    for item in items {
        let Some(m) = doc.mapping(item, "a control", CONTROL_KEYS) else { continue };
        let Some(id) = doc.required_string(&m, "id", "a control") else { continue };
        let title = doc.string(&m, "title", "a control").unwrap_or_default();
        let mut levels: Vec<String> = doc.string_list(&m, "levels", "a control").into_iter().map(|(s, _)| s).collect();
        if levels.is_empty() {
            levels.push(default_level.to_owned());
        }
        let mut selections = Vec::new();
        for (s, pos) in doc.string_list(&m, "rules", "a control") {
            match parse_selection(&s) {
                Ok(Selection::Controls { .. }) | Err(_) => {
                    doc.error(codes::BAD_VALUE, pos, format!("`{s}` is not a rule selection"))
                        .hints
                        .push("use `rule_id`, `!rule_id`, `value_id=selector` or `rule_id.severity=high`".into());
                }
                Ok(sel) => selections.push(Spanned::new(sel, doc.loc(pos))),
            }
        }
        let mut children = Vec::new();
        if let Some(sub) = m.get("controls") {
            for child in sub.as_seq().unwrap_or_default() {
                match child.as_str() {
                    Some(r) => children.push(r.to_owned()),
                    None => {
                        let before = out.len();
                        parse_controls(
                            doc,
                            &Node { value: Value::Seq(vec![child.clone()]), pos: child.pos },
                            default_level,
                            out,
                        );
                        // The last control parsed is the child itself.
                        if out.len() > before {
                            children.push(out[out.len() - 1].id.clone());
                        }
                    }
                }
            }
        }
        out.push(Control { id, title, levels, selections, children, loc: doc.loc(m.pos) });
    }
}

const TEMPLATE_KEYS: &[&str] = &["name", "description", "parameters", "derived", "languages", "supported_languages"];
const PARAM_KEYS: &[&str] = &["type", "required", "default", "allowed", "description"];

fn load_template(cache: &Cache, path: &Path, pid: &str) -> (Option<Template>, Vec<Diagnostic>) {
    let name = dir_name(path);
    let mut doc = Doc::new(path, LineMap::identity(), pid);
    let src = match cache.read(path) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let Some(node) = doc.parse_yaml(&src) else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "template.yml", TEMPLATE_KEYS) else { return (None, doc.diags) };
    let description = doc.string(&f, "description", "template.yml").unwrap_or_default();
    let mut params = Vec::new();
    if let Some(pn) = f.get("parameters") {
        if let Some(m) = doc.mapping(pn, "`parameters`", &[]) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                let w = format!("parameter `{k}`");
                let Some(pf) = doc.mapping(node, &w, PARAM_KEYS) else { continue };
                let ty = match doc.string(&pf, "type", &w).as_deref() {
                    None | Some("string") => ParamType::String,
                    Some("integer") | Some("int") => ParamType::Integer,
                    Some("boolean") | Some("bool") => ParamType::Boolean,
                    Some("list") => ParamType::List,
                    Some(other) => {
                        let pos = pf.get("type").unwrap().pos;
                        doc.error(codes::BAD_VALUE, pos, format!("parameter type `{other}` is not valid"))
                            .hints
                            .push("use string, integer, boolean or list".into());
                        ParamType::String
                    }
                };
                let required = doc.boolean(&pf, "required", &w).unwrap_or(false);
                let default = pf.get("default").map(Node::to_json);
                let allowed = pf.get("allowed").map(|a| match a.as_seq() {
                    Some(items) => items.iter().map(Node::to_json).collect(),
                    None => vec![a.to_json()],
                });
                let description = doc.string(&pf, "description", &w).unwrap_or_default();
                params.push(ParamDecl { name: k.clone(), ty, required, default, allowed, description });
            }
        }
    }
    let mut derived = Vec::new();
    if let Some(dn) = f.get("derived") {
        if let Some(m) = doc.mapping(dn, "`derived`", &[]) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                if let Some(expr) = doc.as_string(node, &format!("derived `{k}`")) {
                    derived.push((k.clone(), Spanned::new(expr, doc.loc(node.pos))));
                }
            }
        }
    }
    let dir = path.parent().unwrap();
    let mut languages = BTreeMap::new();
    for lang in LANGUAGES {
        let p = dir.join(format!("{lang}.template"));
        if cache.exists(&p) {
            match cache.read(&p) {
                Ok(s) => {
                    languages.insert(lang.to_owned(), (p, s.to_string()));
                }
                Err(d) => doc.diags.push(d),
            }
        }
    }
    if languages.is_empty() {
        doc.diags.push(
            Diagnostic::error(codes::MISSING_KEY, format!("template `{name}` has no language files"))
                .at_file(path)
                .hint("add oval.template, bash.template, ansible.template or sce.template beside template.yml"),
        );
    }
    let t = Template { name, description, params, derived, languages, file: path.to_path_buf() };
    (Some(t), doc.diags)
}

const PLATFORM_KEYS: &[&str] =
    &["name", "title", "description", "parametrized", "bash_conditional", "ansible_conditional"];

fn load_platform(cache: &Cache, path: &Path, pid: &str) -> (Option<PlatformDef>, Vec<Diagnostic>) {
    let name = stem(path);
    let mut doc = Doc::new(path, LineMap::identity(), pid);
    let src = match cache.read(path) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let Some(node) = doc.parse_yaml(&src) else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the platform file", PLATFORM_KEYS) else { return (None, doc.diags) };
    let what = "the platform file";
    if let Some(n) = doc.string(&f, "name", what) {
        if n != name {
            let pos = f.get("name").unwrap().pos;
            doc.error(codes::BAD_VALUE, pos, format!("`name: {n}` does not match the file name `{name}`"));
        }
    }
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let parametrized = doc.boolean(&f, "parametrized", what).unwrap_or(false);
    let bash_conditional = doc.string(&f, "bash_conditional", what);
    let ansible_conditional = doc.string(&f, "ansible_conditional", what);
    let oval_file = path.with_extension("xml");
    let (oval_file, oval_source) = if cache.exists(&oval_file) {
        match cache.read(&oval_file) {
            Ok(s) => (Some(oval_file), Some(s.to_string())),
            Err(d) => {
                doc.diags.push(d);
                (None, None)
            }
        }
    } else {
        doc.diags.push(
            Diagnostic::error(codes::MISSING_KEY, format!("platform `{name}` has no OVAL check"))
                .at_file(path)
                .hint(format!("add {}", oval_file.display())),
        );
        (None, None)
    };
    let p = PlatformDef {
        locs: doc.locs(&f),
        name,
        title,
        description,
        parametrized,
        bash_conditional,
        ansible_conditional,
        oval_file,
        oval_source,
        file: path.to_path_buf(),
    };
    (Some(p), doc.diags)
}

/// Position-less location helper used by later passes.
pub fn file_loc(p: &Path) -> Location {
    Location::file(p)
}

#[allow(dead_code)]
fn pos_loc(p: &Path, pos: Pos) -> Location {
    Location::at(p, pos.line, pos.col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections() {
        assert_eq!(parse_selection("a_b").unwrap(), Selection::Select("a_b".into()));
        assert_eq!(parse_selection("!a").unwrap(), Selection::Unselect("a".into()));
        assert_eq!(
            parse_selection("v=5_min").unwrap(),
            Selection::SetValue { value: "v".into(), selector: "5_min".into() }
        );
        assert_eq!(
            parse_selection("r.severity=high").unwrap(),
            Selection::Refine { rule: "r".into(), attr: "severity".into(), value: "high".into() }
        );
        assert!(parse_selection("r.color=red").is_err());
        assert_eq!(
            parse_selection("!r.role=unscored").unwrap(),
            Selection::Unrefine { rule: "r".into(), attr: "role".into(), value: "unscored".into() }
        );
        assert!(parse_selection("!!r.role=unscored").is_err());
        assert!(parse_selection("a b").is_err());
    }
}
