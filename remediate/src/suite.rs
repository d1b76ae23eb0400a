//! `scapc test`: every scenario of the chosen rules, each in its own
//! sandbox ([`crate::sandbox`]), in parallel; the outcome per scenario with
//! its findings and evidence; text, JSON and JUnit reports.

use crate::cac;
use crate::fix::{self, FixType, PlanOptions};
use crate::sandbox::{self, EngineKind, Job, Outcome, Remediation};
use crate::scenario::{self, Expect, Scenario};
use scapc_eval::oval::engine::EngineOptions;
use scapc_eval::target::Target;
use scapc_eval::xccdf::content::{Benchmark, CheckSpec, Content, Profile};
use scapc_eval::xccdf::run;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The id of the tailoring profile a job evaluates with.
const TEST_PROFILE: &str = "xccdf_org.scapc.test_profile_scenario";

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// It gave what it promises (and the fix fixed, idempotently).
    Passed,
    /// A finding: the check or the fix misbehaves.
    Failed,
    /// It could not run (the script failed, setup failed).
    Error,
    /// Not for this product, or needs what is not asked for.
    Skipped,
}

/// One scenario's report.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioReport {
    pub rule: String,
    pub rule_id: String,
    pub scenario: String,
    /// `template <name>` for a ComplianceAsCode template's scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub expect: Expect,
    pub status: Status,
    /// Why it did not pass, in words shared by every scenario with the
    /// same trouble (empty when it passed); the summary groups by it.
    pub cause: String,
    pub findings: Vec<String>,
    pub steps: Vec<sandbox::Step>,
    pub seconds: f64,
}

/// Called as scenarios finish: (done, total, the report).
pub type ProgressFn<'a> = dyn Fn(usize, usize, &ScenarioReport) + Sync + 'a;

/// Settings of a test run.
pub struct Settings<'a> {
    /// The built data stream.
    pub ds: &'a Path,
    pub product: &'a str,
    /// The content tree (its `tests/shared` is `$SHARED`).
    pub tree: &'a Path,
    pub base: &'a Path,
    /// Where layers and job directories go.
    pub work: &'a Path,
    /// This binary, which has the hidden job commands.
    pub exe: &'a Path,
    /// Short ids, directory names or full ids; empty for every rule.
    pub rules: &'a [String],
    pub remediation: Remediation,
    pub engine: EngineKind,
    pub jobs: usize,
    pub timeout: u64,
    /// ComplianceAsCode trees: run a template's scenarios for every rule
    /// using the template, not only the first (Automatus's
    /// `--duplicate-templates`).
    pub duplicate_templates: bool,
    pub progress: Option<&'a ProgressFn<'a>>,
    pub note: Option<&'a (dyn Fn(&str) + Sync)>,
}

/// The full XCCDF id of a rule given by short id or full id.
fn full_rule_id(bench: &Benchmark, want: &str) -> Option<String> {
    if bench.rules.iter().any(|r| r.id == want) {
        return Some(want.to_owned());
    }
    let suffix = format!("_rule_{want}");
    bench.rules.iter().find(|r| r.id.ends_with(&suffix)).map(|r| r.id.clone())
}

/// The full id of a Value named by short name or full id.
fn full_value_id(bench: &Benchmark, want: &str) -> Option<String> {
    if bench.values.contains_key(want) {
        return Some(want.to_owned());
    }
    let suffix = format!("_value_{want}");
    let mut ids: Vec<&String> = bench.values.keys().filter(|id| id.ends_with(&suffix)).collect();
    ids.sort();
    ids.first().map(|s| (*s).clone())
}

/// Runs the suite.
pub fn run(s: &Settings<'_>) -> Result<Vec<ScenarioReport>, String> {
    let content = Content::load(s.ds, None, None)?;
    let bench = &content.benchmark;
    let mut wanted = HashSet::new();
    for r in s.rules {
        let id = full_rule_id(bench, r).ok_or_else(|| {
            format!("--rule: {} (product {})", scapc_eval::xccdf::run::no_such_rule(bench, r), s.product)
        })?;
        wanted.insert(id);
    }
    let keep = |short: &str| full_rule_id(bench, short).is_some_and(|id| wanted.is_empty() || wanted.contains(&id));
    std::fs::create_dir_all(s.work).map_err(|e| format!("{}: {e}", s.work.display()))?;
    sandbox::clean_stale(s.work);
    let run_dir = s.work.join(format!("run-{}", std::process::id()));
    let scenarios = if cac::is_cac(s.tree, s.product) {
        // Rules outside the data stream are left out, as Automatus does.
        cac::scenarios(s.tree, s.product, &run_dir.join("scenarios"), s.duplicate_templates, &keep)?
    } else {
        let mut v = scenario::discover(s.tree)?;
        if !wanted.is_empty() {
            v.retain(|sc| keep(&sc.rule));
        }
        v
    };
    let shared = Some(s.tree.join("tests/shared")).filter(|p| p.is_dir());
    let mut reports: Vec<Option<ScenarioReport>> = vec![None; scenarios.len()];
    let mut jobs: Vec<(usize, Job)> = Vec::new();
    let (below, layers) = build_layers(s, &scenarios, bench)?;
    let archives = Some(s.work.join("apt-archives"));
    for (i, sc) in scenarios.iter().enumerate() {
        let skip = |cause: &str, why: String| ScenarioReport {
            rule: sc.rule.clone(),
            rule_id: full_rule_id(bench, &sc.rule).unwrap_or_default(),
            scenario: sc.name.clone(),
            origin: sc.origin.clone(),
            expect: sc.expect,
            status: Status::Skipped,
            cause: cause.to_owned(),
            findings: vec![why],
            steps: Vec::new(),
            seconds: 0.0,
        };
        let Some(rule_id) = full_rule_id(bench, &sc.rule) else {
            reports[i] = Some(skip(
                &format!("the rule is not in the {} data stream", s.product),
                format!("the rule is not in the {} data stream", s.product),
            ));
            continue;
        };
        if !scenario::platform_matches(&sc.header.platforms, s.product) {
            reports[i] = Some(skip(
                &format!("`# platform` leaves {} out", s.product),
                format!("platform `{}` is not {}", sc.header.platforms.join(","), s.product),
            ));
            continue;
        }
        if let Some((cause, detail)) = &sc.blocked {
            let mut r = skip(cause, detail.clone());
            if cause != cac::NEEDS_SHARED {
                r.status = Status::Error;
            }
            reports[i] = Some(r);
            continue;
        }
        if !has_oval_check(bench, &rule_id) {
            reports[i] = Some(skip(
                "the rule has no OVAL check (SCE-only or manual)",
                "the rule has no OVAL check in the data stream (SCE-only or manual): scapc test evaluates OVAL on the \
                 overlay"
                    .into(),
            ));
            continue;
        }
        if sc.header.check.as_deref() == Some("sce") {
            reports[i] = Some(skip(
                "the scenario is for the SCE check",
                "the scenario is for the SCE check (`# check = sce`)".into(),
            ));
            continue;
        }
        let mut values = Vec::new();
        let mut bad = None;
        for (k, v) in &sc.header.variables {
            match full_value_id(bench, k) {
                Some(id) => values.push((id, v.clone())),
                None => bad = Some(format!("`# variables`: no Value `{k}` in the data stream")),
            }
        }
        let profile = sc.header.profiles.iter().find_map(|p| run::find_profile_id(bench, &[], p));
        if profile.is_none() && !sc.header.profiles.is_empty() {
            // Automatus finds no viable profile and runs nothing.
            reports[i] = Some(skip(
                "`# profiles` names no profile of the data stream",
                format!("`# profiles`: none of {} is in the data stream", sc.header.profiles.join(", ")),
            ));
            continue;
        }
        let mut lowers = Vec::new();
        if !layer_key(sc).is_empty() {
            match layers.get(&layer_key(sc)) {
                Some(Ok(p)) => lowers.push(p.clone()),
                Some(Err(e)) => bad = Some(e.clone()),
                None => bad = Some("internal: no layer was prepared".into()),
            }
        }
        lowers.extend(below.iter().cloned());
        let remediation = match sc.header.remediation.as_deref() {
            Some("none") => Remediation::None,
            Some(r) if s.remediation == Remediation::Bash && !r.split(',').any(|x| x.trim() == "bash") => {
                Remediation::None
            }
            Some(r) if s.remediation == Remediation::Ansible && !r.split(',').any(|x| x.trim() == "ansible") => {
                Remediation::None
            }
            _ => s.remediation,
        };
        if let Some(b) = bad {
            let mut r = skip("", b);
            r.status = Status::Error;
            r.cause = classify(&r);
            reports[i] = Some(r);
            continue;
        }
        jobs.push((
            i,
            Job {
                ds: s.ds.to_path_buf(),
                rule_id,
                scenario: sc.path.clone(),
                tests_dir: sc.dir.clone(),
                shared_dir: shared.clone(),
                expect: sc.expect,
                lowers,
                mnt: run_dir.join(format!("job-{i}")),
                remediation,
                engine: s.engine,
                values,
                profile,
                timeout: s.timeout,
                archives: archives.clone(),
            },
        ));
    }
    // Longest first (as the last run of each scenario took; fail
    // scenarios, which run the fix, before pass scenarios when unknown):
    // a long scenario started last would keep one worker busy after the
    // others ran out of work.
    let key = |sc: &Scenario| format!("{}\t{}\t{}", s.tree.display(), sc.rule, sc.name);
    let durations_file = s.work.join("durations.json");
    let mut durations: BTreeMap<String, f64> =
        std::fs::read(&durations_file).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let guess =
        |sc: &Scenario| durations.get(&key(sc)).copied().unwrap_or(if sc.expect == Expect::Fail { 1.0 } else { 0.5 });
    jobs.sort_by(|a, b| guess(&scenarios[b.0]).total_cmp(&guess(&scenarios[a.0])).then(a.0.cmp(&b.0)));
    let total = scenarios.len();
    let done = AtomicUsize::new(reports.iter().filter(|r| r.is_some()).count());
    let next = AtomicUsize::new(0);
    let out = Mutex::new(reports);
    std::thread::scope(|scope| {
        for _ in 0..s.jobs.max(1) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::SeqCst);
                let Some((i, job)) = jobs.get(k) else { break };
                let t = Instant::now();
                let o = sandbox::spawn(s.exe, job);
                let rep = report(&scenarios[*i], job, o, t.elapsed());
                let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                if let Some(p) = s.progress {
                    p(n, total, &rep);
                }
                out.lock().unwrap_or_else(|p| p.into_inner())[*i] = Some(rep);
            });
        }
    });
    let _ = std::fs::remove_dir_all(&run_dir);
    let by_index = out.into_inner().unwrap_or_else(|p| p.into_inner());
    // What each scenario took, for the order of the next run (kept
    // across runs; written whole, then renamed into place).
    for (i, _) in &jobs {
        if let Some(r) = by_index[*i].as_ref().filter(|r| r.seconds > 0.0) {
            durations.insert(key(&scenarios[*i]), (r.seconds * 1000.0).round() / 1000.0);
        }
    }
    if let Ok(text) = serde_json::to_vec(&durations) {
        let tmp = s.work.join(format!(".durations-{}.json", std::process::id()));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &durations_file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
    Ok(by_index.into_iter().flatten().collect())
}

fn has_oval_check(bench: &Benchmark, rule_id: &str) -> bool {
    fn any_oval(c: &CheckSpec) -> bool {
        match c {
            CheckSpec::Checks(v) => v.iter().any(|c| c.system == scapc_eval::xccdf::SYS_OVAL),
            CheckSpec::Complex { children, .. } => children.iter().any(any_oval),
        }
    }
    bench.rules.iter().find(|r| r.id == rule_id).and_then(|r| r.check.as_ref()).is_some_and(any_oval)
}

fn layer_key(sc: &Scenario) -> Vec<String> {
    let mut key = sc.header.packages.clone();
    key.sort();
    key.dedup();
    key
}

/// What every scenario's root has besides the base: the tools scenarios
/// and fixes call (`sysctl`, `systemctl`, which works offline on a root
/// that is not running), and python3 for Ansible's chroot connection.
/// For ComplianceAsCode trees also `linux-base`: CaC's `system_with_kernel`
/// platform (a machine, not a container, which is where Automatus runs
/// its scenarios: a VM) is the presence of that package on Debian.
fn tool_packages(remediation: Remediation, cac: bool) -> Vec<String> {
    let mut v = vec!["procps".to_owned(), "systemd".to_owned()];
    if cac {
        // What CaC's Dockerfiles/test_suite-debian12 adds to debian:12 for
        // Automatus (its openscap-scanner aside: scapc evaluates).
        v.extend(["linux-base", "openssh-server", "python3", "python3-apt"].map(str::to_owned));
    }
    if remediation == Remediation::Ansible && !cac {
        // python3-apt: the playbooks gather package facts
        v.extend(["python3".to_owned(), "python3-apt".to_owned()]);
    }
    v
}

/// The layers the scenarios stand on: the tools layer over the base, and
/// one layer per `# packages =` set over those two (built when not cached,
/// by `jobs` workers at once). Returns the lower directories below every
/// job and the package layers by package set.
fn build_layers(s: &Settings<'_>, scenarios: &[Scenario], bench: &Benchmark) -> Result<(Vec<PathBuf>, Layers), String> {
    let cac = cac::is_cac(s.tree, s.product);
    let note = |key: &[String], lowers: &[PathBuf], recommends: bool| {
        let cached = sandbox::layer_path(s.work, lowers, key, recommends).is_some_and(|p| p.is_dir());
        if let (false, Some(n)) = (cached, s.note) {
            n(&format!("preparing a layer with {} (cached for later runs)", key.join(" ")));
        }
    };
    let base = vec![s.base.to_path_buf()];
    let tools = tool_packages(s.remediation, cac);
    note(&tools, &base, false);
    let tools = sandbox::layer(s.exe, s.work, &base, &tools, true, false)?;
    let below = vec![tools, s.base.to_path_buf()];
    let mut keys: Vec<Vec<String>> = scenarios
        .iter()
        .filter(|sc| full_rule_id(bench, &sc.rule).is_some() && sc.blocked.is_none())
        .filter(|sc| scenario::platform_matches(&sc.header.platforms, s.product))
        .map(layer_key)
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort();
    keys.dedup();
    // Packages scenarios install themselves: into the download cache.
    let mut installs: Vec<String> = scenarios
        .iter()
        .filter(|sc| sc.blocked.is_none() && scenario::platform_matches(&sc.header.platforms, s.product))
        .filter(|sc| full_rule_id(bench, &sc.rule).is_some())
        .flat_map(|sc| sc.header.installs.iter().cloned())
        .collect();
    installs.sort();
    installs.dedup();
    if let Err(e) = sandbox::download(s.exe, s.work, &below, &installs) {
        if let Some(n) = s.note {
            n(&format!("downloading the packages scenarios install failed: {e}"));
        }
    }
    let next = AtomicUsize::new(0);
    let out = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..s.jobs.max(1) {
            scope.spawn(|| {
                while let Some(key) = keys.get(next.fetch_add(1, Ordering::SeqCst)) {
                    // ComplianceAsCode's `# packages`: with what they
                    // recommend, as Automatus installs them.
                    note(key, &below, cac);
                    let r = sandbox::layer(s.exe, s.work, &below, key, false, cac);
                    out.lock().unwrap_or_else(|p| p.into_inner()).insert(key.clone(), r);
                }
            });
        }
    });
    Ok((below, out.into_inner().unwrap_or_else(|p| p.into_inner())))
}

type Layers = BTreeMap<Vec<String>, Result<PathBuf, String>>;

fn report(sc: &Scenario, job: &Job, o: Outcome, t: Duration) -> ScenarioReport {
    let mut r = ScenarioReport {
        rule: sc.rule.clone(),
        rule_id: job.rule_id.clone(),
        scenario: sc.name.clone(),
        origin: sc.origin.clone(),
        expect: sc.expect,
        cause: String::new(),
        status: if o.error {
            Status::Error
        } else if o.findings.is_empty() {
            Status::Passed
        } else {
            Status::Failed
        },
        findings: o.findings,
        steps: o.steps,
        seconds: t.as_secs_f64(),
    };
    r.cause = classify(&r);
    r
}

/// The cause of a scenario that ran and did not pass, in words that do not
/// depend on the rule, so that the summary can group by it.
fn classify(r: &ScenarioReport) -> String {
    if r.status == Status::Passed {
        return String::new();
    }
    let first = r.findings.first().map(String::as_str).unwrap_or_default();
    let script = r.steps.iter().find(|s| s.name == "scenario").map(|s| s.output.as_str()).unwrap_or_default();
    if script.contains("command not found") && (r.status == Status::Error || first.starts_with("the check gave")) {
        return "the scenario calls a program the root does not have (`command not found`)".into();
    }
    if first.starts_with("installing ") && first.contains("into a layer failed") {
        return "its `# packages` could not be installed (apt-get)".into();
    }
    if first.starts_with("the scenario script failed") {
        let last = script.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
        let why = if last.contains("sysctl: permission denied on key") {
            "it sets a kernel parameter (`sysctl -w`: the sandbox's /proc/sys is read-only)"
        } else if last.contains("Failed to connect to bus") {
            "it needs a running systemd (`systemctl` without `--root` talks to the bus)"
        } else if last.contains("Unable to locate package") || last.contains("has no installation candidate") {
            "it installs a package Debian does not have"
        } else if last.contains("invalid user") || last.contains("invalid group") {
            "it names a user or group the root does not have"
        } else if last.contains("No such file or directory") {
            "it edits a file or directory the root does not have"
        } else {
            "other"
        };
        return format!("the scenario script exits non-zero: {why}");
    }
    if let Some(rest) = first.strip_prefix("the check gave `") {
        let got = rest.split('`').next().unwrap_or_default();
        return format!("the check gives `{got}` where the scenario promises `{}`", r.expect.as_str());
    }
    if first.starts_with("the fix exited with status") {
        return "the fix exits non-zero".into();
    }
    if let Some(rest) = first.strip_prefix("after the fix the check gives `") {
        let got = rest.split('`').next().unwrap_or_default();
        return format!("the fix does not fix (the check gives `{got}` after it)");
    }
    if first.starts_with("the fix is not idempotent") || first.starts_with("the fix run a second time") {
        let all = r.findings.join("\n");
        return if all.contains("a third run changed it again") {
            "the fix is not idempotent: every run changes the system again".into()
        } else if all.contains("a third run changed nothing") {
            "the fix is not idempotent: its second run still changes the system, a third run does not".into()
        } else {
            "the fix is not idempotent".into()
        };
    }
    if first.starts_with("after the fix ran twice") {
        return "the check does not pass after the fix ran twice".into();
    }
    if first.starts_with("`# variables`") {
        return "`# variables` names a Value the data stream lacks".into();
    }
    if r.status == Status::Error {
        return "the sandbox or the evaluation failed".into();
    }
    "other".into()
}

/// Scenarios that did not pass, grouped by cause.
#[derive(Debug, Clone, Serialize)]
pub struct CauseGroup {
    pub cause: String,
    /// `failed`, `error` or `skipped`.
    pub status: Status,
    pub count: usize,
    /// Up to ten `rule / scenario` names.
    pub examples: Vec<String>,
}

/// The counts of a run and its failures grouped by cause.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub error: usize,
    pub skipped: usize,
    /// Scenarios for this product: all but those whose `# platform` leaves
    /// it out or whose rule is not in its data stream.
    pub for_product: usize,
    /// Largest group first.
    pub causes: Vec<CauseGroup>,
}

/// A scenario skipped because it is not for the product at all.
fn not_for_product(r: &ScenarioReport) -> bool {
    r.status == Status::Skipped
        && (r.cause.starts_with("`# platform` leaves") || r.cause.starts_with("the rule is not in"))
}

pub fn summary(reports: &[ScenarioReport]) -> Summary {
    let count = |st: Status| reports.iter().filter(|r| r.status == st).count();
    let mut groups: BTreeMap<(u8, &str), CauseGroup> = BTreeMap::new();
    for r in reports.iter().filter(|r| r.status != Status::Passed) {
        let g = groups.entry((r.status as u8, &r.cause)).or_insert_with(|| CauseGroup {
            cause: r.cause.clone(),
            status: r.status,
            count: 0,
            examples: Vec::new(),
        });
        g.count += 1;
        if g.examples.len() < 10 {
            g.examples.push(format!("{} / {}", r.rule, r.scenario));
        }
    }
    let mut causes: Vec<CauseGroup> = groups.into_values().collect();
    causes.sort_by(|a, b| (a.status as u8).cmp(&(b.status as u8)).then(b.count.cmp(&a.count)));
    Summary {
        total: reports.len(),
        passed: count(Status::Passed),
        failed: count(Status::Failed),
        error: count(Status::Error),
        skipped: count(Status::Skipped),
        for_product: reports.iter().filter(|r| !not_for_product(r)).count(),
        causes,
    }
}

/// The summary as text: counts, then one line per cause with examples.
pub fn text_summary(sum: &Summary) -> String {
    let mut s = String::new();
    let ran = sum.total - sum.skipped;
    let pct = |n: usize, of: usize| if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 };
    s.push_str(&format!(
        "{} scenarios: {} passed, {} failed, {} error, {} skipped; {:.1} % of those run passed ({} of {}), {:.1} % of \
         the {} for this product\n",
        sum.total,
        sum.passed,
        sum.failed,
        sum.error,
        sum.skipped,
        pct(sum.passed, ran),
        sum.passed,
        ran,
        pct(sum.passed, sum.for_product),
        sum.for_product
    ));
    if !sum.causes.is_empty() {
        s.push_str("by cause:\n");
    }
    for g in &sum.causes {
        let st = match g.status {
            Status::Failed => "failed",
            Status::Error => "error",
            _ => "skipped",
        };
        s.push_str(&format!("  {:>5}  {st:<7}  {}\n", g.count, g.cause));
        let more = if g.count > g.examples.len() { ", ..." } else { "" };
        s.push_str(&format!(
            "                  e.g. {}{more}\n",
            g.examples.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    s
}

/// The profile a job evaluates with: only its rule (and the rule's
/// groups) selected, with what it `requires` (XCCDF deselects a rule whose
/// requirement is not selected; Automatus evaluates with a profile that
/// selects every rule and `--rule`), the scenario's values set, over the
/// scenario's profile when it names one.
fn test_profile(bench: &Benchmark, job: &Job) -> Profile {
    // The rule, the first item of each of its `requires` lists (and of
    // theirs), and all their groups.
    let mut on: Vec<String> = Vec::new();
    let mut todo = vec![job.rule_id.clone()];
    while let Some(id) = todo.pop() {
        if on.contains(&id) {
            continue;
        }
        let (groups, requires) = match (bench.rules.iter().find(|r| r.id == id), bench.groups.get(&id)) {
            (Some(r), _) => (r.groups.clone(), r.requires.clone()),
            (None, Some(g)) => (Vec::new(), g.requires.clone()),
            (None, None) => continue,
        };
        on.push(id);
        todo.extend(groups);
        for l in requires {
            let known = |x: &&String| bench.rules.iter().any(|r| &r.id == *x) || bench.groups.contains_key(*x);
            if let Some(first) = l.iter().find(known) {
                todo.push(first.clone());
            }
        }
    }
    // Each item once: oscap refuses a tailoring that selects one twice.
    let mut selects: Vec<(String, bool)> =
        bench.rules.iter().filter(|r| !on.contains(&r.id)).map(|r| (r.id.clone(), false)).collect();
    on.reverse();
    selects.extend(on.into_iter().map(|id| (id, true)));
    Profile {
        id: TEST_PROFILE.into(),
        title: "scapc test".into(),
        extends: job.profile.clone(),
        selects,
        set_values: job.values.clone(),
        ..Default::default()
    }
}

fn evidence(r: &run::RuleResult) -> String {
    let mut s = String::new();
    for m in &r.messages {
        s.push_str(m);
        s.push('\n');
    }
    for e in r.evidence.iter().take(6) {
        s.push_str(&format!("{} ({}): {}", e.test_id, e.comment, e.result));
        if !e.flag.is_empty() {
            s.push_str(&format!(", object {} {}", e.object_id, e.flag));
        }
        s.push('\n');
        for item in e.items.iter().take(3) {
            let kv: Vec<String> = item.iter().take(6).map(|(k, v)| format!("{k}={v}")).collect();
            s.push_str(&format!("  item: {}\n", kv.join(" ")));
        }
        for m in e.messages.iter().take(3) {
            s.push_str(&format!("  {m}\n"));
        }
    }
    s
}

/// The hidden job command's body: loads the data stream once, evaluates
/// with the native engine (or oscap-chroot) and hands out the fix.
pub fn job_entry(spec: &str) -> i32 {
    let content: std::cell::OnceCell<Result<Content, String>> = std::cell::OnceCell::new();
    let load = |job: &Job| -> Result<&Content, String> {
        content.get_or_init(|| Content::load(&job.ds, None, None)).as_ref().map_err(|e| e.clone())
    };
    let eval = |job: &Job, root: &Path| -> Result<(String, String), String> {
        let c = load(job)?;
        let profile = test_profile(&c.benchmark, job);
        if job.engine == EngineKind::Oscap {
            return oscap_eval(job, root, &profile);
        }
        // The scenario ran in this root on this host's kernel.
        let target = Target::dir_on_host_kernel(root).map_err(|e| format!("{}: {e}", root.display()))?;
        let opts = run::Options {
            profile: Some(TEST_PROFILE.into()),
            tailoring: vec![profile],
            target: &target,
            sce: false,
            engine: EngineOptions { probe_timeout: Duration::from_secs(job.timeout) },
            progress: None,
            // Only the rule: the rules it requires are selected, not run.
            rules: vec![job.rule_id.clone()],
            skip_rules: Vec::new(),
        };
        let scan = run::evaluate(c, &opts)?;
        let r = scan.rules.iter().find(|r| r.id == job.rule_id).ok_or("the rule got no result")?;
        let mut ev = evidence(r);
        if r.result == run::XResult::NotApplicable {
            let rule_platforms = c
                .benchmark
                .rules
                .iter()
                .find(|x| x.id == job.rule_id)
                .map(|x| x.platforms.join(", "))
                .unwrap_or_default();
            ev.push_str(&format!(
                "not applicable: the rule's platforms [{rule_platforms}] or the benchmark's [{}] do not apply \
                 (applicable here: [{}])\n",
                c.benchmark.platforms.join(", "),
                scan.platforms.join(", ")
            ));
        }
        Ok((r.result.as_str().to_owned(), ev))
    };
    let fix = |job: &Job| -> Result<Option<String>, String> {
        let c = load(job)?;
        let profile = test_profile(&c.benchmark, job);
        let only: HashSet<String> = [job.rule_id.clone()].into();
        let opts =
            PlanOptions { profile: Some(TEST_PROFILE), tailoring: &[profile], only: Some(&only), set_values: &[] };
        if job.remediation == Remediation::Ansible {
            let plan = fix::plan(c, FixType::Ansible, &opts)?;
            if plan.fixes.is_empty() {
                return Ok(None);
            }
            return Ok(Some(fix::ansible_playbook(&plan, &fix::Origin::default())));
        }
        let plan = fix::plan(c, FixType::Bash, &opts)?;
        Ok(plan.fixes.into_iter().next().map(|f| f.text))
    };
    sandbox::job_main(spec, &eval, &fix)
}

/// Evaluates one rule with `oscap-chroot` and a tailoring file holding the
/// test profile.
fn oscap_eval(job: &Job, root: &Path, p: &Profile) -> Result<(String, String), String> {
    use scapc_xml::escape_attr as a;
    let dir = job.mnt.join("oscap");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut t = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xccdf:Tailoring xmlns:xccdf=\"http://checklists.nist.gov/xccdf/1.2\" id=\"xccdf_org.scapc_tailoring_test\">\n<xccdf:version time=\"2024-01-01T00:00:00\">1</xccdf:version>\n");
    match &p.extends {
        Some(e) => t.push_str(&format!("<xccdf:Profile id=\"{}\" extends=\"{}\">\n", a(&p.id), a(e))),
        None => t.push_str(&format!("<xccdf:Profile id=\"{}\">\n", a(&p.id))),
    }
    t.push_str("<xccdf:title>scapc test</xccdf:title>\n");
    for (id, sel) in &p.selects {
        t.push_str(&format!("<xccdf:select idref=\"{}\" selected=\"{sel}\"/>\n", a(id)));
    }
    for (id, v) in &p.set_values {
        t.push_str(&format!("<xccdf:set-value idref=\"{}\">{}</xccdf:set-value>\n", a(id), scapc_xml::escape_text(v)));
    }
    t.push_str("</xccdf:Profile>\n</xccdf:Tailoring>\n");
    let tf = dir.join("tailoring.xml");
    let rf = dir.join("results.xml");
    std::fs::write(&tf, t).map_err(|e| format!("{}: {e}", tf.display()))?;
    let o = std::process::Command::new("oscap-chroot")
        .arg(root)
        .args(["xccdf", "eval", "--profile", TEST_PROFILE, "--rule", &job.rule_id, "--tailoring-file"])
        .arg(&tf)
        .arg("--results")
        .arg(&rf)
        .arg(&job.ds)
        .output()
        .map_err(|e| format!("cannot run oscap-chroot: {e}"))?;
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    let info = fix::read_results(&rf).map_err(|e| format!("oscap-chroot wrote no results ({e}):\n{out}"))?;
    let _ = info;
    let src = std::fs::read_to_string(&rf).map_err(|e| e.to_string())?;
    let tree = scapc_xml::tree::Tree::parse(&src).map_err(|e| e.message)?;
    let ns = scapc_eval::xccdf::NS_XCCDF;
    for rr in tree.all(ns, "rule-result") {
        if tree.attr(*rr, "idref") == Some(job.rule_id.as_str()) {
            let res = tree.child(*rr, ns, "result").map(|r| tree.text(r).trim().to_owned()).unwrap_or_default();
            return Ok((res, out));
        }
    }
    Err(format!("oscap-chroot gave no result for {}:\n{out}", job.rule_id))
}

/// The summary table: one line per rule with counts, then every
/// scenario that did not pass with its findings.
pub fn text_report(reports: &[ScenarioReport], verbose: bool) -> String {
    let mut s = String::new();
    let mut by_rule: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for r in reports {
        let e = by_rule.entry(&r.rule).or_default();
        e[r.status as usize] += 1;
    }
    let w = by_rule.keys().map(|k| k.len()).max().unwrap_or(4).max(4);
    s.push_str(&format!("{:<w$}  passed  failed  error  skipped\n", "rule"));
    for (rule, c) in &by_rule {
        s.push_str(&format!("{rule:<w$}  {:>6}  {:>6}  {:>5}  {:>7}\n", c[0], c[1], c[2], c[3]));
    }
    for r in reports
        .iter()
        .filter(|r| matches!(r.status, Status::Failed | Status::Error) || (verbose && r.status == Status::Skipped))
    {
        let what = match r.status {
            Status::Failed => "FAILED",
            Status::Error => "ERROR",
            _ => "SKIPPED",
        };
        s.push_str(&format!("\n{what}: {} / {} (expects {})\n", r.rule, r.scenario, r.expect.as_str()));
        for f in &r.findings {
            s.push_str(&format!("  finding: {f}\n"));
        }
        for st in &r.steps {
            s.push_str(&format!("  {}: {}\n", st.name, st.result));
            for l in st.output.lines().take(12) {
                s.push_str(&format!("    | {l}\n"));
            }
        }
    }
    s.push('\n');
    s.push_str(&text_summary(&summary(reports)));
    s
}

/// JUnit XML: one test suite per rule, one test case per scenario.
pub fn junit(reports: &[ScenarioReport]) -> String {
    use scapc_diagnostics::{render_junit, JunitCase, JunitOutcome};
    let mut by_rule: BTreeMap<&str, Vec<&ScenarioReport>> = BTreeMap::new();
    for r in reports {
        by_rule.entry(&r.rule).or_default().push(r);
    }
    let suites: Vec<(String, Vec<JunitCase>)> = by_rule
        .into_iter()
        .map(|(rule, rs)| {
            let cases = rs
                .into_iter()
                .map(|r| {
                    let message = r.findings.join("; ");
                    let detail: String =
                        r.steps.iter().map(|st| format!("{}: {}\n{}\n", st.name, st.result, st.output)).collect();
                    let outcome = match r.status {
                        Status::Passed => JunitOutcome::Passed,
                        Status::Skipped => JunitOutcome::Skipped { message },
                        Status::Failed => JunitOutcome::Failure { message, detail },
                        Status::Error => JunitOutcome::Error { message, detail },
                    };
                    JunitCase {
                        classname: r.rule_id.clone(),
                        name: r.scenario.clone(),
                        outcome,
                        output: String::new(),
                        seconds: Some(r.seconds),
                    }
                })
                .collect();
            (rule.to_owned(), cases)
        })
        .collect();
    render_junit("scapc test", &suites)
}
