//! Fuzz target `oval_engine`: scapc-eval's OVAL interpreter on generated
//! definitions documents.
//!
//! The fuzz input drives a generator (through `arbitrary::Unstructured`)
//! that writes a structured OVAL 5.11 definitions document: criteria trees
//! with operators, negation and extend_definition (cycles included); tests
//! with check, check_existence and state_operator; textfilecontent54,
//! variable and family objects, with behaviors, filters and sets; states
//! with datatypes, operations, entity_check and var_ref; constant,
//! external and local variables whose components nest every variable
//! function. References sometimes dangle and values are sometimes
//! arbitrary text, so the reader's and the engine's error paths run too.
//!
//! The document is read (`OvalDoc::read`), every definition is evaluated
//! against a `dir:` target, and the OVAL results are written in memory. The
//! target is a small root filesystem made once per process in a temporary
//! directory; nothing outside it is read, and nothing is written at all.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use scapc_eval::oval::engine::{Engine, EngineOptions};
use scapc_eval::oval::model::OvalDoc;
use scapc_eval::probes::Cache;
use scapc_eval::target::Target;
use scapc_xml::{escape_attr, escape_text};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

/// The target root: a few configuration files, a binary file, and links
/// that point into a directory, at themselves, and out of the root.
fn target() -> &'static Target {
    static T: OnceLock<(tempfile::TempDir, Target)> = OnceLock::new();
    &T.get_or_init(|| {
        let dir = tempfile::Builder::new().prefix("scapc-fuzz-root-").tempdir().expect("a temporary directory");
        let root = dir.path();
        let w = |p: &str, s: &[u8]| {
            let p = root.join(p);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, s).unwrap();
        };
        w("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
        w("etc/a.conf", b"PermitRootLogin no\nMaxAuthTries 4\n# a comment\nkey = value\nnumber=42\n\n");
        w("etc/sub/b.conf", b"x=1\ny=2\nversion=1.2.3-4\nevr=0:1.2-3\n");
        w("etc/sub/deep/c.conf", b"ip=192.168.0.1/24\nip6=fe80::1/64\ndate=20240101\nf=1.5e3\n");
        w("etc/empty", b"");
        w("etc/bin.dat", b"abc\0def\n\xff\xfe\n");
        let link = |to: &str, at: &str| std::os::unix::fs::symlink(to, root.join(at)).unwrap();
        link("sub", "etc/link");
        link("loop", "etc/loop");
        link("../../../../..", "etc/escape");
        link("/etc/sub", "etc/abs");
        let t = Target::dir(root).expect("the temporary root is a directory");
        (dir, t)
    })
    .1
}

const OPERATORS: &[&str] = &["AND", "OR", "ONE", "XOR"];
const CHECKS: &[&str] = &["all", "at least one", "none satisfy", "none exist", "only one"];
const EXISTENCE: &[&str] = &["all_exist", "any_exist", "at_least_one_exists", "none_exist", "only_one_exists"];
const OPERATIONS: &[&str] = &[
    "equals",
    "not equal",
    "case insensitive equals",
    "case insensitive not equal",
    "greater than",
    "less than",
    "greater than or equal",
    "less than or equal",
    "bitwise and",
    "bitwise or",
    "pattern match",
    "subset of",
    "superset of",
];
const DATATYPES: &[&str] = &[
    "string",
    "int",
    "float",
    "boolean",
    "version",
    "evr_string",
    "debian_evr_string",
    "ipv4_address",
    "ipv6_address",
    "binary",
    "fileset_revision",
    "ios_version",
];
const PATHS: &[&str] = &[
    "/etc/a.conf",
    "/etc/sub/b.conf",
    "/etc/sub/deep/c.conf",
    "/etc/link/b.conf",
    "/etc/abs/b.conf",
    "/etc/loop",
    "/etc/escape/etc/passwd",
    "/etc/bin.dat",
    "/etc/empty",
    "/etc/os-release",
    "/nonexistent",
    "relative/path",
    "",
];
const DIRS: &[&str] = &["/etc", "/etc/sub", "/", "/etc/link", "/etc/loop", "/etc/escape", "/nonexistent"];
const FILE_PATTERNS: &[&str] = &[".*\\.conf$", "^b\\.conf$", ".*", "^[", "^os-release$", "a"];
const REGEXES: &[&str] = &[
    "^(\\w+)\\s+(\\S+)$",
    "^(\\w+)\\s*=\\s*(.*)$",
    ".*",
    "^PermitRootLogin\\s+(\\w+)",
    "(\\d+)\\.(\\d+)",
    "^$",
    "(a|b)*c",
    "[",
    "(?<n>\\d+)",
    "(?=x)y",
    "^\\s*#",
    "\\",
    "(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)(.)",
];
const VALUES: &[&str] = &[
    "no",
    "4",
    "42",
    "0",
    "-1",
    "1.2.3-4",
    "0:1.2-3",
    "1:2.0~rc1-1",
    "192.168.0.1/24",
    "10.0.0.0/8",
    "fe80::1/64",
    "true",
    "false",
    "unix",
    "",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e308",
    "NaN",
    "0x10",
    "20240101",
    "2024-01-01T00:00:00",
    "Mon Jan  1 00:00:00 2024",
    "1704067200",
    "deadbeef",
    "value",
];
const ITEM_FIELDS: &[&str] =
    &["text", "subexpression", "filepath", "path", "filename", "instance", "family", "value", "var_ref", "bogus"];
const TIME_FORMATS: &[&str] = &[
    "year_month_day",
    "month_day_year",
    "day_month_year",
    "win_filetime",
    "seconds_since_epoch",
    "cim_datetime",
    "bogus",
];

struct Gen<'a, 'b> {
    u: &'b mut Unstructured<'a>,
    defs: usize,
    tests: usize,
    objects: usize,
    states: usize,
    vars: usize,
}

impl Gen<'_, '_> {
    fn pick(&mut self, xs: &[&'static str]) -> Result<&'static str> {
        Ok(*self.u.choose(xs)?)
    }

    /// Mostly a known name; now and then arbitrary text.
    fn pick_or_any(&mut self, xs: &[&'static str]) -> Result<String> {
        if self.u.ratio(1, 8)? {
            self.any_text()
        } else {
            Ok(self.pick(xs)?.to_owned())
        }
    }

    fn any_text(&mut self) -> Result<String> {
        let len = self.u.int_in_range(0..=24)?;
        let mut s = String::new();
        for _ in 0..len {
            s.push(self.u.arbitrary::<char>()?);
        }
        // XML 1.0 forbids most control characters; keep the documents
        // well-formed so that the engine, not the reader, is exercised.
        Ok(s.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n')).collect())
    }

    /// An id of `kind` with an index up to `n`: index `n` dangles.
    fn id(&mut self, kind: &str, n: usize) -> Result<String> {
        Ok(format!("oval:f:{kind}:{}", self.u.int_in_range(0..=n)?))
    }

    fn criteria(&mut self, out: &mut String, depth: u32) -> Result<()> {
        let negate = self.u.ratio(1, 4)?;
        let choice = if depth == 0 { 0 } else { self.u.int_in_range(0..=5)? };
        match choice {
            0 | 1 if depth < 4 => {
                let op = self.pick(OPERATORS)?;
                let _ = write!(out, r#"<criteria operator="{op}" negate="{negate}">"#);
                for _ in 0..self.u.int_in_range(0..=3)? {
                    self.criteria(out, depth + 1)?;
                }
                out.push_str("</criteria>");
            }
            2 => {
                let d = self.id("def", self.defs)?;
                let _ = write!(out, r#"<extend_definition definition_ref="{d}" negate="{negate}"/>"#);
            }
            _ => {
                let t = self.id("tst", self.tests)?;
                let _ = write!(out, r#"<criterion test_ref="{t}" negate="{negate}"/>"#);
            }
        }
        Ok(())
    }

    fn definition(&mut self, out: &mut String, i: usize) -> Result<()> {
        let _ = write!(
            out,
            r#"<definition id="oval:f:def:{i}" version="1" class="compliance"><metadata><title>d{i}</title><description>d</description></metadata>"#
        );
        if !self.u.ratio(1, 16)? {
            self.criteria(out, 0)?;
        }
        out.push_str("</definition>");
        Ok(())
    }

    fn test(&mut self, out: &mut String, i: usize) -> Result<()> {
        let kind = self.pick(&["textfilecontent54", "variable", "family", "unknown"])?;
        let _ = write!(out, r#"<ind:{kind}_test id="oval:f:tst:{i}" version="1" comment="t""#);
        if self.u.ratio(7, 8)? {
            let c = self.pick_or_any(CHECKS)?;
            let _ = write!(out, r#" check="{}""#, escape_attr(&c));
        }
        if self.u.ratio(1, 2)? {
            let c = self.pick_or_any(EXISTENCE)?;
            let _ = write!(out, r#" check_existence="{}""#, escape_attr(&c));
        }
        if self.u.ratio(1, 4)? {
            let _ = write!(out, r#" state_operator="{}""#, self.pick(OPERATORS)?);
        }
        out.push('>');
        if self.u.ratio(15, 16)? {
            let o = self.id("obj", self.objects)?;
            let _ = write!(out, r#"<ind:object object_ref="{o}"/>"#);
        }
        for _ in 0..self.u.int_in_range(0..=2)? {
            let s = self.id("ste", self.states)?;
            let _ = write!(out, r#"<ind:state state_ref="{s}"/>"#);
        }
        let _ = write!(out, "</ind:{kind}_test>");
        Ok(())
    }

    /// An entity `name` whose value is taken from `pool`, or a `var_ref`.
    fn entity(&mut self, out: &mut String, name: &str, pool: &[&'static str], op: Option<&str>) -> Result<()> {
        let _ = write!(out, "<ind:{name}");
        let op = match op {
            Some(op) if self.u.ratio(7, 8)? => op.to_owned(),
            _ => self.pick_or_any(OPERATIONS)?,
        };
        let _ = write!(out, r#" operation="{}""#, escape_attr(&op));
        if self.u.ratio(1, 4)? {
            let _ = write!(out, r#" datatype="{}""#, escape_attr(&self.pick_or_any(DATATYPES)?));
        }
        if self.u.ratio(1, 5)? {
            let v = self.id("var", self.vars)?;
            let check = self.pick(CHECKS)?;
            let _ = write!(out, r#" var_ref="{v}" var_check="{check}"/>"#);
            return Ok(());
        }
        let value = self.pick_or_any(pool)?;
        let _ = write!(out, ">{}</ind:{name}>", escape_text(&value));
        Ok(())
    }

    fn filter(&mut self, out: &mut String) -> Result<()> {
        let action = self.pick(&["include", "exclude"])?;
        let s = self.id("ste", self.states)?;
        let _ = write!(out, r#"<filter action="{action}">{s}</filter>"#);
        Ok(())
    }

    fn set(&mut self, out: &mut String, depth: u32) -> Result<()> {
        let op = self.pick(&["UNION", "INTERSECTION", "COMPLEMENT"])?;
        let _ = write!(out, r#"<set set_operator="{op}">"#);
        if depth < 2 && self.u.ratio(1, 4)? {
            self.set(out, depth + 1)?;
            self.set(out, depth + 1)?;
        } else {
            for _ in 0..self.u.int_in_range(1..=2)? {
                let o = self.id("obj", self.objects)?;
                let _ = write!(out, "<object_reference>{o}</object_reference>");
            }
        }
        if self.u.ratio(1, 4)? {
            self.filter(out)?;
        }
        out.push_str("</set>");
        Ok(())
    }

    fn object(&mut self, out: &mut String, i: usize) -> Result<()> {
        let kind = self.pick(&["textfilecontent54", "textfilecontent54", "textfilecontent54", "variable", "family"])?;
        let _ = write!(out, r#"<ind:{kind}_object id="oval:f:obj:{i}" version="1">"#);
        if kind == "textfilecontent54" && self.u.ratio(1, 6)? {
            self.set(out, 0)?;
        } else if kind == "textfilecontent54" {
            if self.u.ratio(1, 3)? {
                out.push_str("<ind:behaviors");
                if self.u.ratio(1, 2)? {
                    let v = self.pick_or_any(&["-1", "0", "1", "2", "100"])?;
                    let _ = write!(out, r#" max_depth="{}""#, escape_attr(&v));
                }
                if self.u.ratio(1, 2)? {
                    let v = self.pick_or_any(&["none", "down", "up"])?;
                    let _ = write!(out, r#" recurse_direction="{}""#, escape_attr(&v));
                }
                if self.u.ratio(1, 3)? {
                    let v = self.pick(&["symlinks", "directories", "symlinks and directories", "files"])?;
                    let _ = write!(out, r#" recurse="{v}""#);
                }
                for b in ["multiline", "singleline", "ignore_case"] {
                    if self.u.ratio(1, 3)? {
                        let v = self.pick(&["true", "false", "1", "yes"])?;
                        let _ = write!(out, r#" {b}="{v}""#);
                    }
                }
                out.push_str("/>");
            }
            if self.u.ratio(1, 2)? {
                self.entity(out, "filepath", PATHS, Some("equals"))?;
            } else {
                let op = self.pick(&["equals", "pattern match"])?;
                self.entity(out, "path", DIRS, Some(op))?;
                let op = self.pick(&["equals", "pattern match"])?;
                let pool = if op == "equals" { PATHS } else { FILE_PATTERNS };
                self.entity(out, "filename", pool, Some(op))?;
            }
            self.entity(out, "pattern", REGEXES, Some("pattern match"))?;
            if self.u.ratio(1, 2)? {
                let v = self.pick_or_any(&["1", "2", "0", "-1"])?;
                let op = self.pick(&["greater than or equal", "equals", "less than"])?;
                let _ =
                    write!(out, r#"<ind:instance datatype="int" operation="{op}">{}</ind:instance>"#, escape_text(&v));
            } else {
                self.entity(out, "instance", &["1", "2"], Some("greater than or equal"))?;
            }
            for _ in 0..self.u.int_in_range(0..=1)? {
                self.filter(out)?;
            }
        } else if kind == "variable" {
            let v = self.id("var", self.vars)?;
            let _ = write!(out, "<ind:var_ref>{v}</ind:var_ref>");
        }
        let _ = write!(out, "</ind:{kind}_object>");
        Ok(())
    }

    fn state(&mut self, out: &mut String, i: usize) -> Result<()> {
        let kind = self.pick(&["textfilecontent54", "variable", "family"])?;
        let _ = write!(out, r#"<ind:{kind}_state id="oval:f:ste:{i}" version="1""#);
        if self.u.ratio(1, 4)? {
            let _ = write!(out, r#" operator="{}""#, self.pick(OPERATORS)?);
        }
        out.push('>');
        let names: &[&str] = match kind {
            "textfilecontent54" => &["text", "subexpression", "instance", "filepath", "path", "filename"],
            "variable" => &["var_ref", "value"],
            _ => &["family"],
        };
        for _ in 0..self.u.int_in_range(0..=3)? {
            let name = self.pick(names)?;
            let _ = write!(out, "<ind:{name}");
            let op = self.pick_or_any(OPERATIONS)?;
            let _ = write!(out, r#" operation="{}""#, escape_attr(&op));
            if self.u.ratio(1, 2)? {
                let _ = write!(out, r#" datatype="{}""#, escape_attr(&self.pick_or_any(DATATYPES)?));
            }
            if self.u.ratio(1, 4)? {
                let _ = write!(out, r#" entity_check="{}""#, self.pick(CHECKS)?);
            }
            if self.u.ratio(1, 8)? {
                let _ = write!(out, r#" check_existence="{}""#, self.pick(EXISTENCE)?);
            }
            if self.u.ratio(1, 4)? {
                let v = self.id("var", self.vars)?;
                let _ = write!(out, r#" var_ref="{v}" var_check="{}"/>"#, self.pick(CHECKS)?);
            } else {
                let pool = if name == "value" || name == "text" || name == "subexpression" {
                    VALUES
                } else if name == "family" {
                    &["unix", "windows", "ios"]
                } else {
                    PATHS
                };
                let v = self.pick_or_any(pool)?;
                let _ = write!(out, ">{}</ind:{name}>", escape_text(&v));
            }
        }
        let _ = write!(out, "</ind:{kind}_state>");
        Ok(())
    }

    fn component(&mut self, out: &mut String, depth: u32) -> Result<()> {
        let leaf = depth >= 4 || self.u.ratio(1, 3)?;
        let choice = if leaf { self.u.int_in_range(0..=2)? } else { self.u.int_in_range(3..=15)? };
        let args = |g: &mut Self, out: &mut String, min: u32, max: u32| -> Result<()> {
            for _ in 0..g.u.int_in_range(min..=max)? {
                g.component(out, depth + 1)?;
            }
            Ok(())
        };
        match choice {
            0 => {
                let o = self.id("obj", self.objects)?;
                let f = self.pick(ITEM_FIELDS)?;
                let _ = write!(out, r#"<object_component object_ref="{o}" item_field="{f}"/>"#);
            }
            1 => {
                let v = self.id("var", self.vars)?;
                let _ = write!(out, r#"<variable_component var_ref="{v}"/>"#);
            }
            2 => {
                let v = self.pick_or_any(VALUES)?;
                let _ = write!(out, "<literal_component>{}</literal_component>", escape_text(&v));
            }
            3 => {
                let op = self.pick_or_any(&["add", "multiply"])?;
                let _ = write!(out, r#"<arithmetic arithmetic_operation="{}">"#, escape_attr(&op));
                args(self, out, 1, 3)?;
                out.push_str("</arithmetic>");
            }
            4 | 5 => {
                let name = if choice == 4 { "begin" } else { "end" };
                let c = self.pick_or_any(&["/", "x", ""])?;
                let _ = write!(out, r#"<{name} character="{}">"#, escape_attr(&c));
                args(self, out, 1, 1)?;
                let _ = write!(out, "</{name}>");
            }
            6 | 7 | 8 | 14 => {
                let name = ["concat", "count", "unique", "escape_regex"][match choice {
                    6 => 0,
                    7 => 1,
                    8 => 2,
                    _ => 3,
                }];
                let _ = write!(out, "<{name}>");
                args(
                    self,
                    out,
                    if name == "escape_regex" { 1 } else { 0 },
                    if name == "escape_regex" { 1 } else { 3 },
                )?;
                let _ = write!(out, "</{name}>");
            }
            9 => {
                let p = self.pick_or_any(REGEXES)?;
                let _ = write!(out, r#"<regex_capture pattern="{}">"#, escape_attr(&p));
                args(self, out, 1, 1)?;
                out.push_str("</regex_capture>");
            }
            10 => {
                let d = self.pick_or_any(&["=", ".", "", "\\s"])?;
                let _ = write!(out, r#"<split delimiter="{}">"#, escape_attr(&d));
                args(self, out, 1, 1)?;
                out.push_str("</split>");
            }
            11 => {
                let start: i64 = if self.u.ratio(1, 2)? { self.u.int_in_range(-2..=5)? } else { self.u.arbitrary()? };
                let len: i64 = if self.u.ratio(1, 2)? { self.u.int_in_range(-2..=5)? } else { self.u.arbitrary()? };
                let _ = write!(out, r#"<substring substring_start="{start}" substring_length="{len}">"#);
                args(self, out, 1, 1)?;
                out.push_str("</substring>");
            }
            12 => {
                let f1 = self.pick(TIME_FORMATS)?;
                let f2 = self.pick(TIME_FORMATS)?;
                let _ = write!(out, r#"<time_difference format_1="{f1}" format_2="{f2}">"#);
                args(self, out, 1, 2)?;
                out.push_str("</time_difference>");
            }
            13 => {
                let n = self.pick(&["true", "false"])?;
                let _ = write!(out, r#"<glob_to_regex glob_noescape="{n}">"#);
                args(self, out, 1, 1)?;
                out.push_str("</glob_to_regex>");
            }
            _ => {
                out.push_str("<bogus_function/>");
            }
        }
        Ok(())
    }

    fn variable(&mut self, out: &mut String, i: usize) -> Result<()> {
        let dt = self.pick(&["string", "string", "int", "float", "version", "boolean", "evr_string"])?;
        match self.u.int_in_range(0..=5)? {
            0 => {
                let _ =
                    write!(out, r#"<constant_variable id="oval:f:var:{i}" version="1" datatype="{dt}" comment="c">"#);
                for _ in 0..self.u.int_in_range(0..=3)? {
                    let _ = write!(out, "<value>{}</value>", escape_text(&self.pick_or_any(VALUES)?));
                }
                out.push_str("</constant_variable>");
            }
            1 => {
                let _ =
                    write!(out, r#"<external_variable id="oval:f:var:{i}" version="1" datatype="{dt}" comment="c"/>"#);
            }
            _ => {
                let _ = write!(out, r#"<local_variable id="oval:f:var:{i}" version="1" datatype="{dt}" comment="c">"#);
                self.component(out, 0)?;
                out.push_str("</local_variable>");
            }
        }
        Ok(())
    }

    fn document(&mut self) -> Result<String> {
        let mut out = String::from(concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5""#,
            r#" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5""#,
            r#" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent""#,
            r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<generator><oval:schema_version>5.11</oval:schema_version></generator>",
        ));
        out.push_str("<definitions>");
        for i in 0..self.defs {
            self.definition(&mut out, i)?;
        }
        out.push_str("</definitions><tests>");
        for i in 0..self.tests {
            self.test(&mut out, i)?;
        }
        out.push_str("</tests><objects>");
        for i in 0..self.objects {
            self.object(&mut out, i)?;
        }
        out.push_str("</objects><states>");
        for i in 0..self.states {
            self.state(&mut out, i)?;
        }
        out.push_str("</states><variables>");
        for i in 0..self.vars {
            self.variable(&mut out, i)?;
        }
        out.push_str("</variables></oval_definitions>");
        Ok(out)
    }
}

fn generate(data: &[u8]) -> Result<String> {
    let mut u = Unstructured::new(data);
    let defs = u.int_in_range(1..=4)?;
    let tests = u.int_in_range(0..=6)?;
    let objects = u.int_in_range(0..=6)?;
    let states = u.int_in_range(0..=5)?;
    let vars = u.int_in_range(0..=6)?;
    Gen { u: &mut u, defs, tests, objects, states, vars }.document()
}

fuzz_target!(|data: &[u8]| {
    let Ok(xml) = generate(data) else { return };
    if std::env::var_os("SCAPC_FUZZ_PRINT").is_some() {
        eprintln!("{xml}");
    }
    let tree =
        scapc_xml::tree::Tree::parse(&xml).unwrap_or_else(|e| panic!("the generator wrote bad XML: {e:?}\n{xml}"));
    let doc = OvalDoc::read(&tree, tree.root());
    let cache = Cache::default();
    let mut externals = HashMap::new();
    externals.insert("oval:f:var:0".to_owned(), vec!["42".to_owned(), "value".to_owned()]);
    let options = EngineOptions { probe_timeout: Duration::from_secs(2) };
    let t = target();
    let engine = Engine::new(&doc, t, &cache, externals, options);
    let evaluated: Vec<_> = doc.definition_order.iter().map(|id| (id.clone(), engine.definition(id))).collect();
    let _ = scapc_eval::results::oval_results(&engine, &evaluated, "", t);
    debug_assert!(Path::new(t.root()).is_dir());
});
