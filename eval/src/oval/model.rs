//! An OVAL definitions document read into plain data.
//!
//! Everything is keyed by OVAL id. Reading never aborts: an element the
//! model cannot make sense of is recorded in [`OvalDoc::problems`] and the
//! parts that use it evaluate to `error`.

use super::types::{Check, Datatype, Existence, Operation, Operator};
use scapc_xml::tree::{NodeId, Tree};
use std::collections::{BTreeMap, HashMap};

pub const NS_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const NS_COMMON: &str = "http://oval.mitre.org/XMLSchema/oval-common-5";
const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, Default)]
pub struct OvalDoc {
    pub definitions: HashMap<String, Definition>,
    /// Definition ids in document order.
    pub definition_order: Vec<String>,
    pub tests: HashMap<String, Test>,
    pub objects: HashMap<String, Object>,
    pub states: HashMap<String, State>,
    pub variables: HashMap<String, Variable>,
    pub schema_version: String,
    pub problems: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Definition {
    pub id: String,
    pub version: String,
    pub class: String,
    pub title: String,
    pub description: String,
    pub references: Vec<(String, String)>,
    pub criteria: Option<Criteria>,
}

#[derive(Debug, Clone)]
pub enum Criteria {
    Node { operator: Operator, negate: bool, applicability_check: bool, children: Vec<Criteria> },
    Criterion { test_ref: String, negate: bool, applicability_check: bool },
    Extend { definition_ref: String, negate: bool, applicability_check: bool },
}

#[derive(Debug, Clone)]
pub struct Test {
    pub id: String,
    pub version: String,
    /// Schema family of the test's namespace (`independent`, `unix`, ...).
    pub family: String,
    /// Element name, e.g. `textfilecontent54_test`.
    pub kind: String,
    pub comment: String,
    pub check: Check,
    pub check_existence: Existence,
    pub state_operator: Operator,
    pub object_ref: Option<String>,
    pub state_refs: Vec<String>,
}

/// An object or state entity as written.
#[derive(Debug, Clone, Default)]
pub struct EntityDef {
    pub name: String,
    pub datatype: Datatype,
    pub operation: Operation,
    pub value: String,
    pub var_ref: Option<String>,
    pub var_check: Check,
    /// States only.
    pub entity_check: Check,
    pub check_existence: Existence,
    pub nil: bool,
    /// The fields of a `record` entity.
    pub fields: Vec<EntityDef>,
}

#[derive(Debug, Clone)]
pub struct Filter {
    pub exclude: bool,
    pub state_ref: String,
}

#[derive(Debug, Clone)]
pub enum SetOp {
    Union,
    Intersection,
    Complement,
}

#[derive(Debug, Clone)]
pub struct SetDef {
    pub op: SetOp,
    pub object_refs: Vec<String>,
    pub sets: Vec<SetDef>,
    pub filters: Vec<Filter>,
}

#[derive(Debug, Clone)]
pub struct Object {
    pub id: String,
    pub version: String,
    pub family: String,
    /// Element name without `_object`, e.g. `textfilecontent54`.
    pub kind: String,
    pub comment: String,
    pub entities: Vec<EntityDef>,
    pub behaviors: BTreeMap<String, String>,
    pub filters: Vec<Filter>,
    pub set: Option<SetDef>,
}

#[derive(Debug, Clone)]
pub struct State {
    pub id: String,
    pub version: String,
    pub family: String,
    pub kind: String,
    pub operator: Operator,
    pub entities: Vec<EntityDef>,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub id: String,
    pub version: String,
    pub datatype: Datatype,
    pub comment: String,
    pub kind: VariableKind,
}

#[derive(Debug, Clone)]
pub enum VariableKind {
    Constant(Vec<String>),
    External,
    Local(Component),
}

#[derive(Debug, Clone)]
pub enum Component {
    Object {
        object_ref: String,
        item_field: String,
        record_field: Option<String>,
    },
    Variable(String),
    Literal(String),
    Arithmetic {
        op: String,
        args: Vec<Component>,
    },
    Begin {
        character: String,
        arg: Box<Component>,
    },
    End {
        character: String,
        arg: Box<Component>,
    },
    Concat(Vec<Component>),
    Count(Vec<Component>),
    EscapeRegex(Box<Component>),
    RegexCapture {
        pattern: String,
        arg: Box<Component>,
    },
    Split {
        delimiter: String,
        arg: Box<Component>,
    },
    Substring {
        start: i64,
        length: i64,
        arg: Box<Component>,
    },
    TimeDifference {
        format1: String,
        format2: String,
        args: Vec<Component>,
    },
    Unique(Vec<Component>),
    GlobToRegex {
        noescape: bool,
        arg: Box<Component>,
    },
    /// Something the reader could not understand (the message says what).
    Invalid(String),
}

/// The family of an OVAL definitions sub-namespace: `...-5#unix` → `unix`.
pub fn family_of(ns: &str) -> &str {
    ns.rsplit_once('#').map_or("", |(_, f)| f)
}

impl OvalDoc {
    /// Reads the `oval_definitions` element `root` of `tree`.
    pub fn read(tree: &Tree, root: NodeId) -> OvalDoc {
        let mut doc = OvalDoc::default();
        if let Some(g) = tree.child(root, NS_DEF, "generator") {
            if let Some(v) = tree.child(g, NS_COMMON, "schema_version") {
                doc.schema_version = tree.text(v).trim().to_owned();
            }
        }
        for section in tree.children(root).collect::<Vec<_>>() {
            if tree.ns(section) != NS_DEF {
                continue;
            }
            match tree.local(section) {
                "definitions" => {
                    for d in tree.children(section).collect::<Vec<_>>() {
                        if tree.local(d) == "definition" {
                            doc.read_definition(tree, d);
                        }
                    }
                }
                "tests" => {
                    for t in tree.children(section).collect::<Vec<_>>() {
                        doc.read_test(tree, t);
                    }
                }
                "objects" => {
                    for o in tree.children(section).collect::<Vec<_>>() {
                        doc.read_object(tree, o);
                    }
                }
                "states" => {
                    for s in tree.children(section).collect::<Vec<_>>() {
                        doc.read_state(tree, s);
                    }
                }
                "variables" => {
                    for v in tree.children(section).collect::<Vec<_>>() {
                        doc.read_variable(tree, v);
                    }
                }
                _ => {}
            }
        }
        doc
    }

    fn id(tree: &Tree, n: NodeId) -> String {
        tree.attr(n, "id").unwrap_or("").to_owned()
    }

    fn read_definition(&mut self, tree: &Tree, d: NodeId) {
        let id = Self::id(tree, d);
        let mut def = Definition {
            id: id.clone(),
            version: tree.attr(d, "version").unwrap_or("0").to_owned(),
            class: tree.attr(d, "class").unwrap_or("").to_owned(),
            title: String::new(),
            description: String::new(),
            references: Vec::new(),
            criteria: None,
        };
        if let Some(m) = tree.child(d, NS_DEF, "metadata") {
            if let Some(t) = tree.child(m, NS_DEF, "title") {
                def.title = tree.text(t).trim().to_owned();
            }
            if let Some(t) = tree.child(m, NS_DEF, "description") {
                def.description = tree.text(t).trim().to_owned();
            }
            for r in tree.children_named(m, NS_DEF, "reference") {
                def.references.push((
                    tree.attr(r, "source").unwrap_or("").to_owned(),
                    tree.attr(r, "ref_id").unwrap_or("").to_owned(),
                ));
            }
        }
        if let Some(c) = tree.child(d, NS_DEF, "criteria") {
            def.criteria = Some(self.read_criteria(tree, c));
        }
        self.definition_order.push(id.clone());
        self.definitions.insert(id, def);
    }

    fn read_criteria(&mut self, tree: &Tree, c: NodeId) -> Criteria {
        let negate = tree.attr(c, "negate") == Some("true");
        let applicability_check = tree.attr(c, "applicability_check") == Some("true");
        match tree.local(c) {
            "criterion" => Criteria::Criterion {
                test_ref: tree.attr(c, "test_ref").unwrap_or("").to_owned(),
                negate,
                applicability_check,
            },
            "extend_definition" => Criteria::Extend {
                definition_ref: tree.attr(c, "definition_ref").unwrap_or("").to_owned(),
                negate,
                applicability_check,
            },
            _ => {
                let operator = match tree.attr(c, "operator") {
                    None => Operator::And,
                    Some(o) => Operator::parse(o).unwrap_or_else(|| {
                        self.problems.push(format!("criteria with unknown operator `{o}`"));
                        Operator::And
                    }),
                };
                let children = tree
                    .children(c)
                    .filter(|&k| tree.ns(k) == NS_DEF)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|k| self.read_criteria(tree, k))
                    .collect();
                Criteria::Node { operator, negate, applicability_check, children }
            }
        }
    }

    fn read_test(&mut self, tree: &Tree, t: NodeId) {
        let id = Self::id(tree, t);
        let family = family_of(tree.ns(t)).to_owned();
        let mut test = Test {
            id: id.clone(),
            version: tree.attr(t, "version").unwrap_or("0").to_owned(),
            family,
            kind: tree.local(t).to_owned(),
            comment: tree.attr(t, "comment").unwrap_or("").to_owned(),
            check: Check::All,
            check_existence: Existence::AtLeastOneExists,
            state_operator: Operator::And,
            object_ref: None,
            state_refs: Vec::new(),
        };
        if let Some(c) = tree.attr(t, "check") {
            test.check = Check::parse(c).unwrap_or_else(|| {
                self.problems.push(format!("{id}: unknown check `{c}`"));
                Check::All
            });
        }
        if let Some(c) = tree.attr(t, "check_existence") {
            test.check_existence = Existence::parse(c).unwrap_or_else(|| {
                self.problems.push(format!("{id}: unknown check_existence `{c}`"));
                Existence::AtLeastOneExists
            });
        }
        if let Some(c) = tree.attr(t, "state_operator") {
            test.state_operator = Operator::parse(c).unwrap_or(Operator::And);
        }
        // The deprecated check="none exist" means check_existence="none_exist"
        // (OVAL 5.3), whatever check_existence says: oscap reads it so.
        if tree.attr(t, "check") == Some("none exist") {
            test.check = Check::NoneSatisfy;
            test.check_existence = Existence::NoneExist;
        }
        for k in tree.children(t) {
            match tree.local(k) {
                "object" => test.object_ref = tree.attr(k, "object_ref").map(str::to_owned),
                "state" => {
                    if let Some(r) = tree.attr(k, "state_ref") {
                        test.state_refs.push(r.to_owned());
                    }
                }
                _ => {}
            }
        }
        self.tests.insert(id, test);
    }

    fn read_entity(&mut self, tree: &Tree, e: NodeId) -> EntityDef {
        let mut ent =
            EntityDef { name: tree.local(e).to_owned(), value: tree.text(e).to_owned(), ..Default::default() };
        if let Some(d) = tree.attr(e, "datatype") {
            ent.datatype = Datatype::parse(d).unwrap_or_else(|| {
                self.problems.push(format!("entity `{}` has unknown datatype `{d}`", ent.name));
                Datatype::String
            });
        }
        if let Some(o) = tree.attr(e, "operation") {
            ent.operation = Operation::parse(o).unwrap_or_else(|| {
                self.problems.push(format!("entity `{}` has unknown operation `{o}`", ent.name));
                Operation::Equals
            });
        }
        ent.var_ref = tree.attr(e, "var_ref").map(str::to_owned);
        if let Some(c) = tree.attr(e, "var_check") {
            ent.var_check = Check::parse(c).unwrap_or(Check::All);
        }
        if let Some(c) = tree.attr(e, "entity_check") {
            ent.entity_check = Check::parse(c).unwrap_or(Check::All);
        }
        if let Some(c) = tree.attr(e, "check_existence") {
            ent.check_existence = Existence::parse(c).unwrap_or(Existence::AtLeastOneExists);
        }
        ent.nil = tree.attr_ns(e, NS_XSI, "nil") == Some("true");
        if ent.datatype == Datatype::Record {
            for f in tree.children_named(e, NS_DEF, "field").collect::<Vec<_>>() {
                let mut fd = self.read_entity(tree, f);
                fd.name = tree.attr(f, "name").unwrap_or("").to_owned();
                ent.fields.push(fd);
            }
        }
        ent
    }

    fn read_filter(tree: &Tree, f: NodeId) -> Filter {
        Filter { exclude: tree.attr(f, "action") != Some("include"), state_ref: tree.text(f).trim().to_owned() }
    }

    fn read_set(&mut self, tree: &Tree, s: NodeId) -> SetDef {
        let op = match tree.attr(s, "set_operator").unwrap_or("UNION") {
            "INTERSECTION" => SetOp::Intersection,
            "COMPLEMENT" => SetOp::Complement,
            _ => SetOp::Union,
        };
        let mut set = SetDef { op, object_refs: Vec::new(), sets: Vec::new(), filters: Vec::new() };
        for k in tree.children(s).collect::<Vec<_>>() {
            match tree.local(k) {
                "object_reference" => set.object_refs.push(tree.text(k).trim().to_owned()),
                "set" => {
                    let inner = self.read_set(tree, k);
                    set.sets.push(inner);
                }
                "filter" => set.filters.push(Self::read_filter(tree, k)),
                _ => {}
            }
        }
        set
    }

    fn read_object(&mut self, tree: &Tree, o: NodeId) {
        let id = Self::id(tree, o);
        let local = tree.local(o);
        let mut obj = Object {
            id: id.clone(),
            version: tree.attr(o, "version").unwrap_or("0").to_owned(),
            family: family_of(tree.ns(o)).to_owned(),
            kind: local.strip_suffix("_object").unwrap_or(local).to_owned(),
            comment: tree.attr(o, "comment").unwrap_or("").to_owned(),
            entities: Vec::new(),
            behaviors: BTreeMap::new(),
            filters: Vec::new(),
            set: None,
        };
        for k in tree.children(o).collect::<Vec<_>>() {
            let name = tree.local(k);
            if tree.ns(k) == NS_DEF {
                match name {
                    "set" => obj.set = Some(self.read_set(tree, k)),
                    "filter" => obj.filters.push(Self::read_filter(tree, k)),
                    _ => {}
                }
            } else if name == "behaviors" {
                for a in &tree.node(k).attrs {
                    obj.behaviors.insert(tree.name(a.local).to_owned(), a.value.clone());
                }
            } else if tree.ns(k).starts_with(NS_DEF) {
                let e = self.read_entity(tree, k);
                obj.entities.push(e);
            }
        }
        self.objects.insert(id, obj);
    }

    fn read_state(&mut self, tree: &Tree, s: NodeId) {
        let id = Self::id(tree, s);
        let local = tree.local(s);
        let mut st = State {
            id: id.clone(),
            version: tree.attr(s, "version").unwrap_or("0").to_owned(),
            family: family_of(tree.ns(s)).to_owned(),
            kind: local.strip_suffix("_state").unwrap_or(local).to_owned(),
            operator: tree.attr(s, "operator").and_then(Operator::parse).unwrap_or(Operator::And),
            entities: Vec::new(),
        };
        for k in tree.children(s).collect::<Vec<_>>() {
            if tree.ns(k) != NS_DEF && tree.ns(k).starts_with(NS_DEF) {
                let e = self.read_entity(tree, k);
                st.entities.push(e);
            }
        }
        self.states.insert(id, st);
    }

    fn read_variable(&mut self, tree: &Tree, v: NodeId) {
        let id = Self::id(tree, v);
        let datatype = tree.attr(v, "datatype").and_then(Datatype::parse).unwrap_or(Datatype::String);
        let kind = match tree.local(v) {
            "constant_variable" => VariableKind::Constant(
                tree.children_named(v, NS_DEF, "value").map(|x| tree.text(x).to_owned()).collect(),
            ),
            "external_variable" => VariableKind::External,
            _ => {
                let comp =
                    tree.children(v).find(|&k| tree.ns(k) == NS_DEF && !matches!(tree.local(k), "notes" | "signature"));
                VariableKind::Local(match comp {
                    Some(c) => Self::read_component(tree, c),
                    None => Component::Invalid(format!("{id} has no component")),
                })
            }
        };
        self.variables.insert(
            id.clone(),
            Variable {
                id,
                version: tree.attr(v, "version").unwrap_or("0").to_owned(),
                datatype,
                comment: tree.attr(v, "comment").unwrap_or("").to_owned(),
                kind,
            },
        );
    }

    fn read_component(tree: &Tree, c: NodeId) -> Component {
        let args = || -> Vec<Component> {
            tree.children(c).filter(|&k| tree.ns(k) == NS_DEF).map(|k| Self::read_component(tree, k)).collect()
        };
        let one = || -> Box<Component> {
            Box::new(match tree.children(c).find(|&k| tree.ns(k) == NS_DEF) {
                Some(k) => Self::read_component(tree, k),
                None => Component::Invalid(format!("`{}` has no component", tree.local(c))),
            })
        };
        let attr = |a: &str| tree.attr(c, a).unwrap_or("").to_owned();
        match tree.local(c) {
            "object_component" => Component::Object {
                object_ref: attr("object_ref"),
                item_field: attr("item_field"),
                record_field: tree.attr(c, "record_field").map(str::to_owned),
            },
            "variable_component" => Component::Variable(attr("var_ref")),
            "literal_component" => Component::Literal(tree.text(c).to_owned()),
            "arithmetic" => Component::Arithmetic { op: attr("arithmetic_operation"), args: args() },
            "begin" => Component::Begin { character: attr("character"), arg: one() },
            "end" => Component::End { character: attr("character"), arg: one() },
            "concat" => Component::Concat(args()),
            "count" => Component::Count(args()),
            "escape_regex" => Component::EscapeRegex(one()),
            "regex_capture" => Component::RegexCapture { pattern: attr("pattern"), arg: one() },
            "split" => Component::Split { delimiter: attr("delimiter"), arg: one() },
            "substring" => Component::Substring {
                start: tree.attr(c, "substring_start").and_then(|s| s.trim().parse().ok()).unwrap_or(1),
                length: tree.attr(c, "substring_length").and_then(|s| s.trim().parse().ok()).unwrap_or(-1),
                arg: one(),
            },
            "time_difference" => Component::TimeDifference {
                format1: tree.attr(c, "format_1").unwrap_or("year_month_day").to_owned(),
                format2: tree.attr(c, "format_2").unwrap_or("year_month_day").to_owned(),
                args: args(),
            },
            "unique" => Component::Unique(args()),
            "glob_to_regex" => {
                Component::GlobToRegex { noescape: tree.attr(c, "glob_noescape") == Some("true"), arg: one() }
            }
            other => Component::Invalid(format!("unknown variable function `{other}`")),
        }
    }
}
