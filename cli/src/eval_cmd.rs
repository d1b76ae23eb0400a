//! `scapc eval`: scan a target with compiled content.

use clap::{Args, ValueEnum};
use scapc_eval::oval::engine::EngineOptions;
use scapc_eval::results;
use scapc_eval::target::Target;
use scapc_eval::xccdf::content::{Content, Profile};
use scapc_eval::xccdf::run::{self, Scan, XResult};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EvalFormat {
    /// one line per rule and the summary
    Text,
    /// {"counts": .., "scores": .., "rules": [...]}
    Json,
    /// SARIF 2.1.0: one result per failed (error) or erred (warning) rule,
    /// at the Rule in the content, with the rule's title and description
    Sarif,
    /// JUnit XML: one test case per rule; fail a failure, error an error,
    /// notapplicable, notchecked, unknown ... skipped
    Junit,
    /// GitHub Actions workflow commands for the failed and erred rules
    Github,
}

impl EvalFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            EvalFormat::Text => "text",
            EvalFormat::Json => "json",
            EvalFormat::Sarif => "sarif",
            EvalFormat::Junit => "junit",
            EvalFormat::Github => "github",
        }
    }

    /// A format with no summary line: the document is the whole stdout.
    pub(crate) fn is_document(self) -> bool {
        self != EvalFormat::Text
    }
}

/// One evaluated rule, as the shared formats (sarif, junit, github) show it.
pub(crate) struct RuleRow<'a> {
    pub id: &'a str,
    pub title: String,
    pub result: &'a str,
    pub severity: &'a str,
    pub messages: &'a [String],
    /// The Rule element in the content (file, line, column).
    pub at: Option<(u32, u32)>,
    pub description: String,
}

/// The rules in `format` (sarif, junit or github; `None` for text and
/// json, which each engine writes itself), through the renderers `lint`,
/// `validate` and `test` use (`scapc_diagnostics`).
pub(crate) fn render_rules(
    format: EvalFormat,
    content_file: &Path,
    benchmark: &str,
    selection: &str,
    rows: &[RuleRow],
) -> Option<String> {
    use scapc_diagnostics::{Diagnostic, JunitCase, JunitOutcome, Location, SarifRule, SarifTool, Severity};
    match format {
        EvalFormat::Text | EvalFormat::Json => None,
        EvalFormat::Junit => {
            let cases = rows
                .iter()
                .map(|r| {
                    let detail = r.messages.join("\n");
                    let outcome = match r.result {
                        "pass" | "fixed" | "informational" => JunitOutcome::Passed,
                        "fail" => JunitOutcome::Failure { message: format!("fail: {}", r.title), detail },
                        "error" => JunitOutcome::Error { message: format!("error: {}", r.title), detail },
                        other => JunitOutcome::Skipped { message: other.to_owned() },
                    };
                    JunitCase {
                        classname: benchmark.to_owned(),
                        name: r.id.to_owned(),
                        outcome,
                        output: String::new(),
                        seconds: None,
                    }
                })
                .collect();
            Some(scapc_diagnostics::render_junit("scapc eval", &[(selection.to_owned(), cases)]))
        }
        EvalFormat::Sarif | EvalFormat::Github => {
            let diags: Vec<Diagnostic> = rows
                .iter()
                .filter(|r| matches!(r.result, "fail" | "error"))
                .map(|r| {
                    let sev = if r.result == "fail" { Severity::Error } else { Severity::Warning };
                    let mut d =
                        Diagnostic::new(sev, r.id, format!("{} ({}, severity {})", r.title, r.result, r.severity));
                    d = match r.at {
                        Some((l, c)) => d.at(Location::at(content_file, l, c)),
                        None => d.at_file(content_file),
                    };
                    for m in r.messages {
                        d = d.hint(m.clone());
                    }
                    d
                })
                .collect();
            if format == EvalFormat::Github {
                return Some(scapc_diagnostics::render_github(&diags, &|d| d.code.clone()));
            }
            let rule = |id: &str| {
                let r = rows.iter().find(|r| r.id == id)?;
                Some(SarifRule {
                    name: Some(r.id.rsplit("_rule_").next().unwrap_or(r.id).to_owned()),
                    short_description: Some(r.title.clone()),
                    full_description: (!r.description.is_empty()).then(|| r.description.clone()),
                    default_level: Some(match r.severity {
                        "high" | "medium" => Severity::Error,
                        "low" => Severity::Warning,
                        _ => Severity::Note,
                    }),
                    ..Default::default()
                })
            };
            let mut doc = scapc_diagnostics::render_sarif_with(
                &diags,
                &SarifTool { name: "scapc eval", version: env!("CARGO_PKG_VERSION"), rule: &rule },
            );
            doc.push('\n');
            Some(doc)
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EngineKind {
    /// scapc's own XCCDF, OVAL and SCE engine
    Native,
    /// delegate to oscap, oscap-chroot or oscap-ssh (must be installed)
    Oscap,
}

#[derive(Args)]
pub struct EvalArgs {
    /// The source data stream (or XCCDF 1.2 benchmark) to evaluate
    pub ds: PathBuf,
    /// Profile id (the full id, or the part after `_profile_`); `(all)`
    /// selects every rule. Default: the benchmark's own selection
    #[arg(long)]
    pub profile: Option<String>,
    /// Which benchmark of the data stream: its id or its checklist
    /// component-ref's id (default: the first)
    #[arg(long, visible_alias = "xccdf-id")]
    pub benchmark_id: Option<String>,
    /// Which data stream of the collection (default: the first)
    #[arg(long)]
    pub datastream_id: Option<String>,
    /// An XCCDF tailoring file whose profiles are searched first
    #[arg(long, visible_alias = "tailoring-file")]
    pub tailoring: Option<PathBuf>,
    /// What to scan: `local`, `dir:/path/to/rootfs` (an offline root
    /// filesystem), `ssh://user@host[:port]`, or `ssh+sudo://user@host[:port]`
    /// (the scan runs through `sudo -n`: NOPASSWD sudo, no tty)
    #[arg(long, default_value = "local")]
    pub target: String,
    /// Write ARF 1.1 results (TestResult, OVAL results with the collected
    /// items, the data stream and the asset)
    #[arg(long)]
    pub results_arf: Option<PathBuf>,
    /// Write the XCCDF results: the benchmark with the TestResult in it,
    /// as `oscap xccdf eval --results` does
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Write the OVAL results files (`<oval file>.result.xml`) into this
    /// directory, as `oscap xccdf eval --oval-results` does
    #[arg(long, value_name = "DIR")]
    pub oval_results: Option<PathBuf>,
    /// A CPE dictionary for a standalone benchmark (repeatable); its check
    /// hrefs are resolved relative to it
    #[arg(long, value_name = "DICT")]
    pub cpe: Vec<PathBuf>,
    /// Write the OVAL external variables the benchmark gives each OVAL
    /// document (`<oval file>-<n>.variables-0.xml`, into the --oval-results
    /// directory, else the working directory), as oscap does
    #[arg(long, visible_alias = "export-variable")]
    pub export_variables: bool,
    /// Use the profiles of this tailoring component of the data stream
    /// (its component-ref id)
    #[arg(long, value_name = "ID")]
    pub tailoring_id: Option<String>,
    /// Write a self-contained HTML report
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Output on stdout
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    /// Which engine evaluates
    #[arg(long, value_enum, default_value = "native")]
    pub engine: EngineKind,
    /// Run SCE script checks (they execute arbitrary code on this host)
    #[arg(long)]
    pub sce: bool,
    /// Run SCE script checks when the evaluated data stream and every
    /// component it reaches are covered by a valid signature from this
    /// public key or certificate (PEM): the trust anchor, named as
    /// `verify` names it
    #[arg(long = "trusted-key", alias = "trust-key", alias = "trusted-cert", value_name = "PEM")]
    pub trust_key: Option<PathBuf>,
    /// With --trusted-key: accept a signature by an RSA key of 1024 to 2047
    /// bits
    #[arg(long)]
    pub allow_weak_keys: bool,
    /// Evaluate a signed data stream even when its signature is invalid
    /// (by default the signatures are verified first, as oscap does)
    #[arg(long)]
    pub skip_signature_validation: bool,
    /// Longest time one OVAL object's collection may take, in seconds
    #[arg(long, default_value_t = 120)]
    pub probe_timeout: u64,
    /// An ssh `-o` option for `ssh://` targets (repeatable), e.g.
    /// `IdentityFile=~/.ssh/scan` or `UserKnownHostsFile=known_hosts`
    #[arg(long, value_name = "OPTION")]
    pub ssh_option: Vec<String>,
    /// Print only the summary (set by the global `-q`)
    #[arg(skip)]
    pub quiet: bool,
    /// After the scan, run the bash fixes of the failed rules on the target
    /// (local, `dir:` chrooted in private namespaces, `ssh://`), check them
    /// again and record `fixed` or `error` with the fix's output
    #[arg(long)]
    pub remediate: bool,
    /// Evaluate only this rule (full id, or its end when that names one
    /// rule, e.g. `sshd_set_keepalive`; repeatable), whether the profile
    /// selects it or not; every other rule is `notselected` (as oscap)
    #[arg(long, value_name = "ID")]
    pub rule: Vec<String>,
    /// Do not evaluate this rule (full id or its unique end; repeatable):
    /// it is `notselected`
    #[arg(long, value_name = "ID")]
    pub skip_rule: Vec<String>,
    /// Evaluate only the selected rules that carry this reference: NAME is
    /// the text of one of the benchmark's own `reference`s, ID the text of
    /// a rule's reference with the same href (as oscap's `--reference`)
    #[arg(long, value_name = "NAME:ID", value_parser = parse_reference)]
    pub reference: Option<(String, String)>,
    /// Read a SCAP 1.3 data stream's remote components from the files of
    /// the same name in DIR instead (as oscap's `--local-files`)
    #[arg(long, value_name = "DIR")]
    pub local_files: Option<PathBuf>,
    /// Download the remote resources the content names (remote
    /// component-refs, http(s) check hrefs such as an `oval.xml.bz2` feed),
    /// as oscap's `--fetch-remote-resources`; a failed download is an error.
    /// Without it they are reported and their checks are `notchecked`
    #[arg(long)]
    pub fetch_remote_resources: bool,
    /// Write the TestResult for DISA's STIG Viewer: each rule-result named
    /// by the rule's STIG Viewer id (as oscap's `--stig-viewer`)
    #[arg(long, value_name = "FILE")]
    pub stig_viewer: Option<PathBuf>,
    /// OVAL-only evaluation (DS is an OVAL definitions document): an OVAL
    /// variables document giving the external variables' values
    #[arg(long, value_name = "VARS.xml")]
    pub variables: Option<PathBuf>,
    /// OVAL-only evaluation: evaluate this definition (repeatable; default:
    /// every definition)
    #[arg(long, value_name = "DEF")]
    pub id: Vec<String>,
    /// OVAL-only evaluation of a data stream: the component-ref of the
    /// OVAL definitions to evaluate (as oscap's `oval eval --oval-id`;
    /// default: the first, when the stream has no XCCDF checklist)
    #[arg(long, value_name = "ID")]
    pub oval_id: Option<String>,
}

fn parse_reference(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((n, i)) if !n.is_empty() && !i.is_empty() => Ok((n.to_owned(), i.to_owned())),
        _ => Err("use NAME:IDENTIFIER, with a colon as the separator (e.g. `NIST-800-53:AC-2`)".into()),
    }
}

/// A usage error: the command line asks for what cannot be done (exit 64).
pub(crate) fn usage(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(crate::EXIT_USAGE)
}

pub(crate) fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

/// Writes a result file: atomically, and readable by its owner only (ARF
/// and reports may hold password hashes and other secrets of the target).
pub(crate) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    scapc_output::write_file(path, data, scapc_output::Mode::Private)
}

/// No output may be an input (the data stream, the tailoring, the key) or
/// another output.
fn check_outputs(a: &EvalArgs) -> Result<(), String> {
    // `--results` may name the benchmark evaluated (checked once it is
    // read: a standalone XCCDF benchmark only)
    let ds = (!results_into_input(a)).then_some(&a.ds);
    let inputs: Vec<&Path> = [ds, a.tailoring.as_ref(), a.trust_key.as_ref(), a.variables.as_ref()]
        .into_iter()
        .flatten()
        .chain(a.cpe.iter())
        .map(PathBuf::as_path)
        .collect();
    let outputs: Vec<&Path> =
        [&a.results_arf, &a.results, &a.report, &a.stig_viewer].into_iter().flatten().map(PathBuf::as_path).collect();
    scapc_output::check_distinct(&inputs, &outputs)
}

/// `--results` names the file evaluated: as oscap, the new TestResult is
/// written into the benchmark, after the earlier ones.
pub(crate) fn results_into_input(a: &EvalArgs) -> bool {
    a.results.as_ref().is_some_and(|r| scapc_output::check_distinct(&[a.ds.as_path()], &[r.as_path()]).is_err())
}

/// The error when `--results` names an input that cannot take results in.
fn results_not_into(a: &EvalArgs, what: &str) -> String {
    format!(
        "the output {} is the input {}: only a standalone XCCDF benchmark evaluated locally takes its results in \
         (as oscap does); {what}: choose another output path",
        a.results.as_deref().unwrap_or(Path::new("")).display(),
        a.ds.display()
    )
}

pub fn run(a: EvalArgs) -> ExitCode {
    if let Err(msg) = check_outputs(&a) {
        return err(msg);
    }
    let into_input = results_into_input(&a);
    if into_input && a.engine != EngineKind::Oscap && a.target.starts_with("ssh") {
        return err(results_not_into(&a, "this target is remote"));
    }
    if let Some(code) = crate::eval_oval::run_if_oval(&a) {
        return code;
    }
    if a.engine == EngineKind::Oscap {
        let not = crate::eval_oscap::not_passed(&a);
        if !not.is_empty() {
            return usage(format!(
                "--engine oscap: {} cannot be passed to oscap; drop {} or use the native engine",
                not.join(", "),
                if not.len() == 1 { "it" } else { "them" }
            ));
        }
        return crate::eval_oscap::run(&a);
    }
    let ssh = a.target.strip_prefix("ssh://").map(|r| (r, false));
    if let Some((rest, sudo)) = ssh.or_else(|| a.target.strip_prefix("ssh+sudo://").map(|r| (r, true))) {
        // The content is verified here; the copy on the target is the same file.
        if let Ok(src) = std::fs::read_to_string(&a.ds) {
            let ds = scapc_datastream::read::read(&src).is_ok();
            if let Err(e) = verify_signatures(&a, &src, ds, a.datastream_id.as_deref()) {
                return err(e);
            }
        }
        let not = crate::eval_ssh::not_passed(&a);
        if !not.is_empty() {
            return usage(format!(
                "{}: {} cannot be used with an ssh target (its files are not copied to the target, or back); drop {}",
                a.target,
                not.join(", "),
                if not.len() == 1 { "it" } else { "them" }
            ));
        }
        return crate::eval_ssh::run(&a, rest, sudo);
    }
    let target = match Target::parse(&a.target) {
        Ok(t) => t,
        Err(e) => return err(format!("--target: {e}")),
    };
    let t0 = Instant::now();
    let load = scapc_eval::xccdf::content::LoadOptions {
        datastream_id: a.datastream_id.clone(),
        benchmark_id: a.benchmark_id.clone(),
        cpe: a.cpe.clone(),
        local_files: a.local_files.clone(),
        fetch_remote: a.fetch_remote_resources,
    };
    let content = match Content::load_with(&a.ds, &load) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    info!(
        "read {} in {:.2} s: benchmark {}, {} rules, {} profiles",
        a.ds.display(),
        t0.elapsed().as_secs_f64(),
        content.benchmark.id,
        content.benchmark.rules.len(),
        content.benchmark.profiles.len()
    );
    for w in &content.warnings {
        warn!("{w}");
    }
    if into_input && content.standalone.is_none() {
        return err(results_not_into(&a, "this is a data stream"));
    }
    // a standalone benchmark's files are inputs too
    if let Some(files) = &content.standalone {
        let is_ds = |p: &Path| scapc_output::check_distinct(&[p], &[a.ds.as_path()]).is_err();
        let inputs: Vec<&Path> = files.iter().map(|(_, p)| p.as_path()).filter(|p| !(into_input && is_ds(p))).collect();
        let outputs: Vec<&Path> = [&a.results_arf, &a.results, &a.report, &a.stig_viewer]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect();
        if let Err(msg) = scapc_output::check_distinct(&inputs, &outputs) {
            return err(msg);
        }
    }
    let signatures = match verify_signatures(&a, &content.src, content.stream.is_some(), Some(&content.stream_id)) {
        Ok(v) => v,
        Err(e) => return err(e),
    };
    let mut tailoring = match &a.tailoring {
        None => Vec::new(),
        Some(p) => match load_tailoring(p) {
            Ok(t) => t,
            Err(e) => return err(e),
        },
    };
    // --tailoring-id, else (as oscap does) the data stream's own
    // tailoring components, unless a tailoring file is given
    let ids = match &a.tailoring_id {
        Some(id) => vec![id.clone()],
        None if a.tailoring.is_none() => content.stream_tailorings(),
        None => Vec::new(),
    };
    for id in ids {
        match content.tailoring_component(&id) {
            Ok(t) => tailoring.extend(t),
            Err(e) => return err(format!("--tailoring-id: {}: {e}", a.ds.display())),
        }
    }
    if let Some(p) = &a.profile {
        if p != "(all)" {
            match run::match_profile(&content.benchmark, &tailoring, p) {
                Ok(_) => {}
                // an ambiguous suffix lists its matches
                Err(e) if !e.starts_with("no profile") => return err(format!("{}: {e}", a.ds.display())),
                Err(_) => {
                    let ids: Vec<&str> =
                        tailoring.iter().chain(content.benchmark.profiles.iter()).map(|p| p.id.as_str()).collect();
                    return err(unknown_id("profile", p, &a.ds, &ids));
                }
            }
        }
    }
    let ids: Vec<&str> = content.benchmark.rules.iter().map(|x| x.id.as_str()).collect();
    // A rule is named by its full id, or by the end of it (`sshd_set_keepalive`
    // for `xccdf_org.ssgproject.content_rule_sshd_set_keepalive`) when that
    // names one rule.
    let full_id = |r: &str| -> Result<Option<String>, String> {
        if ids.contains(&r) {
            return Ok(Some(r.to_owned()));
        }
        let exact_short: Vec<&str> = ids.iter().copied().filter(|i| i.ends_with(&format!("_rule_{r}"))).collect();
        let m =
            if exact_short.is_empty() { ids.iter().copied().filter(|i| i.ends_with(r)).collect() } else { exact_short };
        match m.len() {
            0 => Ok(None),
            1 => Ok(Some(m[0].to_owned())),
            n => Err(format!(
                "the rule `{r}` is ambiguous, {n} rule ids end with it: {}; give more of the id",
                m.join(", ")
            )),
        }
    };
    let mut rules = Vec::new();
    for r in &a.rule {
        match full_id(r) {
            Ok(Some(id)) => rules.push(id),
            Ok(None) => return err(unknown_id("rule", r, &a.ds, &ids)),
            Err(e) => return err(format!("{}: {e}", a.ds.display())),
        }
    }
    // an unknown --skip-rule skips nothing: a warning, as oscap ignores it
    let mut skip_rules = Vec::new();
    for r in &a.skip_rule {
        match full_id(r) {
            Ok(Some(id)) => skip_rules.push(id),
            Ok(None) => warn!("--skip-rule: {}", unknown_id("rule", r, &a.ds, &ids)),
            Err(e) => warn!("--skip-rule: {e}"),
        }
    }
    if let Some((name, id)) = &a.reference {
        // an unknown reference type filters nothing, as in oscap
        match run::rules_without_reference(&content.benchmark, name, id) {
            Ok(ids) => skip_rules.extend(ids),
            Err(e) => warn!("--reference: {e}; every selected rule is evaluated"),
        }
    }
    let mut sce = a.sce;
    if !sce && a.trust_key.is_some() {
        match sce_trusted(&content, signatures.as_ref()) {
            Ok(()) => sce = true,
            Err(e) => errln!("note: SCE checks will not run: {e}"),
        }
    }
    let tty = std::io::stderr().is_terminal() && !a.quiet;
    let last = std::sync::Mutex::new(Instant::now() - Duration::from_secs(1));
    let progress = |done: usize, total: usize| {
        let mut l = last.lock().unwrap_or_else(|p| p.into_inner());
        if done == total || l.elapsed() > Duration::from_millis(100) {
            *l = Instant::now();
            err!("\r\x1b[Kevaluating rules: {done}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let opts = run::Options {
        profile: a.profile.clone(),
        tailoring,
        target: &target,
        sce,
        engine: EngineOptions { probe_timeout: Duration::from_secs(a.probe_timeout.max(1)) },
        progress: if tty { Some(&progress) } else { None },
        rules,
        skip_rules,
    };
    let mut scan = match run::evaluate(&content, &opts) {
        Ok(s) => s,
        Err(e) => return err(e),
    };
    if a.remediate {
        if let Err(e) = crate::fix_cmd::remediate(&content, &opts, &mut scan, a.quiet || a.format.is_document()) {
            return err(e);
        }
    }
    if tty {
        err!("\r\x1b[K");
    }
    if let Err(code) = write_outputs(&a, &scan, &content) {
        return code;
    }
    print_summary(&a, &scan, &content, t0.elapsed());
    warn_if_nothing_evaluated(&a, &scan, &content);
    exit_for(&scan)
}

/// An id that is not there: the closest ids ("did you mean"), else all of
/// them when few.
fn unknown_id(kind: &str, want: &str, ds: &Path, ids: &[&str]) -> String {
    let extra: &[&str] = if kind == "profile" { &["(all)"] } else { &[] };
    let more = format!("`scapc ds info {}` lists them", ds.display());
    scapc_diagnostics::suggest::unknown(kind, want, &ds.display().to_string(), ids, extra, &more)
}

/// A scan that evaluated nothing is usually a mistake: say so on stderr.
fn warn_if_nothing_evaluated(a: &EvalArgs, scan: &Scan, content: &Content) {
    let evaluated = scan.rules.iter().filter(|r| r.result != XResult::NotSelected).count();
    if evaluated == 0 {
        if a.profile.is_none() && a.rule.is_empty() {
            warn!(
                "no rule was evaluated: the benchmark selects no rule by default; pass --profile ID (`scapc ds info {}` lists them) or --profile '(all)'",
                a.ds.display()
            );
        } else {
            warn!("no rule was evaluated: the profile, --rule and --skip-rule select none");
        }
        return;
    }
    if scan.count(XResult::NotApplicable) == evaluated {
        let b = &content.benchmark;
        let failed: Vec<&str> =
            b.platforms.iter().filter(|p| !scan.platforms.contains(p)).map(String::as_str).collect();
        if !b.platforms.is_empty() && scan.platforms.is_empty() {
            warn!(
                "every rule is notapplicable: the target does not match the benchmark's platform ({})",
                failed.join(", ")
            );
        } else {
            warn!("every rule is notapplicable: the target matches none of the rules' platforms");
        }
    }
}

/// 0 when nothing failed, 2 when a rule failed or erred.
pub fn exit_for(scan: &Scan) -> ExitCode {
    if scan.rules.iter().any(|r| matches!(r.result, XResult::Fail | XResult::Error | XResult::Unknown)) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn write_outputs(a: &EvalArgs, scan: &Scan, content: &Content) -> Result<(), ExitCode> {
    if let Some(p) = &a.results_arf {
        write_private(p, results::arf(scan, content).as_bytes()).map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    if let Some(p) = &a.results {
        write_private(p, results::xccdf_document(scan, content).as_bytes())
            .map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    if let Some(p) = &a.stig_viewer {
        write_private(p, results::stig_viewer(scan, content).as_bytes())
            .map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    if let Some(dir) = &a.oval_results {
        let files: Vec<scapc_output::SetFile> = results::oval_result_files(scan)
            .into_iter()
            .map(|(name, xml)| scapc_output::SetFile {
                name,
                data: xml.into_bytes(),
                mode: scapc_output::Mode::Private,
            })
            .collect();
        let o = scapc_output::SetOptions { overwrite: true, skip_unchanged: false };
        scapc_output::write_set(dir, &files, &o).map_err(|e| err(format!("--oval-results {}: {e}", dir.display())))?;
    }
    if a.export_variables {
        let dir = a.oval_results.clone().unwrap_or_else(|| PathBuf::from("."));
        let files: Vec<scapc_output::SetFile> = results::exported_variables(scan)
            .into_iter()
            .map(|(name, xml)| scapc_output::SetFile { name, data: xml.into_bytes(), mode: scapc_output::Mode::Public })
            .collect();
        let o = scapc_output::SetOptions { overwrite: true, skip_unchanged: false };
        scapc_output::write_set(&dir, &files, &o)
            .map_err(|e| err(format!("--export-variables {}: {e}", dir.display())))?;
    }
    if let Some(p) = &a.report {
        let tailoring = match &a.tailoring {
            Some(t) => Content::load_tailoring(t).map_err(err)?,
            None => Vec::new(),
        };
        let html = scapc_html::report(content, &tailoring, &scapc_html::Results::from_scan(scan)).map_err(err)?;
        write_private(p, html.as_bytes()).map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    Ok(())
}

fn print_summary(a: &EvalArgs, scan: &Scan, content: &Content, elapsed: Duration) {
    let title =
        |id: &str| content.benchmark.rules.iter().find(|r| r.id == id).map(|r| r.title.clone()).unwrap_or_default();
    let score = scan.scores.first().map(|s| s.score).unwrap_or(0.0);
    match a.format {
        EvalFormat::Json => {
            let counts: serde_json::Map<String, serde_json::Value> =
                XResult::ALL.iter().map(|r| (r.as_str().to_owned(), serde_json::json!(scan.count(*r)))).collect();
            let rules: Vec<serde_json::Value> = scan
                .rules
                .iter()
                .filter(|r| r.result != XResult::NotSelected)
                .map(|r| serde_json::json!({"id": r.id, "title": title(&r.id), "result": r.result.as_str(), "severity": r.severity, "messages": r.messages}))
                .collect();
            let v = serde_json::json!({
                "benchmark": scan.benchmark_id,
                "profile": scan.profile.as_ref().map(|p| p.0.clone()),
                "target": scan.target.describe(),
                "engine": "native",
                "counts": counts,
                "scores": scan.scores,
                "seconds": elapsed.as_secs_f64(),
                "rules": rules,
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        EvalFormat::Sarif | EvalFormat::Junit | EvalFormat::Github => {
            let file_text = content.standalone.as_ref().and_then(|_| std::fs::read_to_string(&a.ds).ok());
            let rows: Vec<RuleRow> = scan
                .rules
                .iter()
                .filter(|r| r.result != XResult::NotSelected)
                .map(|r| {
                    let rule = content.benchmark.rules.iter().find(|x| x.id == r.id);
                    RuleRow {
                        id: &r.id,
                        title: title(&r.id),
                        result: r.result.as_str(),
                        severity: &r.severity,
                        messages: &r.messages,
                        at: rule.and_then(|x| rule_position(content, file_text.as_deref(), x)),
                        description: rule.map(|x| rule_description(content, x.node)).unwrap_or_default(),
                    }
                })
                .collect();
            let selection = scan.profile.as_ref().map_or("default selection", |p| p.0.as_str());
            if let Some(doc) = render_rules(a.format, &a.ds, &scan.benchmark_id, selection, &rows) {
                out!("{doc}");
            }
        }
        EvalFormat::Text => {
            let color = crate::ui::color(crate::ui::Stream::Stdout);
            if !a.quiet {
                for r in scan.rules.iter().filter(|r| r.result != XResult::NotSelected) {
                    let result = paint_result(color, r.result, &format!("{:<13}", r.result.as_str()));
                    outln!("{result} {:<7} {}  {}", r.severity, r.id, title(&r.id));
                    for m in &r.messages {
                        debug!("{}: {m}", r.id);
                    }
                }
                outln!();
            }
            let parts: Vec<String> = XResult::ALL
                .iter()
                .filter(|r| scan.count(**r) > 0 && **r != XResult::NotSelected)
                .map(|r| paint_result(color, *r, &format!("{} {}", scan.count(*r), r.as_str())))
                .collect();
            outln!(
                "{} on {}: {} ({} rules evaluated), score {:.2}, in {:.2} s",
                scan.profile.as_ref().map_or_else(
                    || if a.profile.as_deref() == Some("(all)") {
                        "(all)".to_owned()
                    } else {
                        "default selection".to_owned()
                    },
                    |p| p.0.clone()
                ),
                scan.target.describe(),
                parts.join(", "),
                scan.rules.iter().filter(|r| r.result != XResult::NotSelected).count(),
                score,
                elapsed.as_secs_f64()
            );
        }
    }
}

/// Where a Rule is in the file evaluated (line, column). A standalone
/// benchmark was made into a data stream in memory, so its Rule is found
/// in the file by its id.
pub(crate) fn rule_position(
    content: &Content,
    file_text: Option<&str>,
    rule: &scapc_eval::xccdf::content::Rule,
) -> Option<(u32, u32)> {
    if content.standalone.is_none() {
        return Some(content.tree.pos(rule.node));
    }
    let text = file_text?;
    for quote in ['"', '\''] {
        let needle = format!("id={quote}{}{quote}", rule.id);
        let mut from = 0;
        while let Some(i) = text[from..].find(&needle).map(|i| i + from) {
            let start = text[..i].rfind('<')?;
            if text[start + 1..].split(|c: char| c.is_whitespace()).next().is_some_and(|n| n.ends_with("Rule")) {
                return Some(scapc_xml::line_col(text, start));
            }
            from = i + needle.len();
        }
    }
    None
}

/// A Rule's description as plain text (for SARIF's rule metadata).
pub(crate) fn rule_description(content: &Content, rule: scapc_xml::tree::NodeId) -> String {
    let t = &content.tree;
    let ns = content.benchmark.ns;
    t.child(rule, ns, "description")
        .map(|d| scapc_eval::xccdf::content::plain_text(&content.src, t, d))
        .unwrap_or_default()
}

/// A result in its colour (fail red, pass green, error and unknown
/// magenta, the results that say nothing dim) when `on`.
fn paint_result(on: bool, r: XResult, text: &str) -> String {
    use crate::ui::{paint, Paint};
    match r {
        XResult::Pass | XResult::Fixed => paint(on, Paint::Green, text),
        XResult::Fail => paint(on, Paint::Red, text),
        XResult::Error | XResult::Unknown => paint(on, Paint::Magenta, text),
        XResult::Informational => paint(on, Paint::Yellow, text),
        _ => paint(on, Paint::Dim, text),
    }
}

/// Profiles of an XCCDF tailoring file.
fn load_tailoring(p: &Path) -> Result<Vec<Profile>, String> {
    let c = Content::load_tailoring(p)?;
    Ok(c)
}

// --- signatures -------------------------------------------------------------------

/// Verifies a signed data stream before it is evaluated, as oscap does.
///
/// `Ok(None)`: nothing to verify (no signature, or
/// `--skip-signature-validation` without `--trusted-key`). `Ok(Some(v))`:
/// the value and the references of every signature verify (layout
/// problems, weak keys and parts outside the signatures are warned about
/// on stderr); with `--trusted-key`, `v` says who signed what. `Err`: an invalid signature, with what changed, and how to go on.
/// `data_stream`: `src` is a source data stream (a standalone benchmark
/// has no data stream signature to check); `stream` is the data stream to
/// be evaluated, when known.
pub(crate) fn verify_signatures(
    a: &EvalArgs,
    src: &str,
    data_stream: bool,
    stream: Option<&str>,
) -> Result<Option<scapc_xmldsig::Verification>, String> {
    if !data_stream || (a.skip_signature_validation && a.trust_key.is_none()) {
        return Ok(None);
    }
    // Cheap test first: an unsigned stream costs no second parse.
    if !src.contains(scapc_xmldsig::dsig::NS_DSIG) {
        return Ok(None);
    }
    let anchor = match &a.trust_key {
        None => None,
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| scapc_xmldsig::keys::PublicKey::from_pem(&t).map_err(|e| e.to_string()))
        {
            Ok(k) => Some(k),
            Err(e) => return Err(format!("--trusted-key {}: {e}", p.display())),
        },
    };
    let v = match scapc_xmldsig::verify_document(src, anchor.as_ref(), a.allow_weak_keys) {
        Ok(v) => v,
        Err(e) if a.skip_signature_validation => {
            warn!("the signatures of {} cannot be verified: {e}", a.ds.display());
            return Ok(None);
        }
        Err(e) => {
            return Err(format!(
                "{}: the signatures cannot be verified: {e}; pass --skip-signature-validation to evaluate it anyway",
                a.ds.display()
            ))
        }
    };
    if v.signatures.is_empty() {
        return Ok(None);
    }
    // Refused: a signature whose value or references do not verify. A
    // layout that departs from SP 800-126 is only warned about (oscap
    // accepts such signatures too).
    let broken: Vec<String> = v
        .signatures
        .iter()
        .filter(|r| !r.unchanged())
        .map(|r| format!("signature `{}`: {}", r.id, r.explain()))
        .collect();
    if !broken.is_empty() {
        if !a.skip_signature_validation {
            return Err(format!(
                "{}: invalid signature in the data stream, it is not evaluated: {}; pass --skip-signature-validation to evaluate it anyway",
                a.ds.display(),
                broken.join("; ")
            ));
        }
        warn!("{}: invalid signature, evaluated anyway: {}", a.ds.display(), broken.join("; "));
    }
    if !a.quiet {
        for r in v.signatures.iter().filter(|r| r.unchanged() && !r.problems.is_empty()) {
            warn!("signature `{}`: {}", r.id, r.problems.join("; "));
        }
        for r in v.signatures.iter().filter(|r| r.unchanged()) {
            if let Some(bits) = r.weak_key_bits {
                warn!("signature `{}` is made by a weak key (RSA with {bits} bits, under 2048)", r.id);
            }
        }
        // The stream evaluated: the one asked for, else the first.
        let chosen = match stream {
            Some(id) => v.stream(id),
            None => v.streams.first(),
        };
        if let Some(c) = chosen {
            if !v.signatures.iter().any(|r| r.unchanged() && r.data_stream.as_deref() == Some(c.id.as_str())) {
                warn!("data stream `{}`, which is evaluated, is outside every signature of the file", c.id);
            } else if !c.uncovered.is_empty() && !v.trust_anchor {
                warn!("data stream `{}` reaches components outside every signature: {}", c.id, c.uncovered.join(", "));
            }
        }
    }
    Ok(Some(v))
}

/// Ok when SCE scripts may run under `--trusted-key`: the evaluated data
/// stream and every component it reaches are covered by signatures from
/// the trusted key, no id on the way is ambiguous, and every SCE script
/// the benchmark names resolves to an element inside a covered component.
pub(crate) fn sce_trusted(content: &Content, v: Option<&scapc_xmldsig::Verification>) -> Result<(), String> {
    let Some(v) = v else { return Err("the data stream is not signed".into()) };
    if content.stream.is_none() {
        return Err("a standalone benchmark carries no data stream signature".into());
    }
    let id = content.stream_id.as_str();
    let cov = v.stream(id).ok_or_else(|| format!("data stream `{id}` is not in the signed collection"))?;
    if !cov.covered {
        let mut why = Vec::new();
        if cov.weak_only {
            why.push(format!(
                "data stream `{id}`, which is evaluated, is signed by the trusted key, but the key is weak (RSA under 2048 bits); --allow-weak-keys accepts it"
            ));
        } else if cov.signed_by.is_empty() {
            why.push(format!("data stream `{id}`, which is evaluated, is not signed by the trusted key"));
        }
        if !cov.uncovered.is_empty() && !cov.weak_only {
            why.push(format!(
                "it reaches {} outside every signature by the trusted key: {}",
                if cov.uncovered.len() == 1 { "a component" } else { "components" },
                cov.uncovered.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        why.extend(cov.problems.iter().cloned());
        return Err(why.join("; "));
    }
    // What runs is found by id anywhere in the document (the first element
    // with that id wins), so the ids of the stream's component-refs and
    // components must each be carried by one element only.
    let t = &content.tree;
    let mut wanted: std::collections::HashMap<&str, usize> = cov.components.iter().map(|c| (c.as_str(), 0)).collect();
    if let Some(s) = content.stream {
        for &r in t.all_in(s, NS_DS, "component-ref") {
            if let Some(rid) = t.attr(r, "id") {
                wanted.insert(rid, 0);
            }
        }
    }
    for i in 0..t.nodes.len() {
        if let Some(n) = t.attr(i as scapc_xml::tree::NodeId, "id").and_then(|x| wanted.get_mut(x)) {
            *n += 1;
        }
    }
    let mut dup: Vec<&str> = wanted.iter().filter(|(_, n)| **n > 1).map(|(k, _)| *k).collect();
    if !dup.is_empty() {
        dup.sort_unstable();
        return Err(format!(
            "the id{} {} of the evaluated data stream {} carried by more than one element, so what runs is ambiguous",
            if dup.len() == 1 { "" } else { "s" },
            dup.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "),
            if dup.len() == 1 { "is" } else { "are" }
        ));
    }
    for href in sce_hrefs(content) {
        let inside = content.resolve(&href).is_some_and(|(_, node)| {
            let pos = t.node(node).pos;
            cov.covered_ranges.iter().any(|r| r.contains(&pos))
        });
        if !inside {
            return Err(format!("the SCE script `{href}` is not inside a component signed by the trusted key"));
        }
    }
    Ok(())
}

const NS_DS: &str = "http://scap.nist.gov/schema/scap/source/1.2";

/// The hrefs of every SCE check of the benchmark.
fn sce_hrefs(content: &Content) -> Vec<String> {
    fn walk(c: &scapc_eval::xccdf::content::CheckSpec, out: &mut Vec<String>) {
        match c {
            scapc_eval::xccdf::content::CheckSpec::Checks(v) => {
                for ch in v.iter().filter(|ch| ch.system == scapc_eval::xccdf::SYS_SCE) {
                    out.extend(ch.refs.iter().map(|(h, _)| h.clone()));
                }
            }
            scapc_eval::xccdf::content::CheckSpec::Complex { children, .. } => {
                children.iter().for_each(|k| walk(k, out))
            }
        }
    }
    let mut out = Vec::new();
    for r in &content.benchmark.rules {
        if let Some(c) = &r.check {
            walk(c, &mut out);
        }
    }
    out.sort();
    out.dedup();
    out
}
