//! The content model: what a content tree says, for one product, after
//! loading and Jinja rendering. Plain data: this module does no I/O.

use scapc_diagnostics::Location;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A value with the place it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub loc: Location,
}

impl<T> Spanned<T> {
    pub fn new(value: T, loc: Location) -> Self {
        Spanned { value, loc }
    }
}

#[derive(Debug, Clone)]
pub struct ProductCpe {
    pub id: String,
    pub name: String,
    pub title: String,
    /// A non-parametrized platform whose OVAL is the inventory check.
    pub check_id: Spanned<String>,
}

/// How a content tree is laid out. Both are read by the same loader; the
/// layout only decides defaults that CaC's build has and scapc's did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Layout {
    /// scapc's own tree: `rules/`, `profiles/`, `applicability/`,
    /// `templates/`, `macros/` under the tree root.
    #[default]
    Scapc,
    /// A ComplianceAsCode checkout: `product.yml` names its
    /// `benchmark_root` (and `profiles_root`); macros in `shared/macros`,
    /// policies in `controls/`. The benchmark holds only what some profile
    /// selects, as CaC's build does.
    Cac,
}

/// The namespace of CaC's ids (`xccdf_org.ssgproject.content_rule_x`),
/// used when `product.yml` names none.
pub const DEFAULT_NAMESPACE: &str = "org.ssgproject.content";

#[derive(Debug, Clone)]
pub struct Product {
    pub id: String,
    pub full_name: String,
    pub benchmark_id: String,
    pub namespace: String,
    pub layout: Layout,
    /// Where rules, groups and values live (`benchmark_root`, default
    /// `rules/` beside `products/`).
    pub benchmark_root: PathBuf,
    /// Where this product's `*.profile` files live (`profiles_root`,
    /// default `profiles/` beside `products/`).
    pub profiles_root: PathBuf,
    pub title: String,
    pub description: String,
    pub cpes: Vec<ProductCpe>,
    pub reference_uris: BTreeMap<String, String>,
    /// Every top-level key, for Jinja.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// How the Benchmark describes itself (its `version` and `metadata`).
    pub meta: BenchmarkMeta,
    pub file: PathBuf,
}

/// The Benchmark's `version` and Dublin Core `metadata`: from the
/// product's keys (`version`, `update_uri`, `creator`, `publisher`,
/// `contributor`, `source`), for a ComplianceAsCode tree as CaC's build
/// writes them (its CMake version, the project's name, `Contributors.xml`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BenchmarkMeta {
    pub version: String,
    /// Where updates are published (`version@update`, SRC-341-1).
    pub update: Option<String>,
    pub creator: String,
    pub publisher: String,
    pub contributors: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Unknown,
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    pub const NAMES: [&'static str; 5] = ["unknown", "info", "low", "medium", "high"];
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "unknown" => Severity::Unknown,
            "info" => Severity::Info,
            "low" => Severity::Low,
            "medium" => Severity::Medium,
            "high" => Severity::High,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

#[derive(Debug, Clone)]
pub struct Group {
    /// Where each key's value starts, for diagnostics about it.
    pub locs: BTreeMap<String, Location>,
    pub id: String,
    /// Parent group id; `None` for a top-level group.
    pub parent: Option<String>,
    pub title: String,
    pub description: String,
    /// Applicability expressions (`platform:` and `platforms:`); the group
    /// applies where any of them does.
    pub platforms: Vec<Spanned<String>>,
    pub warnings: Vec<(String, String)>,
    /// Group ids (`requires:`, `conflicts:`).
    pub requires: Vec<String>,
    pub conflicts: Vec<String>,
    pub dir: PathBuf,
    pub file: PathBuf,
}

/// `template:` in a rule.
#[derive(Debug, Clone)]
pub struct TemplateUse {
    pub name: Spanned<String>,
    /// Parameter values as YAML-ish JSON, with their locations.
    pub vars: BTreeMap<String, Spanned<serde_json::Value>>,
    /// Languages switched off (`backends: {ansible: 'off'}`).
    pub disabled: Vec<String>,
}

/// Rule-local files found beside `rule.yml`.
#[derive(Debug, Clone, Default)]
pub struct RuleFiles {
    pub oval: Option<PathBuf>,
    pub sce: Option<PathBuf>,
    pub bash: Option<PathBuf>,
    pub ansible: Option<PathBuf>,
    pub tests: Vec<PathBuf>,
    /// The text of each of `oval`, `sce`, `bash`, `ansible` that exists,
    /// read when the tree is loaded (resolution reads no files).
    /// Shared with the tree's source cache, not copied.
    pub texts: BTreeMap<PathBuf, std::sync::Arc<str>>,
    /// ComplianceAsCode: the files of `oval/` and `sce/` in CaC's order of
    /// priority for the product ([`crate::cac_checks::candidates`]), each
    /// readable one's text in `texts`.
    pub oval_candidates: Vec<PathBuf>,
    pub sce_candidates: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Where each key's value starts, for diagnostics about it.
    pub locs: BTreeMap<String, Location>,
    pub id: String,
    pub group: Option<String>,
    pub title: String,
    pub description: String,
    pub rationale: String,
    pub severity: Severity,
    /// (scheme, id), e.g. ("cce", "CCE-80001-3").
    pub identifiers: Vec<Spanned<(String, String)>>,
    /// (scheme, ids) in file order.
    pub references: Vec<(String, Vec<String>)>,
    pub ocil: Option<String>,
    pub ocil_clause: Option<String>,
    pub fixtext: Option<String>,
    pub warnings: Vec<(String, String)>,
    /// Applicability expressions (`platform:` and `platforms:`); the rule
    /// applies where any of them does, as XCCDF reads several platforms.
    pub platforms: Vec<Spanned<String>>,
    /// Rule ids (`requires:`, `conflicts:`).
    pub requires: Vec<String>,
    pub conflicts: Vec<String>,
    /// STIG/SRG text keys: `srg_requirement`, `vuldiscussion`, `checktext`.
    pub srg_requirement: Option<String>,
    pub vuldiscussion: Option<String>,
    pub checktext: Option<String>,
    /// CaC's `oval_external_content`: the URL of an OVAL feed that is the
    /// rule's check (not built yet; reported).
    pub oval_external_content: Option<String>,
    pub template: Option<TemplateUse>,
    pub files: RuleFiles,
    /// Values named in the rule's own check and fix files (any product's),
    /// found when the tree is loaded.
    pub value_refs: Vec<String>,
    pub dir: PathBuf,
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    Number,
    String,
    Boolean,
}

impl ValueType {
    pub fn xccdf(self) -> &'static str {
        match self {
            ValueType::Number => "number",
            ValueType::String => "string",
            ValueType::Boolean => "boolean",
        }
    }
}

pub const OPERATORS: [&str; 7] = [
    "equals",
    "not equal",
    "greater than",
    "less than",
    "greater than or equal",
    "less than or equal",
    "pattern match",
];

#[derive(Debug, Clone)]
pub struct XValue {
    /// Where each key's value starts, for diagnostics about it.
    pub locs: BTreeMap<String, Location>,
    pub id: String,
    pub group: Option<String>,
    pub title: String,
    pub description: String,
    pub ty: ValueType,
    pub operator: String,
    pub interactive: bool,
    pub warnings: Vec<(String, String)>,
    /// (selector, value); `default` first if present.
    pub options: Vec<(String, String)>,
    pub file: PathBuf,
}

/// The location of a key, or the file when unknown.
pub fn loc_of(locs: &BTreeMap<String, Location>, key: &str, file: &std::path::Path) -> Location {
    locs.get(key).cloned().unwrap_or_else(|| Location::file(file))
}

impl XValue {
    pub fn default_value(&self) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == "default").map(|(_, v)| v.as_str())
    }
    pub fn selector(&self, sel: &str) -> Option<&str> {
        self.options.iter().find(|(k, _)| k == sel).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    Select(String),
    Unselect(String),
    SetValue {
        value: String,
        selector: String,
    },
    Refine {
        rule: String,
        attr: String,
        value: String,
    },
    /// `!rule.attr=value`: takes back a refinement the profile's controls
    /// (CaC) or extended profile (scapc) made.
    Unrefine {
        rule: String,
        attr: String,
        value: String,
    },
    /// `policy:control`, `policy:all` or `policy:all:level`: the rules and
    /// values of controls of a policy in `controls/`.
    Controls {
        policy: String,
        which: ControlPick,
    },
}

/// Which controls of a policy a profile selects.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlPick {
    All,
    Level(String),
    One(String),
}

#[derive(Debug, Clone)]
pub struct Profile {
    /// Where each key's value starts, for diagnostics about it.
    pub locs: BTreeMap<String, Location>,
    pub id: String,
    pub title: String,
    pub description: String,
    pub extends: Option<Spanned<String>>,
    pub selections: Vec<Spanned<Selection>>,
    /// `hidden: true`: resolved (its rules are in the benchmark) but not
    /// emitted as a Profile.
    pub hidden: bool,
    /// CaC's `filter_rules`: an expression over a rule's `platform` and
    /// `platforms`; a selected rule for which it is false is dropped.
    pub filter_rules: Option<Spanned<String>>,
    /// `metadata: version` and `reference` (a URL): the Profile's
    /// `<version>` and `<reference>`.
    pub version: Option<String>,
    pub reference: Option<String>,
    pub file: PathBuf,
}

/// A level of a policy (`levels:` in a controls file).
#[derive(Debug, Clone)]
pub struct Level {
    pub id: String,
    pub inherits_from: Vec<String>,
}

/// One control of a policy; nested controls are flattened into the policy
/// with their parent listing their ids in `children`.
#[derive(Debug, Clone)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub levels: Vec<String>,
    /// `rules:` entries, parsed as profile selections.
    pub selections: Vec<Spanned<Selection>>,
    /// Ids of sub-controls (nested definitions and `controls:` references,
    /// `policy:control` or `policy:all:level` for another policy).
    pub children: Vec<String>,
    pub loc: Location,
}

/// A policy from `controls/<id>.yml` (and its `controls_dir`).
#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub levels: Vec<Level>,
    pub controls: Vec<Control>,
    /// A rule reference scheme that the policy's controls add to the rules
    /// they select (`reference_type: cis`).
    pub reference_type: Option<String>,
    /// Products the references apply to (empty: all).
    pub products: Vec<String>,
    pub file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    String,
    Integer,
    Boolean,
    List,
}

impl ParamType {
    pub fn name(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Boolean => "boolean",
            ParamType::List => "list",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ParamDecl {
    pub name: String,
    pub ty: ParamType,
    pub required: bool,
    pub default: Option<serde_json::Value>,
    pub allowed: Option<Vec<serde_json::Value>>,
    pub description: String,
}

/// Output languages a template or rule can provide.
pub const LANGUAGES: [&str; 4] = ["oval", "bash", "ansible", "sce"];

#[derive(Debug, Clone)]
pub struct Template {
    pub name: String,
    pub description: String,
    pub params: Vec<ParamDecl>,
    /// (name, Jinja expression, where).
    pub derived: Vec<(String, Spanned<String>)>,
    /// language -> (file, raw source).
    pub languages: BTreeMap<String, (PathBuf, String)>,
    pub file: PathBuf,
}

/// An applicability platform from `applicability/<name>.yml`.
#[derive(Debug, Clone)]
pub struct PlatformDef {
    /// Where each key's value starts.
    pub locs: BTreeMap<String, Location>,
    pub name: String,
    /// Raw (unrendered) title; may use `{{{ arg }}}`.
    pub title: String,
    pub description: String,
    pub parametrized: bool,
    pub bash_conditional: Option<String>,
    pub ansible_conditional: Option<String>,
    pub oval_file: Option<PathBuf>,
    pub oval_source: Option<String>,
    pub file: PathBuf,
}

/// CaC's `benchmark.yml` at the benchmark root: the benchmark's own prose.
#[derive(Debug, Clone, Default)]
pub struct BenchmarkDoc {
    pub title: String,
    pub description: String,
    pub status: Option<String>,
    /// (id, text).
    pub notice: Option<(String, String)>,
    pub front_matter: Option<String>,
    pub rear_matter: Option<String>,
    pub file: PathBuf,
}

/// Everything loaded for one product.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub groups: BTreeMap<String, Group>,
    pub rules: BTreeMap<String, Rule>,
    pub values: BTreeMap<String, XValue>,
    pub profiles: BTreeMap<String, Profile>,
    pub templates: BTreeMap<String, Template>,
    pub platforms: BTreeMap<String, PlatformDef>,
    /// CaC's CPE items (`cpes_root`), by id; empty for scapc's layout.
    pub cpe_items: BTreeMap<String, CpeItem>,
    /// CaC's OVAL sources that CPE checks may name (`<cpes_root>/oval`,
    /// `shared/checks/oval`): definition id -> (file, raw text).
    pub cpe_oval_sources: BTreeMap<String, (PathBuf, String)>,
    /// CaC: each rule's own fix files, the one CaC's build takes per
    /// language (`<product>.<ext>`, then a product-prefix file, then
    /// `shared.<ext>`): rule id -> (language, file, raw text).
    pub cac_fix_sources: BTreeMap<String, Vec<(String, PathBuf, String)>>,
    /// CaC: fix languages of the templates rules use: (template, language)
    /// -> (file, raw text).
    pub cac_template_sources: BTreeMap<(String, String), (PathBuf, String)>,
    pub policies: BTreeMap<String, Policy>,
    /// CaC: the product's DISA STIG, STIG item (`stigid`) -> DISA's rule
    /// id, for `stigref` references (`cac_stig`); `None` without it.
    pub stig_rule_ids: Option<BTreeMap<String, String>>,
    /// `benchmark.yml` of a CaC benchmark root, if there is one.
    pub benchmark: Option<BenchmarkDoc>,
    /// Ids of rules, groups, values and profiles whose files failed to
    /// load. References to them are not reported again.
    pub broken: std::collections::BTreeSet<String>,
}

/// How a CaC CPE item (`shared/applicability/<id>.yml`) is checked and used.
#[derive(Debug, Clone, PartialEq)]
pub enum CpeKind {
    /// A platform without argument (`machine`): its OVAL definition is
    /// `check_id` (or the id), its conditionals are in the file.
    Plain,
    /// A parametrized platform (`package[openssh-server]`): each argument
    /// it lists (`args`) has its own parameters; `{name}` placeholders of
    /// the item's strings are replaced by them. With a `template`, its
    /// OVAL and conditionals come from `shared/templates/<template>/`.
    Parametrized {
        template: Option<CpeTemplate>,
        /// argument -> (parameter -> value), in file order.
        args: Vec<(String, Vec<(String, String)>)>,
        /// Whether version specifiers (`package[x]<7.0`) are allowed.
        versioned: bool,
    },
}

/// The template of a parametrized CPE item: its name and the sources of
/// the languages it has (`cpe-oval`, `bash`, `ansible`).
#[derive(Debug, Clone, PartialEq)]
pub struct CpeTemplate {
    pub name: String,
    /// language -> (file, raw source).
    pub languages: BTreeMap<String, (PathBuf, String)>,
}

/// One CaC CPE item (`cpes_root`), rendered for the product.
#[derive(Debug, Clone)]
pub struct CpeItem {
    pub id: String,
    /// CPE name, e.g. `cpe:/a:machine` or `cpe:/a:{arg}:{ver_specs_cpe}`.
    pub name: String,
    pub title: String,
    /// The OVAL definition checking it (default: the id).
    pub check_id: Option<String>,
    pub bash_conditional: Option<String>,
    pub ansible_conditional: Option<String>,
    pub kind: CpeKind,
    pub file: PathBuf,
}
