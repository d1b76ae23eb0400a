//! Evaluation of OVAL definitions on a target.
//!
//! Objects, variables, tests and definitions are each evaluated once and
//! memoised (`OnceLock` per id), so definitions can be evaluated in
//! parallel and share everything they have in common. Dependency cycles
//! (an object whose variable reads the object) are found before anything
//! runs and evaluate to `error`, so memoisation can never wait on itself.
//!
//! The result tables follow the OVAL 5.11 specification as OpenSCAP
//! applies it (see `types.rs`), because scapc must agree with `oscap`.

use super::compare::{self, compare};
use super::datetime;
use super::item::{Collected, EntitySpec, Item, ItemEntity, ObjectSpec};
use super::model::{Component, Criteria, EntityDef, Filter, Object, OvalDoc, SetDef, SetOp, State, Test, VariableKind};
use super::types::{Check, Datatype, Flag, Operation, Res, Status};
use crate::probes::{self, Cache, ProbeCtx};
use crate::target::Target;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// A collected object: flag, items, messages.
#[derive(Debug, Clone)]
pub struct ObjectResult {
    pub flag: Flag,
    pub items: Vec<Arc<Item>>,
    pub messages: Vec<String>,
    /// No probe exists for the object's type.
    pub unsupported: bool,
    /// Values of the variables the object used, for the results.
    pub bindings: Vec<(String, Vec<String>)>,
}

/// A variable's values and collection flag.
#[derive(Debug, Clone)]
pub struct VarResult {
    pub flag: Flag,
    pub datatype: Datatype,
    pub values: Vec<String>,
}

/// A test's result and the result for each item it examined.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub result: Res,
    pub items: Vec<(u64, Res)>,
}

/// A definition's result with its evaluated criteria tree.
#[derive(Debug, Clone)]
pub struct DefResult {
    pub result: Res,
    pub criteria: Option<CriteriaResult>,
}

#[derive(Debug, Clone)]
pub enum CriteriaResult {
    Node { operator: &'static str, negate: bool, applicability_check: bool, result: Res, children: Vec<CriteriaResult> },
    Criterion { test_ref: String, negate: bool, applicability_check: bool, result: Res },
    Extend { definition_ref: String, negate: bool, applicability_check: bool, result: Res },
}

impl CriteriaResult {
    pub fn result(&self) -> Res {
        match self {
            CriteriaResult::Node { result, .. }
            | CriteriaResult::Criterion { result, .. }
            | CriteriaResult::Extend { result, .. } => *result,
        }
    }
}

/// The most values one `arithmetic` or `concat` may produce. Both combine
/// every value of an argument with every value of the next, so a few
/// multi-valued arguments multiply; past this the function's result is an
/// error instead of exhausted memory (found by the oval_engine fuzz target).
pub const MAX_VALUES: usize = 100_000;
/// The most bytes the values of one `concat` may hold in all.
pub const MAX_VALUE_BYTES: usize = 64 << 20;

/// Options for one evaluation.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// How long one object's collection may take.
    pub probe_timeout: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions { probe_timeout: Duration::from_secs(120) }
    }
}

pub struct Engine<'a> {
    pub doc: &'a OvalDoc,
    target: &'a Target,
    cache: &'a Cache,
    externals: HashMap<String, Vec<String>>,
    options: EngineOptions,
    objects: HashMap<&'a str, OnceLock<Arc<ObjectResult>>>,
    variables: HashMap<&'a str, OnceLock<Arc<VarResult>>>,
    tests: HashMap<&'a str, OnceLock<Arc<TestResult>>>,
    definitions: HashMap<&'a str, OnceLock<Arc<DefResult>>>,
    /// Ids on a dependency cycle (objects, variables, states, definitions).
    cyclic: HashSet<String>,
    next_item: AtomicU64,
}

impl<'a> Engine<'a> {
    /// `externals` binds external variables (from XCCDF check-export).
    pub fn new(
        doc: &'a OvalDoc,
        target: &'a Target,
        cache: &'a Cache,
        externals: HashMap<String, Vec<String>>,
        options: EngineOptions,
    ) -> Engine<'a> {
        let objects = doc.objects.keys().map(|k| (k.as_str(), OnceLock::new())).collect();
        let variables = doc.variables.keys().map(|k| (k.as_str(), OnceLock::new())).collect();
        let tests = doc.tests.keys().map(|k| (k.as_str(), OnceLock::new())).collect();
        let definitions = doc.definitions.keys().map(|k| (k.as_str(), OnceLock::new())).collect();
        let cyclic = find_cycles(doc);
        Engine {
            doc,
            target,
            cache,
            externals,
            options,
            objects,
            variables,
            tests,
            definitions,
            cyclic,
            next_item: AtomicU64::new(1),
        }
    }

    /// Evaluates definitions in parallel; returns them in the given order.
    pub fn evaluate_all(&self, ids: &[String]) -> Vec<(String, Arc<DefResult>)> {
        ids.par_iter().map(|id| (id.clone(), self.definition(id))).collect()
    }

    /// Every object collected so far, by id.
    pub fn collected_objects(&self) -> Vec<(&'a str, Arc<ObjectResult>)> {
        let mut v: Vec<_> = self.objects.iter().filter_map(|(k, c)| c.get().map(|r| (*k, r.clone()))).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Every test evaluated so far, by id.
    pub fn evaluated_tests(&self) -> Vec<(&'a str, Arc<TestResult>)> {
        let mut v: Vec<_> = self.tests.iter().filter_map(|(k, c)| c.get().map(|r| (*k, r.clone()))).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    pub fn evaluated_variables(&self) -> Vec<(&'a str, Arc<VarResult>)> {
        let mut v: Vec<_> = self.variables.iter().filter_map(|(k, c)| c.get().map(|r| (*k, r.clone()))).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// A definition's result if it has been evaluated already (never
    /// evaluates).
    pub fn evaluated_definition(&self, id: &str) -> Option<Arc<DefResult>> {
        self.definitions.get(id).and_then(|c| c.get().cloned())
    }

    // ----- definitions and criteria -----

    pub fn definition(&self, id: &str) -> Arc<DefResult> {
        let Some(cell) = self.definitions.get(id) else {
            return Arc::new(DefResult { result: Res::Error, criteria: None });
        };
        if self.cyclic.contains(id) {
            return cell.get_or_init(|| Arc::new(DefResult { result: Res::Error, criteria: None })).clone();
        }
        cell.get_or_init(|| {
            let def = &self.doc.definitions[id];
            match &def.criteria {
                // A definition without criteria (deprecated ones) is not evaluated.
                None => Arc::new(DefResult { result: Res::NotEvaluated, criteria: None }),
                Some(c) => {
                    let cr = self.criteria(c);
                    Arc::new(DefResult { result: cr.result(), criteria: Some(cr) })
                }
            }
        })
        .clone()
    }

    fn criteria(&self, c: &Criteria) -> CriteriaResult {
        match c {
            Criteria::Node { operator, negate, applicability_check, children } => {
                let kids: Vec<CriteriaResult> = children.iter().map(|k| self.criteria(k)).collect();
                let r = operator.combine(kids.iter().map(|k| k.result())).negate(*negate);
                CriteriaResult::Node {
                    operator: operator.as_str(),
                    negate: *negate,
                    applicability_check: *applicability_check,
                    result: r,
                    children: kids,
                }
            }
            Criteria::Criterion { test_ref, negate, applicability_check } => {
                let r = self.test(test_ref).result.negate(*negate);
                CriteriaResult::Criterion {
                    test_ref: test_ref.clone(),
                    negate: *negate,
                    applicability_check: *applicability_check,
                    result: r,
                }
            }
            Criteria::Extend { definition_ref, negate, applicability_check } => {
                let r = self.definition(definition_ref).result.negate(*negate);
                CriteriaResult::Extend {
                    definition_ref: definition_ref.clone(),
                    negate: *negate,
                    applicability_check: *applicability_check,
                    result: r,
                }
            }
        }
    }

    // ----- tests -----

    pub fn test(&self, id: &str) -> Arc<TestResult> {
        let Some(cell) = self.tests.get(id) else {
            return Arc::new(TestResult { result: Res::Error, items: Vec::new() });
        };
        cell.get_or_init(|| Arc::new(self.eval_test(&self.doc.tests[id]))).clone()
    }

    // The branches spell out OpenSCAP's result table case by case, so some share a body.
    #[allow(clippy::if_same_then_else)]
    fn eval_test(&self, test: &Test) -> TestResult {
        let none = || TestResult { result: Res::Error, items: Vec::new() };
        // `unknown_test` always evaluates to unknown.
        if test.kind == "unknown_test" {
            return TestResult { result: Res::Unknown, items: Vec::new() };
        }
        let Some(oref) = &test.object_ref else { return none() };
        let obj = self.object(oref);
        if obj.unsupported {
            return TestResult { result: Res::NotEvaluated, items: Vec::new() };
        }
        let has_state = !test.state_refs.is_empty();
        let exists = obj.items.iter().filter(|i| i.status == Status::Exists).count();
        let errors = obj.items.iter().filter(|i| i.status == Status::Error).count();
        let mut item_results: Vec<(u64, Res)> = obj.items.iter().map(|i| (i.id, Res::NotEvaluated)).collect();
        use super::types::Existence::*;
        let result = match obj.flag {
            Flag::Error => {
                if test.check_existence == AnyExist && !has_state {
                    Res::True
                } else {
                    Res::Error
                }
            }
            Flag::NotCollected => {
                if test.check_existence == AnyExist && !has_state {
                    Res::True
                } else {
                    Res::Unknown
                }
            }
            Flag::NotApplicable => {
                if test.check_existence == AnyExist && !has_state {
                    Res::True
                } else {
                    Res::NotApplicable
                }
            }
            Flag::DoesNotExist => Res::from_bool(matches!(test.check_existence, NoneExist | AnyExist)),
            Flag::Complete => {
                let r = test.check_existence.evaluate(exists, errors);
                if r == Res::True && has_state {
                    self.check_states(test, &obj, &mut item_results)
                } else {
                    r
                }
            }
            Flag::Incomplete => {
                let mut r = match test.check_existence {
                    AnyExist => Res::True,
                    AtLeastOneExists if exists > 0 => Res::True,
                    NoneExist if exists > 0 => Res::False,
                    OnlyOneExists if exists > 1 => Res::False,
                    _ => Res::Unknown,
                };
                if r == Res::True && has_state {
                    r = self.check_states(test, &obj, &mut item_results);
                    if r == Res::True && test.check != Check::AtLeastOne {
                        r = Res::Unknown;
                    } else if r != Res::True && r != Res::False {
                        r = Res::Unknown;
                    }
                }
                r
            }
        };
        TestResult { result, items: item_results }
    }

    fn check_states(&self, test: &Test, obj: &ObjectResult, item_results: &mut [(u64, Res)]) -> Res {
        let states: Vec<Option<&State>> = test.state_refs.iter().map(|s| self.doc.states.get(s)).collect();
        let mut per_item = Vec::with_capacity(obj.items.len());
        for (k, item) in obj.items.iter().enumerate() {
            let r = match item.status {
                Status::Error | Status::NotCollected => Res::Error,
                Status::DoesNotExist => Res::False,
                Status::Exists => test.state_operator.combine(states.iter().map(|s| match s {
                    Some(s) => self.eval_item(item, s),
                    None => Res::Error,
                })),
            };
            item_results[k].1 = r;
            per_item.push(r);
        }
        test.check.combine(per_item)
    }

    /// An item against a state (OpenSCAP's `eval_item`).
    fn eval_item(&self, item: &Item, state: &State) -> Res {
        if self.cyclic.contains(&state.id) {
            return Res::Error;
        }
        let mut results = Vec::with_capacity(state.entities.len());
        for se in &state.entities {
            // textfilecontent_state/line is compared with the item's text.
            let name = if se.name == "line" && state.kind == "textfilecontent" { "text" } else { se.name.as_str() };
            let mut ent_results = Vec::new();
            for ie in item.entities.iter().filter(|e| e.name == name) {
                ent_results.push(self.eval_entity(ie, se));
            }
            let exists = item.entities.iter().filter(|e| e.status == Status::Exists).count();
            let errors = item.entities.iter().filter(|e| e.status == Status::Error).count();
            let cres = se.check_existence.evaluate(exists, errors);
            results.push(if cres == Res::True { se.entity_check.combine(ent_results) } else { cres });
        }
        state.operator.combine(results)
    }

    /// An item entity against a state entity (OpenSCAP's `_evaluate_sysent`).
    fn eval_entity(&self, ie: &ItemEntity, se: &EntityDef) -> Res {
        if ie.status == Status::DoesNotExist {
            return Res::False;
        }
        if se.var_ref.is_none() && se.datatype == Datatype::Record {
            return self.eval_record(ie, se);
        }
        self.eval_value(&ie.value, se)
    }

    /// A collected value against a state entity or record field: its value,
    /// or each value of its variable combined by `var_check`.
    fn eval_value(&self, actual: &str, se: &EntityDef) -> Res {
        match &se.var_ref {
            Some(v) => {
                let var = self.variable(v);
                match var.flag {
                    Flag::Complete | Flag::Incomplete => {
                        let rs = var.values.iter().map(|val| cmp_res(var.datatype, se.operation, actual, val));
                        se.var_check.combine(rs.collect::<Vec<_>>())
                    }
                    _ => Res::Error,
                }
            }
            None => cmp_res(se.datatype, se.operation, actual, &se.value),
        }
    }

    /// A record item entity against a record state entity (OpenSCAP's
    /// `_evaluate_sysent_record`): the only operation is `equals`; each
    /// state field is compared with every item field of its name, those
    /// results combined by the field's `entity_check`; a state field the
    /// item lacks is an error; the fields' results are ANDed.
    fn eval_record(&self, ie: &ItemEntity, se: &EntityDef) -> Res {
        if se.operation != Operation::Equals {
            return Res::Error;
        }
        let mut results = Vec::with_capacity(se.fields.len());
        for sf in &se.fields {
            let found: Vec<Res> = ie.fields_named(&sf.name).map(|f| self.eval_value(&f.value, sf)).collect();
            results.push(if found.is_empty() { Res::Error } else { sf.entity_check.combine(found) });
        }
        super::types::Operator::And.combine(results)
    }

    // ----- objects -----

    pub fn object(&self, id: &str) -> Arc<ObjectResult> {
        let Some(cell) = self.objects.get(id) else {
            return Arc::new(error_object(format!("the object {id} does not exist in the document")));
        };
        if self.cyclic.contains(id) {
            return cell
                .get_or_init(|| {
                    Arc::new(error_object(format!("the object {id} depends on itself through its variables")))
                })
                .clone();
        }
        cell.get_or_init(|| {
            let obj = &self.doc.objects[id];
            let mut r = self.collect(obj);
            if r.flag == Flag::Complete && r.items.is_empty() {
                r.flag = Flag::DoesNotExist;
            }
            Arc::new(r)
        })
        .clone()
    }

    fn collect(&self, obj: &Object) -> ObjectResult {
        if let Some(set) = &obj.set {
            let (flag, items, messages) = self.eval_set(set);
            return ObjectResult { flag, items, messages, unsupported: false, bindings: Vec::new() };
        }
        let mut bindings = Vec::new();
        // ind:variable_object: the item is the variable's values.
        if obj.family == "independent" && obj.kind == "variable" {
            let var_id = obj
                .entities
                .iter()
                .find(|e| e.name == "var_ref")
                .map(|e| e.value.trim().to_owned())
                .unwrap_or_default();
            let var = self.variable(&var_id);
            bindings.push((var_id.clone(), var.values.clone()));
            if !matches!(var.flag, Flag::Complete | Flag::Incomplete) || var.values.is_empty() {
                return ObjectResult {
                    flag: Flag::DoesNotExist,
                    items: Vec::new(),
                    messages: vec![format!("Referenced variable has no values ({var_id}).")],
                    unsupported: false,
                    bindings,
                };
            }
            let mut item = Item::new("independent", "variable_item");
            item.s("var_ref", var_id);
            // Written as strings, as oscap does; states compare them with
            // their own datatype.
            for v in &var.values {
                item.push("value", Datatype::String, v.clone());
            }
            let items = self.store(vec![item]);
            return ObjectResult { flag: Flag::Complete, items, messages: Vec::new(), unsupported: false, bindings };
        }
        let Some(probe) = probes::lookup(&obj.family, &obj.kind) else {
            return ObjectResult {
                flag: Flag::NotCollected,
                items: Vec::new(),
                messages: vec![format!("scapc has no probe for {}:{}_object", obj.family, obj.kind)],
                unsupported: true,
                bindings,
            };
        };
        // Resolve variables.
        let mut spec = ObjectSpec {
            id: obj.id.clone(),
            family: obj.family.clone(),
            kind: obj.kind.clone(),
            entities: Vec::new(),
            behaviors: obj.behaviors.clone(),
        };
        for e in &obj.entities {
            let mut es = EntitySpec {
                name: e.name.clone(),
                datatype: e.datatype,
                operation: e.operation,
                values: vec![e.value.clone()],
                var_check: e.var_check,
                nil: e.nil,
            };
            if let Some(v) = &e.var_ref {
                let var = self.variable(v);
                bindings.push((v.clone(), var.values.clone()));
                match var.flag {
                    Flag::Complete | Flag::Incomplete if !var.values.is_empty() => {
                        es.values = var.values.clone();
                        // OpenSCAP runs the probe once per value and unites
                        // the results: any value may match; but `none
                        // satisfy` keeps its meaning (the values that
                        // match none of them: MITRE's filehash58 test).
                        if es.var_check != Check::NoneSatisfy {
                            es.var_check = Check::AtLeastOne;
                        }
                    }
                    Flag::Complete | Flag::Incomplete | Flag::DoesNotExist => {
                        return ObjectResult {
                            flag: Flag::DoesNotExist,
                            items: Vec::new(),
                            messages: vec![format!("Referenced variable has no values ({v}).")],
                            unsupported: false,
                            bindings,
                        };
                    }
                    _ => {
                        return ObjectResult {
                            flag: Flag::DoesNotExist,
                            items: Vec::new(),
                            messages: vec![format!("There was a problem processing referenced variable ({v}).")],
                            unsupported: false,
                            bindings,
                        };
                    }
                }
            }
            spec.entities.push(es);
        }
        let keep = |item: &Item| self.passes_filters(item, &obj.filters);
        let ctx = ProbeCtx {
            target: self.target,
            cache: self.cache,
            deadline: Instant::now() + self.options.probe_timeout,
            keep: if obj.filters.is_empty() { None } else { Some(&keep) },
        };
        let collected = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| probe(&ctx, &spec))) {
            Ok(c) => c,
            Err(p) => {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Collected::error(format!("the {} probe failed: {msg}", obj.kind))
            }
        };
        let Collected { flag, items, messages } = collected;
        let items = self.apply_filters(items, &obj.filters);
        let flag = if flag == Flag::Complete && items.is_empty() { Flag::DoesNotExist } else { flag };
        ObjectResult { flag, items: self.store(items), messages, unsupported: false, bindings }
    }

    fn store(&self, items: Vec<Item>) -> Vec<Arc<Item>> {
        items
            .into_iter()
            .map(|mut i| {
                i.id = self.next_item.fetch_add(1, Ordering::Relaxed);
                Arc::new(i)
            })
            .collect()
    }

    fn apply_filters(&self, items: Vec<Item>, filters: &[Filter]) -> Vec<Item> {
        if filters.is_empty() {
            return items;
        }
        items.into_iter().filter(|item| self.passes_filters(item, filters)).collect()
    }

    /// Whether an item survives every filter of its object.
    fn passes_filters(&self, item: &Item, filters: &[Filter]) -> bool {
        filters.iter().all(|f| {
            let matched =
                self.doc.states.get(&f.state_ref).map(|s| self.eval_item(item, s) == Res::True).unwrap_or(false);
            if f.exclude {
                !matched
            } else {
                matched
            }
        })
    }

    #[allow(clippy::needless_late_init)] // each set operation assigns the flag at its own end
    fn eval_set(&self, set: &SetDef) -> (Flag, Vec<Arc<Item>>, Vec<String>) {
        let mut parts: Vec<(Flag, Vec<Arc<Item>>)> = Vec::new();
        let mut messages = Vec::new();
        for r in &set.object_refs {
            let o = self.object(r);
            messages.extend(o.messages.iter().cloned());
            parts.push((o.flag, o.items.clone()));
        }
        for s in &set.sets {
            let (f, i, m) = self.eval_set(s);
            messages.extend(m);
            parts.push((f, i));
        }
        let same = |a: &Item, b: &Item| a.kind == b.kind && a.entities == b.entities;
        let mut items: Vec<Arc<Item>> = Vec::new();
        let flags: Vec<Flag> = parts.iter().map(|p| p.0).collect();
        let flag;
        match set.op {
            SetOp::Union => {
                for (_, its) in &parts {
                    for i in its {
                        if !items.iter().any(|x| same(x, i)) {
                            items.push(i.clone());
                        }
                    }
                }
                flag = if flags.contains(&Flag::Error) {
                    Flag::Error
                } else if flags.iter().all(|f| *f == Flag::DoesNotExist) {
                    Flag::DoesNotExist
                } else if flags.iter().any(|f| matches!(f, Flag::Incomplete | Flag::NotCollected)) {
                    Flag::Incomplete
                } else {
                    Flag::Complete
                };
            }
            SetOp::Intersection => {
                if let Some((_, first)) = parts.first() {
                    for i in first {
                        if parts[1..].iter().all(|(_, other)| other.iter().any(|x| same(x, i))) {
                            items.push(i.clone());
                        }
                    }
                }
                flag = if flags.contains(&Flag::Error) {
                    Flag::Error
                } else if flags.iter().any(|f| matches!(f, Flag::Incomplete | Flag::NotCollected)) {
                    Flag::Incomplete
                } else {
                    Flag::Complete
                };
            }
            SetOp::Complement => {
                if let Some((_, first)) = parts.first() {
                    for i in first {
                        if !parts.get(1).is_some_and(|(_, other)| other.iter().any(|x| same(x, i))) {
                            items.push(i.clone());
                        }
                    }
                }
                flag = if flags.contains(&Flag::Error) {
                    Flag::Error
                } else if flags.first().is_some_and(|f| matches!(f, Flag::Incomplete | Flag::NotCollected)) {
                    Flag::Incomplete
                } else {
                    Flag::Complete
                };
            }
        }
        if !set.filters.is_empty() {
            items.retain(|item| {
                set.filters.iter().all(|f| {
                    let matched = self
                        .doc
                        .states
                        .get(&f.state_ref)
                        .map(|s| self.eval_item(item, s) == Res::True)
                        .unwrap_or(false);
                    matched != f.exclude
                })
            });
        }
        let flag = if flag == Flag::Complete && items.is_empty() { Flag::DoesNotExist } else { flag };
        (flag, items, messages)
    }

    // ----- variables -----

    pub fn variable(&self, id: &str) -> Arc<VarResult> {
        let Some(cell) = self.variables.get(id) else {
            return Arc::new(VarResult { flag: Flag::Error, datatype: Datatype::String, values: Vec::new() });
        };
        let dt = self.doc.variables[id].datatype;
        if self.cyclic.contains(id) {
            return cell
                .get_or_init(|| Arc::new(VarResult { flag: Flag::Error, datatype: dt, values: Vec::new() }))
                .clone();
        }
        cell.get_or_init(|| {
            let var = &self.doc.variables[id];
            let (flag, values) = match &var.kind {
                VariableKind::Constant(v) => (Flag::Complete, v.clone()),
                VariableKind::External => match self.externals.get(id) {
                    Some(v) => (Flag::Complete, v.clone()),
                    // Nothing bound: OpenSCAP reports the variable as not collected.
                    None => (Flag::NotCollected, Vec::new()),
                },
                VariableKind::Local(c) => {
                    let (f, v) = self.component(c, dt);
                    (f.unwrap_or(Flag::Error), v)
                }
            };
            Arc::new(VarResult { flag, datatype: dt, values })
        })
        .clone()
    }

    /// A component's flag (None = nothing aggregated yet) and values.
    fn component(&self, c: &Component, dt: Datatype) -> (Option<Flag>, Vec<String>) {
        match c {
            Component::Literal(v) => (Some(Flag::Complete), vec![v.clone()]),
            Component::Variable(r) => {
                let v = self.variable(r);
                (Some(v.flag), v.values.clone())
            }
            Component::Object { object_ref, item_field, record_field } => {
                let o = self.object(object_ref);
                // As OpenSCAP: every item must have the entity; a record
                // entity needs `record_field` (and has that field), any
                // other entity must not be given one.
                let mut values = Vec::new();
                for item in &o.items {
                    let mut any = false;
                    for e in item.get(item_field) {
                        any = true;
                        match (e.datatype == Datatype::Record, record_field) {
                            (true, Some(rf)) => {
                                let before = values.len();
                                values.extend(e.fields_named(rf).map(|f| f.value.clone()));
                                if values.len() == before {
                                    return (Some(Flag::Error), Vec::new());
                                }
                            }
                            (false, None) => values.push(e.value.clone()),
                            _ => return (Some(Flag::Error), Vec::new()),
                        }
                    }
                    if !any {
                        return (Some(Flag::Error), Vec::new());
                    }
                }
                (Some(o.flag), values)
            }
            Component::Concat(args) => {
                let (flag, sets) = self.components(args, dt);
                if !has_values(flag) {
                    return (flag, Vec::new());
                }
                let mut out = vec![String::new()];
                for s in sets.iter().filter(|s| !s.is_empty()) {
                    let out_bytes: usize = out.iter().map(String::len).sum();
                    let s_bytes: usize = s.iter().map(String::len).sum();
                    let bytes = out_bytes.saturating_mul(s.len()).saturating_add(s_bytes.saturating_mul(out.len()));
                    if out.len().saturating_mul(s.len()) > MAX_VALUES || bytes > MAX_VALUE_BYTES {
                        return (Some(Flag::Error), Vec::new());
                    }
                    let mut next = Vec::with_capacity(out.len() * s.len());
                    for prefix in &out {
                        for v in s {
                            next.push(format!("{prefix}{v}"));
                        }
                    }
                    out = next;
                }
                if sets.iter().all(|s| s.is_empty()) {
                    out.clear();
                }
                (flag, out)
            }
            Component::Count(args) => {
                let (flag, sets) = self.components(args, dt);
                let n: usize = if has_values(flag) { sets.iter().map(Vec::len).sum() } else { 0 };
                (flag, vec![n.to_string()])
            }
            Component::Unique(args) => {
                let (flag, sets) = self.components(args, dt);
                let mut seen = HashSet::new();
                let out = sets.into_iter().flatten().filter(|v| seen.insert(v.clone())).collect();
                (flag, out)
            }
            Component::Arithmetic { op, args } => {
                let (flag, sets) = self.components(args, dt);
                if !has_values(flag) {
                    return (flag, Vec::new());
                }
                // A float result only when a value is not an integer: oscap
                // types the result by its inputs (int variables multiplied
                // into a float variable give `15`, not `15.000000`).
                let float = dt == Datatype::Float && sets.iter().flatten().any(|v| compare::parse_int(v).is_err());
                let mut acc: Vec<f64> = vec![if op == "multiply" { 1.0 } else { 0.0 }];
                let mut first = true;
                for s in &sets {
                    if acc.len().saturating_mul(s.len()) > MAX_VALUES {
                        return (Some(Flag::Error), Vec::new());
                    }
                    let mut next = Vec::new();
                    for a in &acc {
                        for v in s {
                            let Ok(x) = compare::parse_float(v) else {
                                return (Some(Flag::Error), Vec::new());
                            };
                            next.push(if first {
                                x
                            } else if op == "multiply" {
                                a * x
                            } else {
                                a + x
                            });
                        }
                    }
                    acc = next;
                    first = false;
                }
                // a float result is written as C's `%f` writes it (oscap)
                let out =
                    acc.into_iter().map(|x| if float { format!("{x:.6}") } else { format!("{}", x as i64) }).collect();
                (flag, out)
            }
            Component::Begin { character, arg } => {
                let (flag, vals) = self.component(arg, dt);
                (
                    flag,
                    vals.into_iter()
                        .map(|v| if v.starts_with(character.as_str()) { v } else { format!("{character}{v}") })
                        .collect(),
                )
            }
            Component::End { character, arg } => {
                let (flag, vals) = self.component(arg, dt);
                (
                    flag,
                    vals.into_iter()
                        .map(|v| if v.ends_with(character.as_str()) { v } else { format!("{v}{character}") })
                        .collect(),
                )
            }
            Component::EscapeRegex(arg) => {
                let (flag, vals) = self.component(arg, dt);
                (flag, vals.into_iter().map(|v| escape_regex(&v)).collect())
            }
            Component::RegexCapture { pattern, arg } => {
                let (flag, vals) = self.component(arg, dt);
                let re = match compare::regex(pattern, false, false, false) {
                    Ok(r) => r,
                    Err(_) => return (Some(Flag::Error), Vec::new()),
                };
                let mut out = Vec::new();
                for v in vals {
                    match re.first_captures(&v) {
                        Ok(Some(groups)) => out.push(groups.into_iter().next().unwrap_or_default()),
                        Ok(None) => out.push(String::new()),
                        Err(_) => return (Some(Flag::Error), Vec::new()),
                    }
                }
                (flag, out)
            }
            Component::Split { delimiter, arg } => {
                let (flag, vals) = self.component(arg, dt);
                if delimiter.is_empty() {
                    return (flag, vals);
                }
                (
                    flag,
                    vals.iter()
                        .flat_map(|v| v.split(delimiter.as_str()).map(str::to_owned).collect::<Vec<_>>())
                        .collect(),
                )
            }
            Component::Substring { start, length, arg } => {
                let (flag, vals) = self.component(arg, dt);
                let out = vals
                    .into_iter()
                    .map(|v| {
                        let chars: Vec<char> = v.chars().collect();
                        let s = (*start).max(1) as usize - 1;
                        if s >= chars.len() {
                            return String::new();
                        }
                        let end = if *length < 0 { chars.len() } else { (s + *length as usize).min(chars.len()) };
                        chars[s..end].iter().collect()
                    })
                    .collect();
                (flag, out)
            }
            Component::GlobToRegex { noescape, arg } => {
                let (flag, vals) = self.component(arg, dt);
                (flag, vals.into_iter().map(|v| glob_to_regex(&v, *noescape)).collect())
            }
            Component::TimeDifference { format1, format2, args } => {
                let (flag, sets) = self.components(args, Datatype::String);
                if !has_values(flag) {
                    return (flag, Vec::new());
                }
                // One component: it is subtracted from the current time,
                // and format_2 applies to it.
                let (firsts, seconds) = match sets.as_slice() {
                    [only] => {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_secs() as i64)
                            .unwrap_or(0);
                        (vec![Ok(now)], only)
                    }
                    [a, b] => (a.iter().map(|v| datetime::parse(v, format1)).collect::<Vec<_>>(), b),
                    _ => return (Some(Flag::Error), Vec::new()),
                };
                // A value that does not follow its format is an error.
                let mut out = Vec::new();
                for x in &firsts {
                    for v in seconds {
                        match (x, datetime::parse(v, format2)) {
                            (Ok(a), Ok(b)) => out.push((a - b).to_string()),
                            _ => return (Some(Flag::Error), Vec::new()),
                        }
                    }
                }
                (flag, out)
            }
            Component::Invalid(_) => (Some(Flag::Error), Vec::new()),
        }
    }

    fn components(&self, args: &[Component], dt: Datatype) -> (Option<Flag>, Vec<Vec<String>>) {
        let mut flag = None;
        let mut sets = Vec::new();
        for a in args {
            let (f, v) = self.component(a, dt);
            flag = agg_flag(flag, f);
            sets.push(v);
        }
        (flag, sets)
    }
}

fn error_object(msg: String) -> ObjectResult {
    ObjectResult { flag: Flag::Error, items: Vec::new(), messages: vec![msg], unsupported: false, bindings: Vec::new() }
}

fn has_values(f: Option<Flag>) -> bool {
    matches!(f, Some(Flag::Complete) | Some(Flag::Incomplete))
}

/// OpenSCAP's flag aggregation: error > not applicable > not collected >
/// does not exist > incomplete > complete.
fn agg_flag(a: Option<Flag>, b: Option<Flag>) -> Option<Flag> {
    let rank = |f: Flag| match f {
        Flag::Error => 6,
        Flag::NotApplicable => 5,
        Flag::NotCollected => 4,
        Flag::DoesNotExist => 3,
        Flag::Incomplete => 2,
        Flag::Complete => 1,
    };
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(x), Some(y)) => Some(if rank(x) >= rank(y) { x } else { y }),
    }
}

fn cmp_res(dt: Datatype, op: Operation, actual: &str, expected: &str) -> Res {
    match compare(dt, op, actual, expected) {
        Ok(b) => Res::from_bool(b),
        Err(_) => Res::Error,
    }
}

/// Escapes the regular-expression metacharacters of a value (OVAL
/// `escape_regex`).
pub fn escape_regex(v: &str) -> String {
    let mut out = String::with_capacity(v.len() * 2);
    for c in v.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A shell glob as an anchored regular expression (OVAL `glob_to_regex`).
pub fn glob_to_regex(glob: &str, noescape: bool) -> String {
    let mut out = String::from("^");
    let mut chars = glob.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if !noescape => match chars.next() {
                Some(n) => {
                    if "\\^$.|?*+()[]{}".contains(n) {
                        out.push('\\');
                    }
                    out.push(n);
                }
                None => out.push_str(r"\\"),
            },
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '[' => {
                out.push('[');
                if chars.peek() == Some(&'!') {
                    chars.next();
                    out.push('^');
                }
                for n in chars.by_ref() {
                    out.push(n);
                    if n == ']' {
                        break;
                    }
                }
            }
            c if "^$.|+(){}".contains(c) || (c == '\\' && noescape) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push('$');
    out
}

/// Ids that lie on a dependency cycle: object → variable → object, state
/// → variable, set → object, definition → definition.
fn find_cycles(doc: &OvalDoc) -> HashSet<String> {
    let mut deps: HashMap<&str, Vec<&str>> = HashMap::new();
    fn comp_deps<'d>(c: &'d Component, out: &mut Vec<&'d str>) {
        match c {
            Component::Object { object_ref, .. } => out.push(object_ref),
            Component::Variable(v) => out.push(v),
            Component::Arithmetic { args, .. }
            | Component::Concat(args)
            | Component::Count(args)
            | Component::Unique(args)
            | Component::TimeDifference { args, .. } => args.iter().for_each(|a| comp_deps(a, out)),
            Component::Begin { arg, .. }
            | Component::End { arg, .. }
            | Component::EscapeRegex(arg)
            | Component::RegexCapture { arg, .. }
            | Component::Split { arg, .. }
            | Component::Substring { arg, .. }
            | Component::GlobToRegex { arg, .. } => comp_deps(arg, out),
            Component::Literal(_) | Component::Invalid(_) => {}
        }
    }
    fn set_deps<'d>(s: &'d SetDef, out: &mut Vec<&'d str>) {
        out.extend(s.object_refs.iter().map(String::as_str));
        out.extend(s.filters.iter().map(|f| f.state_ref.as_str()));
        s.sets.iter().for_each(|x| set_deps(x, out));
    }
    for (id, o) in &doc.objects {
        let mut d: Vec<&str> = o.entities.iter().filter_map(|e| e.var_ref.as_deref()).collect();
        if o.family == "independent" && o.kind == "variable" {
            d.extend(o.entities.iter().filter(|e| e.name == "var_ref").map(|e| e.value.trim()));
        }
        d.extend(o.filters.iter().map(|f| f.state_ref.as_str()));
        if let Some(s) = &o.set {
            set_deps(s, &mut d);
        }
        deps.insert(id, d);
    }
    for (id, s) in &doc.states {
        let fields = s.entities.iter().flat_map(|e| e.fields.iter());
        deps.insert(id, s.entities.iter().chain(fields).filter_map(|e| e.var_ref.as_deref()).collect());
    }
    for (id, v) in &doc.variables {
        let mut d = Vec::new();
        if let VariableKind::Local(c) = &v.kind {
            comp_deps(c, &mut d);
        }
        deps.insert(id, d);
    }
    fn crit_deps<'d>(c: &'d Criteria, out: &mut Vec<&'d str>) {
        match c {
            Criteria::Node { children, .. } => children.iter().for_each(|k| crit_deps(k, out)),
            Criteria::Extend { definition_ref, .. } => out.push(definition_ref),
            Criteria::Criterion { .. } => {}
        }
    }
    for (id, d) in &doc.definitions {
        let mut v = Vec::new();
        if let Some(c) = &d.criteria {
            crit_deps(c, &mut v);
        }
        deps.insert(id, v);
    }
    // Iterative DFS with colours; every node on a back edge's cycle is marked.
    let mut colour: HashMap<&str, u8> = HashMap::new();
    let mut cyclic = HashSet::new();
    let mut keys: Vec<&str> = deps.keys().copied().collect();
    keys.sort();
    for start in keys {
        if colour.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, i)) = stack.pop() {
            let next = deps.get(node).and_then(|d| d.get(i)).copied();
            match next {
                Some(n) => {
                    stack.push((node, i + 1));
                    match colour.get(n) {
                        None if deps.contains_key(n) => {
                            colour.insert(n, 1);
                            stack.push((n, 0));
                        }
                        Some(1) => {
                            // back edge: everything from n to the top is a cycle
                            let from = stack.iter().position(|(x, _)| *x == n).unwrap_or(0);
                            for (x, _) in &stack[from..] {
                                cyclic.insert(x.to_string());
                            }
                        }
                        _ => {}
                    }
                }
                None => {
                    colour.insert(node, 2);
                }
            }
        }
    }
    cyclic
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oval::model::NS_DEF;

    /// Evaluates `variables` (the inside of `<variables>`) and returns
    /// each variable's flag and number of values.
    fn eval_vars(variables: &str, ids: &[&str]) -> Vec<(Flag, usize)> {
        let xml = format!(
            r#"<oval_definitions xmlns="{NS_DEF}"><definitions/><tests/><objects/><states/><variables>{variables}</variables></oval_definitions>"#
        );
        let tree = scapc_xml::tree::Tree::parse(&xml).unwrap();
        let doc = OvalDoc::read(&tree, tree.root());
        let root = tempfile::tempdir().unwrap();
        let target = Target::dir(root.path()).unwrap();
        let cache = Cache::default();
        let e = Engine::new(&doc, &target, &cache, HashMap::new(), EngineOptions::default());
        ids.iter()
            .map(|id| {
                let v = e.variable(id);
                (v.flag, v.values.len())
            })
            .collect()
    }

    #[test]
    fn multiplying_values_past_the_limit_is_an_error_not_an_exhausted_memory() {
        // Found by the oval_engine fuzz target: an arithmetic of sixteen
        // references to a multi-valued variable ran out of 2 GB.
        let ten: String = (0..10).map(|i| format!("<value>{i}</value>")).collect();
        let refs = |n: usize| "<variable_component var_ref=\"oval:t:var:1\"/>".repeat(n);
        let vars = format!(
            r#"<constant_variable id="oval:t:var:1" version="1" datatype="int">{ten}</constant_variable>
            <local_variable id="oval:t:var:2" version="1" datatype="int"><arithmetic arithmetic_operation="add">{}</arithmetic></local_variable>
            <local_variable id="oval:t:var:3" version="1" datatype="int"><arithmetic arithmetic_operation="multiply">{}</arithmetic></local_variable>
            <local_variable id="oval:t:var:4" version="1" datatype="string"><concat>{}</concat></local_variable>
            <local_variable id="oval:t:var:5" version="1" datatype="string"><concat>{}</concat></local_variable>"#,
            refs(2),
            refs(6),
            refs(3),
            refs(6),
        );
        let got = eval_vars(&vars, &["oval:t:var:2", "oval:t:var:3", "oval:t:var:4", "oval:t:var:5"]);
        assert_eq!(got, vec![(Flag::Complete, 100), (Flag::Error, 0), (Flag::Complete, 1000), (Flag::Error, 0)]);
    }

    #[test]
    fn regex_helpers() {
        assert_eq!(escape_regex("a.b*c"), r"a\.b\*c");
        assert_eq!(glob_to_regex("/etc/*.conf", false), r"^/etc/[^/]*\.conf$");
        assert_eq!(glob_to_regex("file?[!a]", false), "^file[^/][^a]$");
    }
}
