//! Jinja rendering with ComplianceAsCode's delimiters (`{{{ }}}`,
//! `{{% %}}`, `{{# #}}`), a fuel limit and the shared macro library, in two
//! dialects: scapc's own (strict undefined variables, trimmed blocks,
//! scapc's filters) and ComplianceAsCode's (Jinja2's defaults and CaC's
//! filters, globals and Python methods, see [`cac`]).

pub mod cac;

use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};
use std::collections::{BTreeMap, HashMap};

/// Marker that `xccdf_value("x")` leaves in rendered text. Emitters turn it
/// into `<xccdf:sub idref="..."/>`. Chosen so that it cannot appear by
/// accident and survives YAML and shell quoting.
pub const SUB_OPEN: &str = "\u{1}SUB:";
pub const SUB_CLOSE: &str = "\u{1}";

/// A rendering failure with the position inside the rendered source.
#[derive(Debug, Clone)]
pub struct RenderError {
    /// Name of the template where the error happened, if it was not the
    /// source being rendered (e.g. a macro file).
    pub in_template: Option<String>,
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub message: String,
}

/// Which Jinja the sources are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// scapc's content: strict undefined variables, `trim_blocks` and
    /// `lstrip_blocks`, the trailing newline kept; each macro file is
    /// imported into every source.
    #[default]
    Scapc,
    /// ComplianceAsCode's content, rendered as CaC's Python build renders
    /// it: Jinja2's defaults (undefined prints as nothing, no block
    /// trimming, one trailing newline dropped), CaC's filters and globals,
    /// Python's methods and value printing, and every public macro of every
    /// macro file (loaded in file-name order) visible everywhere.
    Cac,
}

/// Name under which the CaC macro files are registered, concatenated.
const CAC_MACROS: &str = "<cac-macros>";

/// One environment per product. Cheap to share between threads.
pub struct Jinja {
    env: Environment<'static>,
    dialect: Dialect,
    /// `{{% from "macros/x.jinja" import a, b %}}...` prepended to every
    /// source, on the same line as its first line so line numbers stay put.
    prelude: String,
    /// CaC dialect: (first line in the concatenation, file name, lines) of
    /// each macro file, to map error lines back to the file.
    macro_spans: Vec<(u32, String, u32)>,
    /// CaC dialect: the macro library, split into macros.
    library: Option<std::sync::Arc<cac::Library>>,
    /// Sources rendered more than once are compiled once (see
    /// [`Repeated`]).
    repeated: std::sync::Arc<Repeated>,
    /// The build's memo, through which the products of a build share what
    /// they derive alike from the same text ([`Jinja::by_text`]); none
    /// unless [`Jinja::sharing`] gave it.
    shared: Option<std::sync::Arc<crate::incremental::Memo>>,
}

/// A source rendered again (a template's language file, rendered for every
/// rule that uses the template) is compiled only the first two times: the
/// second time its full text is handed to the environment's loader under a
/// key of its own, so that minijinja compiles it once and keeps it.
#[derive(Default)]
struct Repeated {
    /// Name -> hash of the source last rendered under it (first sighting).
    seen: std::sync::Mutex<HashMap<String, u64, foldhash::fast::RandomState>>,
    /// Loader key -> (the source as given, the full text compiled).
    texts: std::sync::RwLock<HashMap<String, (String, std::sync::Arc<str>), foldhash::fast::RandomState>>,
}

/// Loader keys of repeated sources start with this (no file name does).
const REPEATED_PREFIX: &str = "<repeated:";

impl Repeated {
    fn key(name: &str) -> String {
        format!("{REPEATED_PREFIX}{name}>")
    }

    /// The loader key under which `source` (named `name`) is kept, if it
    /// is; `full` gives its full text the second time it is seen.
    fn lookup(&self, name: &str, source: &str, full: impl FnOnce() -> String) -> Option<String> {
        let key = Self::key(name);
        if let Some((src, _)) = self.texts.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return (src == source).then_some(key);
        }
        let h = {
            use std::hash::BuildHasher;
            foldhash::fast::FixedState::default().hash_one(source)
        };
        let again = {
            let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
            match seen.insert(name.to_owned(), h) {
                Some(before) => before == h,
                None => false,
            }
        };
        if !again {
            return None;
        }
        let mut texts = self.texts.write().unwrap_or_else(|e| e.into_inner());
        let entry = texts.entry(key.clone()).or_insert_with(|| (source.to_owned(), full().into()));
        (entry.0 == source).then_some(key)
    }

    fn source(&self, key: &str) -> Option<String> {
        self.texts.read().unwrap_or_else(|e| e.into_inner()).get(key).map(|(_, full)| full.to_string())
    }
}

/// An environment of `dialect` with its syntax, settings, filters and
/// functions, without globals or macros.
fn base_env(dialect: Dialect) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(syntax());
    if dialect == Dialect::Scapc {
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_keep_trailing_newline(true);
    } else {
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
    }
    // minijinja would HTML-escape output of templates named *.xml or
    // *.html; scapc escapes explicitly (`escape_xml`), so never.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    // Keep source and ranges in errors in release builds too, so that an
    // undefined variable is named and located.
    env.set_debug(true);
    // A runaway loop in a template is an error, not a hang.
    env.set_fuel(Some(5_000_000));
    env.set_recursion_limit(200);
    env.add_filter("escape_xml", |s: String| scapc_xml::escape_attr(&s).into_owned());
    env.add_function("xccdf_value", |id: String| format!("{SUB_OPEN}{id}{SUB_CLOSE}"));
    if dialect == Dialect::Cac {
        cac::register(&mut env);
    } else {
        env.add_filter("escape_regex", |s: String| escape_regex(&s));
        env.add_filter("escape_id", |s: String| escape_id(&s));
        env.add_filter("quote", |s: String| shell_quote(&s));
    }
    env
}

fn syntax() -> SyntaxConfig {
    SyntaxConfig::builder()
        .block_delimiters("{{%", "%}}")
        .variable_delimiters("{{{", "}}}")
        .comment_delimiters("{{#", "#}}")
        .build()
        .expect("static delimiters are valid")
}

/// Escapes regular-expression metacharacters (POSIX ERE and PCRE).
pub fn escape_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "\\.^$|?*+()[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn escape_id(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

impl Jinja {
    /// `macros` are (name, source) pairs, e.g. ("macros/bash.jinja", "...").
    /// `globals` are the product variables.
    pub fn new(
        macros: &[(String, String)],
        globals: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Jinja, (String, RenderError)> {
        Self::with_dialect(Dialect::Scapc, macros, globals)
    }

    /// An environment for sources written for `dialect`. For
    /// [`Dialect::Cac`], `macros` are the files of `shared/macros` (in any
    /// order: they are loaded sorted by file name, as CaC does) and
    /// `globals` the product's properties.
    pub fn with_dialect(
        dialect: Dialect,
        macros: &[(String, String)],
        globals: &BTreeMap<String, serde_json::Value>,
    ) -> Result<Jinja, (String, RenderError)> {
        let mut env = base_env(dialect);
        for (k, v) in globals {
            env.add_global(k.clone(), Value::from_serialize(v));
        }
        if dialect == Dialect::Cac {
            return Self::cac_macros(env, macros);
        }
        let mut imports = Vec::new();
        for (name, src) in macros {
            env.add_template_owned(name.clone(), src.clone()).map_err(|e| (name.clone(), convert(&e, name)))?;
            let names = macro_names(src);
            if !names.is_empty() {
                imports.push(format!("{{{{% from \"{}\" import {} %}}}}", name, names.join(", ")));
            }
        }
        // trim_blocks would eat the newline after the prelude, but the
        // prelude has none: it sits on line 1 in front of the source.
        let prelude = imports.concat();
        let repeated = std::sync::Arc::new(Repeated::default());
        let r = repeated.clone();
        env.set_loader(move |name| Ok(r.source(name)));
        Ok(Jinja { env, dialect, prelude, macro_spans: Vec::new(), library: None, repeated, shared: None })
    }

    /// CaC makes every public macro of every macro file a global, so a
    /// macro may call one from a file loaded later. minijinja's macros live
    /// in the template that defines them, so the files are joined (in
    /// file-name order) into one library. Evaluating all of it for every
    /// source would be slow, so each source imports a module holding only
    /// the macros it calls, directly or through other macros (and the
    /// library's top-level `set`s), each at its line in the library so that
    /// errors map back to the files.
    fn cac_macros(mut env: Environment<'static>, macros: &[(String, String)]) -> Result<Jinja, (String, RenderError)> {
        let mut files: Vec<&(String, String)> = macros.iter().collect();
        files.sort_by(|a, b| file_name(&a.0).cmp(file_name(&b.0)).then(a.0.cmp(&b.0)));
        let mut joined = String::new();
        let mut spans = Vec::new();
        let mut line = 1u32;
        for (name, src) in files {
            let src = cac::rewrite(src);
            let mut text = src.into_owned();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            let lines = text.matches('\n').count() as u32;
            spans.push((line, name.clone(), lines));
            line += lines;
            joined.push_str(&text);
        }
        let jinja = Jinja {
            env: Environment::new(),
            dialect: Dialect::Cac,
            prelude: String::new(),
            macro_spans: spans,
            library: None,
            repeated: std::sync::Arc::new(Repeated::default()),
            shared: None,
        };
        // Every product of a tree has the same library: it is checked and
        // split once per process, not once per product.
        static PREPARED: std::sync::Mutex<Vec<(String, std::sync::Arc<cac::Library>)>> =
            std::sync::Mutex::new(Vec::new());
        let known = PREPARED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(text, _)| *text == joined)
            .map(|(_, l)| l.clone());
        let library = match known {
            Some(l) => l,
            None => {
                // The whole library must compile; errors name the file and line.
                if let Err(e) = env.template_from_named_str(CAC_MACROS, &joined) {
                    let e = jinja.locate(convert(&e, CAC_MACROS));
                    return Err((e.in_template.clone().unwrap_or_default(), e));
                }
                let l = std::sync::Arc::new(cac::Library::new(&joined));
                let mut prepared = PREPARED.lock().unwrap_or_else(|e| e.into_inner());
                // A long-lived process (tests) keeps a few libraries, not all.
                if prepared.len() >= 4 {
                    prepared.remove(0);
                }
                prepared.push((joined.clone(), l.clone()));
                l
            }
        };
        let lib = library.clone();
        let repeated = jinja.repeated.clone();
        env.set_loader(move |name| {
            Ok(if name.starts_with(REPEATED_PREFIX) { repeated.source(name) } else { lib.module_source(name) })
        });
        Ok(Jinja { env, library: Some(library), ..jinja })
    }

    /// Which dialect this environment renders.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Maps an error inside the joined CaC macro files to its file and line.
    fn locate(&self, mut e: RenderError) -> RenderError {
        if e.in_template.as_deref().is_some_and(|t| t.starts_with(CAC_MACROS.trim_end_matches('>'))) {
            if let Some(l) = e.line {
                if let Some((start, name, _)) = self.macro_spans.iter().rev().find(|(s, _, _)| *s <= l) {
                    e.in_template = Some(name.clone());
                    e.line = Some(l - start + 1);
                }
            }
        }
        e
    }

    /// Renders `source` (named `name` in errors) with `ctx` in scope.
    /// This environment, sharing with the other products of the build
    /// what they derive alike from the same text, through `memo`
    /// ([`crate::incremental::Memo::by_text`], on in a build of several
    /// products).
    pub fn sharing(mut self, memo: std::sync::Arc<crate::incremental::Memo>) -> Jinja {
        self.shared = Some(memo);
        self
    }

    /// Whether [`Jinja::by_text`] shares (else it makes every time).
    pub(crate) fn shares(&self) -> bool {
        self.shared.as_ref().is_some_and(|m| m.sharing_texts())
    }

    /// What `make` derives from `text` alone (a `kind` of result, the same
    /// for every product): shared with the build's other products when
    /// [`Jinja::shares`], else made.
    pub(crate) fn by_text<T: std::any::Any + Send + Sync>(
        &self,
        kind: &'static str,
        text: &str,
        make: impl FnOnce() -> T,
    ) -> std::sync::Arc<T> {
        match &self.shared {
            Some(m) => m.by_text(kind, text, make),
            None => std::sync::Arc::new(make()),
        }
    }

    pub fn render(&self, name: &str, source: &str, ctx: &BTreeMap<String, Value>) -> Result<String, RenderError> {
        if !has_jinja(source) {
            return Ok(source.to_owned());
        }
        let full_text = || {
            let source = match self.dialect {
                Dialect::Cac => cac::rewrite(source),
                Dialect::Scapc => std::borrow::Cow::Borrowed(source),
            };
            match &self.library {
                Some(lib) => format!("{}{}", lib.prelude(&source), source),
                None => format!("{}{}", self.prelude, source),
            }
        };
        if let Some(key) = self.repeated.lookup(name, source, full_text) {
            // Errors name the source as an uncached rendering does.
            let named = |e: minijinja::Error| {
                let mut r = self.locate(convert(&e, &key));
                if r.in_template.as_deref() == Some(key.as_str()) {
                    r.in_template = None;
                }
                r
            };
            let tmpl = self.env.get_template(&key).map_err(named)?;
            return tmpl.render(Value::from_serialize(ctx)).map_err(named);
        }
        // The full text (CaC's tags rewritten, the macros it names imported)
        // depends on the source and the tree's macro library alone.
        let kind = match self.dialect {
            Dialect::Cac => "jinja-full-text-cac",
            Dialect::Scapc => "jinja-full-text",
        };
        let full = self.by_text(kind, source, full_text);
        let tmpl = self.env.template_from_named_str(name, &full).map_err(|e| self.locate(convert(&e, name)))?;
        tmpl.render(Value::from_serialize(ctx)).map_err(|e| self.locate(convert(&e, name)))
    }

    /// Evaluates a Jinja *expression* (no delimiters), for template
    /// `derived:` parameters.
    pub fn eval_expr(&self, expr: &str, ctx: &BTreeMap<String, Value>) -> Result<Value, RenderError> {
        if let Some((col, c)) = unbalanced_closer(expr) {
            return Err(RenderError {
                in_template: None,
                line: Some(1),
                col: Some(col),
                message: format!("Jinja syntax error: `{c}` closes nothing"),
            });
        }
        let e = self.env.compile_expression(expr).map_err(|e| convert(&e, "<expression>"))?;
        e.eval(Value::from_serialize(ctx)).map_err(|e| convert(&e, "<expression>"))
    }
}

/// Evaluates one of the compiler's own CaC-dialect Jinja expressions (the
/// template preprocessing steps) over `ctx` alone: CaC's filters and
/// functions, but no product globals and no macros, as CaC's
/// `template.py` sees only the rule's parameters. Each expression is
/// compiled once per process.
pub fn eval_own_expr(expr: &'static str, ctx: &Value) -> Result<Value, RenderError> {
    use std::sync::{Arc, OnceLock, RwLock};
    type Compiled = Arc<Result<minijinja::Expression<'static, 'static>, RenderError>>;
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    static EXPRS: OnceLock<RwLock<HashMap<&'static str, Compiled>>> = OnceLock::new();
    let exprs = EXPRS.get_or_init(Default::default);
    let found = exprs.read().unwrap_or_else(|e| e.into_inner()).get(expr).cloned();
    let compiled = match found {
        Some(c) => c,
        None => {
            let env = ENV.get_or_init(|| base_env(Dialect::Cac));
            let c = match unbalanced_closer(expr) {
                Some((col, c)) => Err(RenderError {
                    in_template: None,
                    line: Some(1),
                    col: Some(col),
                    message: format!("Jinja syntax error: `{c}` closes nothing"),
                }),
                None => env.compile_expression(expr).map_err(|e| convert(&e, "<expression>")),
            };
            let c = Arc::new(c);
            exprs.write().unwrap_or_else(|e| e.into_inner()).entry(expr).or_insert(c).clone()
        }
    };
    match &*compiled {
        Ok(e) => e.eval(ctx).map_err(|e| convert(&e, "<expression>")),
        Err(e) => Err(e.clone()),
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The first closing bracket (1-based column, bracket) that is outside
/// every string and every open bracket of an expression. Such an
/// expression is never valid, and minijinja's expression lexer panics on
/// some of them (a `}}}` there ends the expression's lexer state).
fn unbalanced_closer(expr: &str) -> Option<(u32, char)> {
    let mut depth = 0u32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in expr.chars().enumerate() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => return Some((i as u32 + 1, c)),
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            },
        }
    }
    None
}

/// Quick test whether a text uses Jinja at all (most rule.yml files don't).
pub fn has_jinja(s: &str) -> bool {
    s.contains("{{{") || s.contains("{{%") || s.contains("{{#")
}

fn macro_names(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = src;
    while let Some(i) = rest.find("{{%") {
        rest = &rest[i + 3..];
        let t = rest.trim_start_matches(['-', '+', ' ', '\t']);
        if let Some(after) = t.strip_prefix("macro") {
            let after = after.trim_start();
            let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() && !name.starts_with('_') {
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn convert(e: &minijinja::Error, rendered_name: &str) -> RenderError {
    let mut message = match e.kind() {
        ErrorKind::UndefinedError => "undefined variable or attribute".to_owned(),
        ErrorKind::SyntaxError => "Jinja syntax error".to_owned(),
        ErrorKind::OutOfFuel => "the template ran too long (endless loop?)".to_owned(),
        k => format!("{k}"),
    };
    if let Some(d) = e.detail() {
        message.push_str(": ");
        message.push_str(d);
    }
    // For undefined errors name the expression, which minijinja does not.
    if e.kind() == ErrorKind::UndefinedError {
        if let (Some(src), Some(range)) = (e.template_source(), e.range()) {
            if let Some(text) = src.get(range) {
                message = format!("undefined variable `{}`", text.trim());
            }
        }
    }
    let in_template = e.name().filter(|n| *n != rendered_name).map(str::to_owned);
    // Column of the failing expression; line 1 carries the macro prelude,
    // so only lines after it have a trustworthy column.
    let col = match (e.template_source(), e.range(), e.line()) {
        (Some(src), Some(r), Some(l)) if l > 1 && r.start <= src.len() => {
            let start = src[..r.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
            Some(src[start..r.start].chars().count() as u32 + 1)
        }
        _ => None,
    };
    RenderError { in_template, line: e.line().map(|l| l as u32), col, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(k, v)| (k.to_string(), Value::from(*v))).collect()
    }

    #[test]
    fn cac_delimiters_macros_and_filters() {
        let macros =
            vec![("macros/t.jinja".to_string(), "{{% macro greet(who) %}}hi {{{ who }}}{{% endmacro %}}".to_string())];
        let mut g = BTreeMap::new();
        g.insert("product".to_string(), serde_json::json!("debian12"));
        let j = Jinja::new(&macros, &g).unwrap();
        let out = j
            .render(
                "x",
                "{{# c #}}{{{ greet(name) }}} {{{ product }}} {{{ 'a.b' | escape_regex }}}\n",
                &ctx(&[("name", "bob")]),
            )
            .unwrap();
        assert_eq!(out, "hi bob debian12 a\\.b\n");
    }

    #[test]
    fn strict_undefined_reports_line_and_name() {
        let j = Jinja::new(&[], &BTreeMap::new()).unwrap();
        let e = j.render("f", "a\nb {{{ nope }}}\n", &BTreeMap::new()).unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("`nope`"), "{}", e.message);
    }

    #[test]
    fn xml_named_sources_are_not_auto_escaped() {
        let j = Jinja::new(&[], &BTreeMap::new()).unwrap();
        let out =
            j.render("oval/shared.xml", "{{{ '\"a\" & b' }}} {{{ '<' | escape_xml }}}", &BTreeMap::new()).unwrap();
        assert_eq!(out, "\"a\" & b &lt;");
    }

    #[test]
    fn xccdf_value_marker() {
        let j = Jinja::new(&[], &BTreeMap::new()).unwrap();
        let out = j.render("f", "v={{{ xccdf_value('var_x') }}}", &BTreeMap::new()).unwrap();
        assert_eq!(out, format!("v={SUB_OPEN}var_x{SUB_CLOSE}"));
    }

    #[test]
    fn a_closing_bracket_at_the_top_of_an_expression_is_an_error_not_a_panic() {
        // Found by the yaml_jinja fuzz target: minijinja's expression lexer
        // panicked ("empty lexer stack") on these.
        let j = Jinja::new(&[], &BTreeMap::new()).unwrap();
        for (expr, col) in [("d }}} i", 3), ("}}}", 1), ("x }} y", 3), ("x %}} y", 4), ("(a))", 4)] {
            let e = j.eval_expr(expr, &BTreeMap::new()).unwrap_err();
            assert_eq!((e.line, e.col), (Some(1), Some(col)), "{expr}: {}", e.message);
            assert!(e.message.contains("closes nothing"), "{expr}: {}", e.message);
        }
        // Brackets inside strings and nested ones are fine.
        let v = j.eval_expr("{'a': {'b': '}}}'}}['a']['b'] ~ ')'", &BTreeMap::new()).unwrap();
        assert_eq!(v.to_string(), "}}})");
    }

    #[test]
    fn endless_loop_runs_out_of_fuel() {
        let j = Jinja::new(&[], &BTreeMap::new()).unwrap();
        let e = j
            .render(
                "f",
                "{{% for i in range(100000) %}}{{% for k in range(100000) %}}x{{% endfor %}}{{% endfor %}}",
                &BTreeMap::new(),
            )
            .unwrap_err();
        assert!(e.message.contains("too long") || e.message.contains("range"), "{}", e.message);
    }
}
