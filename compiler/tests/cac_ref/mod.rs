//! The ComplianceAsCode reference data shared by the CaC tests: the CaC
//! source tree (unpacked once from `shared/reference/cac/content-*.tar.xz`,
//! or taken from `SCAPC_CAC_TREE`) and CaC's built data streams.
#![allow(dead_code)]

use scapc_compiler::jinja::{cac, Dialect, Jinja};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[path = "oval_cmp.rs"]
mod oval_cmp;
pub use oval_cmp::*;

/// `shared/reference/cac` beside the repository (CI lays `shared/` there).
pub fn reference_dir() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    for cand in
        [repo.join("../shared/reference/cac"), repo.join("shared/reference/cac"), "/work/shared/reference/cac".into()]
    {
        if cand.is_dir() {
            return cand;
        }
    }
    panic!("the CaC reference data (shared/reference/cac) is not beside the repository at {}", repo.display());
}

/// The CaC content tree (the directory holding `shared/`, `linux_os/`, ...).
pub fn tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        if let Some(t) = std::env::var_os("SCAPC_CAC_TREE") {
            return PathBuf::from(t);
        }
        let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cac-tree");
        let done = dest.join("content/shared/macros");
        if done.is_dir() {
            return dest.join("content");
        }
        let tarball = std::fs::read_dir(reference_dir())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("content-"))
            .expect("no content-*.tar.xz in shared/reference/cac");
        // Unpack beside, then rename: test binaries may race.
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cac-tree.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let st = Command::new("tar").arg("-xJf").arg(&tarball).arg("-C").arg(&tmp).status().expect("tar runs");
        assert!(st.success(), "unpacking {} failed", tarball.display());
        if std::fs::rename(&tmp, &dest).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        assert!(done.is_dir(), "{} has no shared/macros", dest.display());
        dest.join("content")
    })
}

/// CaC's data stream of `product` (`ssg-<product>-ds.xml.gz`), as text.
pub fn data_stream(product: &str) -> String {
    let path = reference_dir().join(format!("ssg-{product}-ds.xml.gz"));
    let out = Command::new("gzip").arg("-dc").arg(&path).output().expect("gzip runs");
    assert!(out.status.success(), "cannot read {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

pub fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// The macro files of the tree as (name, source).
pub fn macro_files() -> Vec<(String, String)> {
    read_dir_sorted(&tree().join("shared/macros"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jinja"))
        .map(|p| {
            (
                format!("shared/macros/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// The product's properties as CaC computes them.
pub fn properties(product: &str) -> BTreeMap<String, serde_json::Value> {
    let yml = std::fs::read_to_string(tree().join(format!("products/{product}/product.yml"))).unwrap();
    let node = scapc_compiler::yaml::parse(&yml).unwrap();
    let serde_json::Value::Object(map) = cac::yaml_to_json(&node) else { panic!("product.yml is not a mapping") };
    let files: Vec<(String, String)> = read_dir_sorted(&tree().join("product_properties"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    cac::product_properties(&map, &files).unwrap()
}

/// A CaC-dialect environment for `product` with all macros loaded.
pub fn jinja(product: &str) -> Jinja {
    Jinja::with_dialect(Dialect::Cac, &macro_files(), &properties(product))
        .unwrap_or_else(|(f, e)| panic!("{f}:{:?}: {}", e.line, e.message))
}

/// Undoes XML escaping of text.
pub fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// Every rule directory of the tree: rule id -> directory.
pub fn rule_dirs() -> &'static BTreeMap<String, PathBuf> {
    static RULES: OnceLock<BTreeMap<String, PathBuf>> = OnceLock::new();
    RULES.get_or_init(|| {
        fn walk(d: &Path, out: &mut BTreeMap<String, PathBuf>) {
            if d.join("rule.yml").is_file() {
                out.insert(d.file_name().unwrap().to_string_lossy().into_owned(), d.to_path_buf());
            }
            for p in read_dir_sorted(d) {
                if p.is_dir() {
                    walk(&p, out);
                }
            }
        }
        let mut out = BTreeMap::new();
        for top in ["linux_os", "applications", "components"] {
            let d = tree().join(top);
            if d.is_dir() {
                walk(&d, &mut out);
            }
        }
        out
    })
}

/// A rule.yml rendered for `product` and parsed (product-qualified keys,
/// `key@product`, not yet resolved).
pub fn rule_yaml(j: &Jinja, dir: &Path) -> Option<serde_json::Value> {
    rule_node(j, dir).map(|n| n.to_json())
}

/// A rule.yml rendered for `product` and parsed into YAML nodes.
pub fn rule_node(j: &Jinja, dir: &Path) -> Option<scapc_compiler::yaml::Node> {
    let src = std::fs::read_to_string(dir.join("rule.yml")).ok()?;
    let id = dir.file_name().unwrap().to_string_lossy().into_owned();
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_string(), minijinja::Value::from(id));
    let text = j.render("rule.yml", &src, &ctx).ok()?;
    scapc_compiler::yaml::parse(&text).ok()
}

/// A mapping with `key@product` entries applied for `product` and the
/// entries qualified for other products dropped.
pub fn for_product(
    m: &serde_json::Map<String, serde_json::Value>,
    product: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for (k, v) in m {
        if !k.contains('@') {
            out.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    for (k, v) in m {
        if let Some((base, p)) = k.split_once('@') {
            if p == product {
                out.insert(base.to_string(), v.clone());
            }
        }
    }
    out
}

/// Each XCCDF rule of a data stream: short rule id -> the rule's text.
pub fn ds_rules(ds: &str) -> BTreeMap<&str, &str> {
    let mut out = BTreeMap::new();
    let mut pos = 0;
    while let Some(rel) = ds[pos..].find("<xccdf-1.2:Rule ") {
        let start = pos + rel;
        let end = ds[start..].find("</xccdf-1.2:Rule>").map(|e| start + e).unwrap_or(ds.len());
        let rule = &ds[start..end];
        if let Some(i) = rule.find(" id=\"xccdf_org.ssgproject.content_rule_") {
            let rest = &rule[i + " id=\"xccdf_org.ssgproject.content_rule_".len()..];
            out.insert(&rest[..rest.find('"').unwrap_or(0)], rule);
        }
        pos = end;
    }
    out
}

/// The text of the `<xccdf-1.2:fix>` of `system` in rule `id` of a data
/// stream, XML unescaped, with each `<sub idref="xccdf_..._value_X"/>`
/// replaced by `sub(X)`.
pub fn ds_fix(rules: &BTreeMap<&str, &str>, id: &str, system: &str, sub: impl Fn(&str) -> String) -> Option<String> {
    let rule = rules.get(id)?;
    let f = rule.find(&format!("<xccdf-1.2:fix system=\"{system}\""))?;
    let body_start = f + rule[f..].find('>')? + 1;
    let body_end = body_start + rule[body_start..].find("</xccdf-1.2:fix>")?;
    let mut body = &rule[body_start..body_end];
    let mut out = String::new();
    while let Some(i) = body.find("<xccdf-1.2:sub ") {
        out.push_str(&unescape_xml(&body[..i]));
        let tag_end = i + body[i..].find("/>").unwrap() + 2;
        let tag = &body[i..tag_end];
        let idref = tag.split("idref=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
        out.push_str(&sub(idref.trim_start_matches("xccdf_org.ssgproject.content_value_")));
        body = &body[tag_end..];
    }
    out.push_str(&unescape_xml(body));
    Some(out)
}

/// The context CaC gives a rule's own fix files.
pub fn fix_ctx(id: &str, rule: &serde_json::Value, product: &str) -> BTreeMap<String, minijinja::Value> {
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_string(), minijinja::Value::from(id));
    let title = rule.get("title").and_then(|t| t.as_str()).unwrap_or(id);
    ctx.insert("rule_title".to_string(), minijinja::Value::from(title));
    let idents =
        rule.get("identifiers").and_then(|i| i.as_object()).map(|m| for_product(m, product)).unwrap_or_default();
    ctx.insert("cce_identifiers".to_string(), minijinja::Value::from_serialize(&idents));
    ctx
}

/// Drops the `# platform = ...` style header lines CaC reads from a fix.
pub fn strip_fix_header(s: &str) -> String {
    s.lines()
        .filter(|l| {
            let t = l.trim_start();
            !["# platform =", "# reboot =", "# strategy =", "# complexity =", "# disruption ="]
                .iter()
                .any(|h| t.starts_with(h))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rule's own file of a language directory (`bash`, `ansible`, `oval`)
/// for `product`, chosen as CaC does: `<product>.<ext>`, then a file named
/// by a prefix of the product (`debian.sh` for debian12), then `shared`.
pub fn rule_file(dir: &Path, lang: &str, ext: &str, product: &str) -> Option<PathBuf> {
    let d = dir.join(lang);
    let exact = d.join(format!("{product}.{ext}"));
    if exact.is_file() {
        return Some(exact);
    }
    if d.is_dir() {
        for p in read_dir_sorted(&d).into_iter().rev() {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            if p.extension().is_some_and(|e| e == ext) && stem != "shared" && product.starts_with(&stem) {
                return Some(p);
            }
        }
    }
    Some(d.join(format!("shared.{ext}"))).filter(|p| p.is_file())
}

/// A YAML node read as PyYAML (YAML 1.1) reads it, which is how CaC's build
/// reads and writes Ansible: `yes`/`on` are booleans, `0644` is octal.
pub fn yaml11(n: &scapc_compiler::yaml::Node) -> serde_json::Value {
    use scapc_compiler::yaml::Value as Y;
    use serde_json::Value as J;
    match &n.value {
        Y::Null => J::Null,
        Y::Scalar { text, plain: false } => J::String(text.clone()),
        Y::Scalar { text, plain: true } => {
            let t = text.as_str();
            if matches!(t, "~" | "null" | "Null" | "NULL" | "") {
                J::Null
            } else if let Some(b) = scapc_compiler::templates::cac::yaml11_bool(t) {
                J::Bool(b)
            } else if t.len() > 1 && t.starts_with('0') && t.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                J::from(i64::from_str_radix(t, 8).unwrap())
            } else if let Ok(i) = t.parse::<i64>() {
                J::from(i)
            } else {
                J::String(t.to_string())
            }
        }
        Y::Seq(items) => J::Array(items.iter().map(yaml11).collect()),
        Y::Map(pairs) => {
            J::Object(pairs.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), yaml11(v))).collect())
        }
    }
}
