//! Applicability: the benchmark's CPE platforms and the CPE dictionary
//! items they name become platform expressions (`a and not b`) and
//! `applicability/<name>.{yml,xml}` files, each with the inventory OVAL
//! definition that checks it.

use crate::doc::{kid, kid_text, kids};
use scapc_xml::Element;
use std::collections::{BTreeMap, HashMap};

/// Where a CPE name's OVAL check is: (the component-ref its href is
/// relative to, href, definition id).
pub type CheckRef = (String, String, String);

/// One CPE name the content uses, as a platform of the tree.
#[derive(Debug, Clone)]
pub struct Platform {
    pub name: String,
    pub title: String,
    /// (component-ref the check href is relative to, href, definition id).
    pub check: Option<CheckRef>,
}

/// The CPE dictionaries and the benchmark's platform specification.
#[derive(Default)]
pub struct Cpes {
    /// CPE name → (title, check) from the dictionaries; the check is
    /// (dictionary component-ref id, href, definition id).
    items: HashMap<String, (String, Option<CheckRef>)>,
    /// Platform id → its logical test.
    specs: HashMap<String, Element>,
    /// Platforms used, by tree name.
    pub used: BTreeMap<String, Platform>,
    by_cpe: HashMap<String, String>,
    /// The checklist's component-ref, for hrefs inside the benchmark.
    bench_ref: String,
    /// Fact references to CPE names no dictionary checks (left out).
    pub unchecked: usize,
}

impl Cpes {
    pub fn new(bench: &Element, bench_ref: &str) -> Cpes {
        let mut c = Cpes { bench_ref: bench_ref.to_owned(), ..Cpes::default() };
        if let Some(spec) = kid(bench, "cpe-lang:platform-specification") {
            for p in kids(spec, "cpe-lang:platform") {
                if let (Some(id), Some(lt)) = (p.attr("id"), kid(p, "cpe-lang:logical-test")) {
                    c.specs.insert(id.to_owned(), lt.clone());
                }
            }
        }
        c
    }

    /// Adds the items of one CPE dictionary (`cpe-list`), read through
    /// the component-ref `dict_ref`.
    pub fn add_dictionary(&mut self, list: &Element, dict_ref: &str) {
        for item in kids(list, "cpe-dict:cpe-item") {
            let Some(name) = item.attr("name") else { continue };
            let title = kid_text(item, "cpe-dict:title").unwrap_or_else(|| name.to_owned());
            let check = kids(item, "cpe-dict:check")
                .find(|ch| ch.attr("system") == Some(crate::doc::OVAL_DEF))
                .and_then(|ch| Some((dict_ref.to_owned(), ch.attr("href")?.to_owned(), ch.text().trim().to_owned())));
            self.items.entry(name.to_owned()).or_insert((title, check));
        }
    }

    /// The tree's platform name for a CPE name (registered as used);
    /// `None` for a name no dictionary checks (the tree cannot say it).
    pub fn platform_of_cpe(&mut self, cpe: &str) -> Option<String> {
        if let Some(n) = self.by_cpe.get(cpe) {
            return Some(n.clone());
        }
        let (title, check) = self.items.get(cpe).cloned()?;
        check.as_ref()?;
        let tail = cpe.strip_prefix("cpe:/").map(|r| r.get(2..).unwrap_or(r)).unwrap_or(cpe);
        let name = self.fresh(&crate::sanitize(tail));
        self.by_cpe.insert(cpe.to_owned(), name.clone());
        self.used.insert(name.clone(), Platform { name: name.clone(), title, check });
        Some(name)
    }

    fn fresh(&self, base: &str) -> String {
        let base = if base.is_empty() { "platform" } else { base };
        let mut name = base.to_owned();
        let mut n = 1;
        while self.used.contains_key(&name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        name
    }

    /// A rule's or group's `<platform idref>` as an expression over the
    /// tree's platform names; `None` when it names nothing known.
    pub fn expression(&mut self, idref: &str) -> Option<String> {
        match idref.strip_prefix('#') {
            Some(id) => {
                let lt = self.specs.get(id)?.clone();
                Some(self.logical(&lt))
            }
            None => self.platform_of_cpe(idref),
        }
    }

    fn logical(&mut self, lt: &Element) -> String {
        let and = !lt.attr("operator").unwrap_or("AND").eq_ignore_ascii_case("OR");
        let mut parts = Vec::new();
        for c in lt.elements() {
            match c.name.as_str() {
                "cpe-lang:fact-ref" => match c.attr("name").and_then(|n| self.platform_of_cpe(n)) {
                    Some(n) => parts.push(n),
                    None => self.unchecked += 1,
                },
                "cpe-lang:check-fact-ref" => {
                    if let (Some(href), Some(def)) = (c.attr("href"), c.attr("id-ref")) {
                        parts.push(self.check_fact(href, def));
                    }
                }
                "cpe-lang:logical-test" => parts.push(self.logical(c)),
                _ => {}
            }
        }
        let e = if parts.len() == 1 {
            parts.pop().unwrap_or_default()
        } else {
            let wrapped: Vec<String> =
                parts.iter().map(|p| if p.contains(' ') { format!("({p})") } else { p.clone() }).collect();
            wrapped.join(if and { " and " } else { " or " })
        };
        if lt.attr("negate").is_some_and(|n| n == "true" || n == "1") {
            if e.contains(' ') {
                return format!("not ({e})");
            }
            return format!("not {e}");
        }
        e
    }

    fn check_fact(&mut self, href: &str, def: &str) -> String {
        let key = format!("{href}#{def}");
        if let Some(n) = self.by_cpe.get(&key) {
            return n.clone();
        }
        let name = self.fresh(&crate::sanitize(&crate::oval::base_name(def)));
        self.by_cpe.insert(key, name.clone());
        let check = Some((self.bench_ref.clone(), href.to_owned(), def.to_owned()));
        self.used.insert(name.clone(), Platform { name: name.clone(), title: def.to_owned(), check });
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_tests_become_expressions() {
        let src = r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" xmlns:cpe-lang="http://cpe.mitre.org/language/2.0"><cpe-lang:platform-specification><cpe-lang:platform id="p"><cpe-lang:logical-test operator="AND" negate="false"><cpe-lang:fact-ref name="cpe:/a:machine"/><cpe-lang:logical-test operator="OR" negate="true"><cpe-lang:fact-ref name="cpe:/a:x"/><cpe-lang:fact-ref name="cpe:/a:y-z"/></cpe-lang:logical-test></cpe-lang:logical-test></cpe-lang:platform></cpe-lang:platform-specification></Benchmark>"#;
        let mut extra = crate::doc::Extra::default();
        let b = crate::doc::parse(src, &mut extra).unwrap();
        let mut c = Cpes::new(&b, "r");
        let check = |d: &str| {
            format!("<cpe-dict:check system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\" href=\"o.xml\">{d}</cpe-dict:check>")
        };
        let dict = format!(
            r#"<cpe-dict:cpe-list xmlns:cpe-dict="http://cpe.mitre.org/dictionary/2.0"><cpe-dict:cpe-item name="cpe:/a:machine">{}</cpe-dict:cpe-item><cpe-dict:cpe-item name="cpe:/a:x">{}</cpe-dict:cpe-item><cpe-dict:cpe-item name="cpe:/a:y-z">{}</cpe-dict:cpe-item><cpe-dict:cpe-item name="cpe:/o:debian:debian_linux:11">{}</cpe-dict:cpe-item></cpe-dict:cpe-list>"#,
            check("a"),
            check("b"),
            check("c"),
            check("d")
        );
        c.add_dictionary(&crate::doc::parse(&dict, &mut extra).unwrap(), "d");
        assert_eq!(c.expression("#p").unwrap(), "machine and (not (x or y_z))");
        assert_eq!(c.expression("cpe:/o:debian:debian_linux:11").unwrap(), "debian_debian_linux_11");
        assert_eq!(c.expression("cpe:/a:unknown"), None);
    }
}
