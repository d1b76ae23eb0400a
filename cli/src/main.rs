//! The `scapc` command.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use scapc_compiler::build::{self, BuildOptions};
use scapc_diagnostics::{render_json, render_text, Diagnostic, Severity, TextOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

// mimalloc, tuned (`scapc-alloc` says why).
#[global_allocator]
static ALLOC: scapc_alloc::Allocator = scapc_alloc::Allocator;

#[macro_use]
mod out;
#[macro_use]
mod ui;
mod build_finish;
#[cfg(test)]
mod cli_consistency;
mod completions;
mod convert_cmd;
mod daemon_cmd;
mod decompile_cmd;
mod diff_cmd;
mod ds_cmd;
mod eval_cmd;
mod eval_oscap;
mod eval_oval;
mod eval_ssh;
mod fix_cmd;
mod guide_cmd;
mod image_target;
mod lint_cmd;
mod man;
mod remediate_cmd;
mod report_cmd;
mod resolve_cmd;
mod result_cmd;
mod serve_cmd;
mod sign_cmd;
mod task_cmd;
mod test_cmd;
mod validate_cmd;
mod watch;

#[derive(Parser)]
#[command(
    name = "scapc",
    version,
    about = "Compile, validate, lint and run SCAP security content",
    long_about = None,
    after_help = "Exit codes: 0 ok, 1 error, 2 a rule failed (eval) or differences (diff), 64 usage (docs/cli.md).

Examples:
  scapc build -C content -p debian12
  scapc eval build/debian12-ds.xml --profile standard --report report.html
  scapc lint content --format sarif > lint.sarif"
)]
struct Cli {
    #[command(flatten)]
    global: ui::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

/// The whole command line: every subcommand, flag and help text (for
/// completions, manual pages and the consistency test).
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// How diagnostics are printed, by every command that reports them.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// file:line:col: severity[CODE]: message, with the source line
    Text,
    /// {"diagnostics": [...], "errors": n, "warnings": n}
    Json,
    /// SARIF 2.1.0, for code-scanning uploads
    Sarif,
    /// GitHub Actions workflow commands (::error file=..,line=..::message)
    Github,
}

#[derive(Subcommand)]
enum Command {
    /// Compile a content tree into XCCDF, OVAL, OCIL, CPE and a SCAP 1.3 source data stream
    ///
    /// Every product under products/ is built into the output directory as
    /// <product>-ds.xml plus one file per component. Nothing is written for a
    /// product with errors. Timestamps come from SOURCE_DATE_EPOCH when set,
    /// else from the newest source file, so rebuilding gives identical bytes.
    #[command(after_help = "Examples:
  scapc build -C content -p debian12 -o build
  scapc build content --format sarif > build.sarif
  scapc build --watch -C content -p debian12")]
    Build {
        #[command(flatten)]
        tree: ui::TreeArg,
        /// Output directory [default: TREE/build]
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
        /// Build only this product (repeatable)
        #[arg(long = "product", short = 'p')]
        products: Vec<String>,
        /// Include SCE script checks (SCAP 1.3 allows only OVAL and OCIL, SRC-118)
        #[arg(long)]
        sce: bool,
        /// How to print diagnostics and the summary
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Do not validate the data streams before writing them (by
        /// default each is checked against the XSDs and the SP 800-126r3
        /// requirements, and a stream with errors is not written)
        #[arg(long)]
        no_validate: bool,
        /// Sign every data stream the build writes, as `scapc sign` does
        /// (private key, PEM PKCS#8, RSA or EC P-256)
        #[arg(long)]
        sign_key: Option<PathBuf>,
        /// X.509 certificate of --sign-key, carried in KeyInfo
        #[arg(long, requires = "sign_key")]
        cert: Option<PathBuf>,
        /// Also write an HTML guide per profile next to each data stream
        /// (<product>-guide-<profile>.html)
        #[arg(long)]
        guides: bool,
        /// Also write, per profile, the bash script
        /// `<product>-script-<profile>.sh` and the Ansible playbook
        /// `<product>-playbook-<profile>.yml` beside the data stream
        #[arg(long)]
        fixes: bool,
        /// Keep running: after each edit of the tree, rebuild and rewrite
        /// the outputs that changed (one line per rebuild; an edit with
        /// errors keeps the previous outputs). Stop it with Ctrl-C.
        #[arg(long, conflicts_with = "fixes")]
        watch: bool,
    },
    /// Check SCAP documents against the official XSDs and the SP 800-126r3 requirements
    ///
    /// Detects each file's type (source data stream, XCCDF, OVAL, OCIL, CPE,
    /// ARF), validates it, or each data stream component, against its
    /// schema, and checks every SP 800-126r3 requirement scapc knows (see
    /// docs/requirements.md), reporting each finding by requirement ID.
    /// Exit code: 0 no errors, 1 errors, 64 usage or I/O problems.
    #[command(after_help = "Examples:
  scapc validate build/debian12-ds.xml
  scapc validate build/ --format junit > validate.xml
  scapc validate ds.xml --ignore SRC-251 --warnings-as-errors --format github")]
    Validate(validate_cmd::ValidateArgs),
    /// Check a content tree's sources: schemas, references, identity and quality (docs/lints.md)
    ///
    /// Loads and compiles the tree like `build` (nothing is written), then runs
    /// every enabled lint in parallel. Configuration: scapc-lint.yml at the
    /// tree's root; a finding is silenced by `scapc-lint: disable=CODE` on its
    /// line or the line above. Exit code: 0 no errors, 1 errors, 64 usage or
    /// I/O problems.
    #[command(after_help = "Examples:
  scapc lint content
  scapc lint -C content --format github --warnings-as-errors
  scapc lint --explain L031")]
    Lint(lint_cmd::LintArgs),
    /// Write a bash script, Ansible playbook, kickstart, blueprint or bootc script with a profile's fixes
    ///
    /// Every selected rule's fix of the chosen type, in benchmark order,
    /// Values substituted from the profile and the tailoring (`<sub idref>`).
    /// With --results (or --result-id), only the rules that failed in that
    /// TestResult, with the values the scan used. Platform guards are part
    /// of the fixes and kept. kickstart, blueprint and bootc gather the
    /// fixes' packages, services, kernel arguments and partitions into one
    /// file for installing or building a hardened system; anaconda writes
    /// the anaconda commands. Nothing is run.
    /// Exit code: 0 written, 1 an error, 64 usage.
    #[command(after_help = "Examples:
  scapc fix build/debian12-ds.xml --profile standard -o fix.sh
  scapc fix build/debian12-ds.xml --fix-type ansible --results arf.xml --result-id standard -o fix-failed.yml
  scapc fix ds.xml --profile standard --fix-type kickstart --tailoring tailoring.xml -o hardened.ks")]
    Fix(fix_cmd::FixArgs),
    /// Fix the failures recorded in a results file (as `oscap xccdf remediate`)
    ///
    /// Takes a TestResult of XCCDF results (`scapc eval --results`; by
    /// --result-id, default the last), runs the script fix (shell, else
    /// Python or Perl) of each rule-result that says `fail` on the target,
    /// with its Values from the TestResult and its `<instance>` from the
    /// rule-result, evaluates the rule-result's check again and records
    /// `fixed` or `error`, with the fix and its output, in a new TestResult
    /// (`ID001`, `ID002`, ...) added to the results. Nothing else is
    /// re-evaluated. Exit code: 0 nothing fails, 2 a rule-result is `fail`
    /// or `error`, 1 an error.
    #[command(after_help = "Examples:
  scapc remediate results.xml --results results.xml
  scapc remediate results.xml --result-id standard --target dir:/srv/rootfs --results after.xml")]
    Remediate(remediate_cmd::RemediateArgs),
    /// Run the rules' test scenarios in throwaway root filesystems
    ///
    /// Builds the tree, then runs every `tests/*.pass.sh`, `*.fail.sh` and
    /// `*.notapplicable.sh` of the chosen rules, each in its own overlay of
    /// a base root filesystem in private mount and PID namespaces
    /// (chrooted, own /proc, /dev, /tmp; needs root). The rule is evaluated
    /// on the overlay; after a fail scenario its bash fix runs, the rule must
    /// pass, and a second run of the fix must change nothing. On a
    /// ComplianceAsCode tree the scenarios are picked and rendered as
    /// Automatus does (rule and template `tests/`, CaC's Jinja). The
    /// summary groups what did not pass by cause.
    /// Exit code: 0 every scenario kept its promise, 1 a finding, 64 usage.
    #[command(after_help = "Examples:
  scapc test -C content --product debian12 --rule sshd_disable_root_login
  scapc test -C cac/content --product debian12 --format json --junit scenarios.xml > scenarios.json
  scapc test -v --engine oscap --rule package_telnet_removed")]
    Test(test_cmd::TestArgs),
    /// Internal: one scenario inside its namespaces (run by `scapc test`)
    #[command(name = "__scenario-job", hide = true)]
    ScenarioJob { spec: String },
    /// Internal: builds one package layer (run by `scapc test`)
    #[command(name = "__scenario-layer", hide = true)]
    ScenarioLayer { spec: String },
    /// Internal: fixes run chrooted in a `dir:` target (run by `eval --remediate`)
    #[command(name = "__remediate-dir", hide = true)]
    RemediateDir { spec: PathBuf },
    /// Scan a target with compiled content and write ARF results and an HTML report
    ///
    /// A native XCCDF 1.2, OVAL 5.11 and SCE engine evaluates the benchmark
    /// of a source data stream on this host (`--target local`), an offline
    /// root filesystem (`dir:/path`) or a remote host (`ssh://user@host`).
    /// `--engine oscap` delegates to OpenSCAP instead. A signed data stream's
    /// signatures are verified first, as oscap does: an invalid one stops the
    /// scan (--skip-signature-validation evaluates anyway). SCE scripts run
    /// only with --sce, or with --trusted-key when the evaluated data stream and
    /// every component it reaches are signed by that key.
    /// Exit code: 0 all rules passed, 2 a rule failed, 1 an error, 64 usage.
    #[command(after_help = "Examples:
  scapc eval build/debian12-ds.xml --profile standard --results-arf arf.xml --report report.html
  scapc eval ds.xml --profile standard --rule xccdf_org.scapc_rule_sshd_disable_root_login --format json
  scapc eval ds.xml --target dir:/srv/rootfs --trusted-key signer.pem --color always")]
    Eval(Box<eval_cmd::EvalArgs>),
    /// Take apart, put together and inspect source data streams
    #[command(
        subcommand,
        after_help = "Examples:
  scapc ds info build/debian12-ds.xml
  scapc ds split build/debian12-ds.xml -o components/
  scapc ds compose components/manifest.yml -o ds.xml"
    )]
    Ds(DsCommand),
    /// Convert an XCCDF 1.1.4 benchmark to XCCDF 1.2
    ///
    /// Ids become `xccdf_<reverse DNS>_<kind>_<id>` and every reference
    /// follows them, as OpenSCAP's xccdf_1.1_to_1.2.xsl converts; elements
    /// XCCDF 1.2 removed are dropped.
    #[command(after_help = "Examples:
  scapc convert old-xccdf.xml -o xccdf-1.2.xml
  scapc convert usgcb-xccdf.xml -o usgcb-1.2.xml --reverse-dns gov.nist.usgcb")]
    Convert {
        /// The XCCDF 1.1.4 benchmark
        input: PathBuf,
        /// The XCCDF 1.2 benchmark to write
        #[arg(long, short = 'o')]
        out: PathBuf,
        /// The reverse DNS name put into the new ids
        #[arg(long, default_value = "org.scapc")]
        reverse_dns: String,
    },
    /// Write an XCCDF benchmark with its inheritance resolved (`oscap xccdf resolve`)
    ///
    /// Profiles, Rules and Values that extend another take its properties
    /// (XCCDF 1.2 §7.2.3), abstract items are removed and the Benchmark is
    /// marked `resolved="1"`. XCCDF 1.2 and 1.1.4.
    #[command(after_help = "Examples:
  scapc resolve xccdf.xml -o resolved.xml
  scapc resolve --output resolved.xml old-1.1.4-xccdf.xml")]
    Resolve {
        /// The XCCDF benchmark
        input: PathBuf,
        /// The resolved benchmark to write
        #[arg(long, short = 'o', visible_alias = "output")]
        out: PathBuf,
    },
    /// Write the HTML guide of a profile: every selected rule with its
    /// description, rationale, Values, check, fixes and references
    ///
    /// One self-contained page (no network): the profile summary, the
    /// collapsible group tree, search, print-friendly.
    #[command(after_help = "Examples:
  scapc guide build/debian12-ds.xml --profile standard -o guide.html
  scapc guide ssg-debian12-ds.xml --profile '(all)' > all-rules.html
  scapc guide ds.xml --tailoring tailoring.xml --profile custom -o custom.html")]
    Guide(guide_cmd::GuideArgs),
    /// Write the HTML report of an ARF or an XCCDF results document (from `scapc eval` or `oscap xccdf eval`)
    ///
    /// Everything the guide shows, plus the results: score per scoring
    /// model, results and failures by severity, target facts, and rules
    /// groupable by group, result or severity.
    #[command(after_help = "Examples:
  scapc eval build/debian12-ds.xml --profile standard --results-arf arf.xml
  scapc report arf.xml -o report.html
  scapc report oscap-arf.xml --tailoring tailoring.xml -o report.html")]
    Report(report_cmd::ReportArgs),
    /// Sign a source data stream (SP 800-126r3 §3.11, TMSAD)
    ///
    /// Each data stream gets one XML signature (Canonical XML 1.1, SHA-256,
    /// RSA or ECDSA P-256) placed last in the collection. It signs the data
    /// stream, a TMSAD signature-info and a Manifest that covers every
    /// component the data stream uses (its component-refs and their
    /// catalogs). A component that no data stream uses is left unsigned,
    /// and `verify` reports it.
    #[command(after_help = "Examples:
  scapc sign build/debian12-ds.xml --key signer.pem --cert signer.crt -o signed-ds.xml
  scapc verify signed-ds.xml --trusted-key signer.crt")]
    Sign {
        /// The source data stream
        ds: PathBuf,
        /// Private key, PEM PKCS#8 (`-----BEGIN PRIVATE KEY-----`), RSA or EC P-256
        #[arg(long)]
        key: PathBuf,
        /// X.509 certificate of the key, carried in KeyInfo
        #[arg(long)]
        cert: Option<PathBuf>,
        /// Signer name for the signature-info (default: the user name)
        #[arg(long)]
        signer: Option<String>,
        /// The signed data stream to write
        #[arg(long, short = 'o')]
        out: PathBuf,
    },
    /// Verify the signatures of a source data stream, and what they cover
    ///
    /// Checks every signature value (RSA keys of 1024 bits and more, ECDSA
    /// P-256), every SignedInfo and Manifest reference, and names any
    /// component that changed after signing. A signature by an RSA key under
    /// 2048 bits is a weak-key finding, refused unless --allow-weak-keys.
    /// Then, per data stream: is the stream, with every component it reaches
    /// through its component-refs and their catalogs, covered by an accepted
    /// signature? An unsigned data stream or component is named. With a trust
    /// anchor, a signature by any other key is rejected and anything not
    /// covered fails the verification; without one, only integrity is
    /// checked, coverage findings are warnings, and the signer's key
    /// fingerprint is shown.
    /// Exit code: 0 valid, 1 invalid, weak key, not covered (with a trust
    /// anchor) or unreadable.
    #[command(after_help = "Examples:
  scapc verify signed-ds.xml --trusted-key signer.crt
  scapc verify signed-ds.xml --trusted-key signer-pub.pem --format json
  scapc verify old-ds.xml --trusted-key rsa1024-pub.pem --allow-weak-keys")]
    Verify {
        /// The signed source data stream
        ds: PathBuf,
        /// Accept only signatures by this public key or this certificate's
        /// key (PEM): the trust anchor, named as `eval` names it
        #[arg(long, value_name = "PEM", alias = "trusted-cert", alias = "trust-key")]
        trusted_key: Option<PathBuf>,
        /// Accept signatures by RSA keys of 1024 to 2047 bits (still
        /// reported as weak)
        #[arg(long)]
        allow_weak_keys: bool,
        /// text, or json: signatures, per-stream coverage (`streams`: id,
        /// covered, uncovered_components) and `findings`
        #[arg(long, value_enum, default_value = "text")]
        format: InfoFormat,
    },
    /// Scan tasks for continuous scanning: create (-i asks), list, show,
    /// enable, disable, run, remove, edit; `task ID guide` (docs/service.md)
    #[command(after_help = "Examples:
  scapc task create --content ssg-debian12-ds.xml --profile standard --repeat @daily --enable
  scapc task list --format json
  scapc task 1 guide > task-1.html")]
    Task(task_cmd::TaskArgs),
    /// Results of task runs: list, show, diff (drift), import ARF, prune
    #[command(after_help = "Examples:
  scapc result list 1
  scapc result diff 1 3 4
  scapc result import oscap-arf.xml --target web1")]
    Result(result_cmd::ResultArgs),
    /// The store of tasks and results: `store check` verifies and repairs the index
    #[command(after_help = "Examples:
  scapc store check
  scapc store check --no-repair --store /var/lib/scapc")]
    Store(result_cmd::StoreArgs),
    /// Run due tasks with bounded parallel workers, sleeping until the next
    /// due time; SIGHUP rereads the tasks, SIGTERM stops after the runs in progress
    #[command(after_help = "Examples:
  scapc daemon --jobs 4
  scapc daemon --store /var/lib/scapc -v")]
    Daemon(daemon_cmd::DaemonArgs),
    /// Serve the store over HTTP/JSON with a dashboard: a Unix socket
    /// (default STORE/scapc.sock, 0600), or TCP with a bearer token
    #[command(after_help = "Examples:
  scapc serve
  scapc serve --listen 127.0.0.1:8080 --token-file /etc/scapc/token")]
    Serve(serve_cmd::ServeArgs),
    /// Compare two data streams (or XCCDF benchmarks, or OVAL documents) by meaning
    ///
    /// Rules, groups, values and profiles added, removed or changed (title,
    /// severity, check logic, fixes, idents, references, platforms, profile
    /// selections and values). OVAL is compared by what it checks: renumbered
    /// ids are no change. Exit status: 0 no differences, 1 differences, 2 trouble.
    #[command(after_help = "Examples:
  scapc diff old/debian12-ds.xml build/debian12-ds.xml
  scapc diff old-oval.xml new-oval.xml --format json
  scapc diff main-ds.xml pr-ds.xml --format markdown > comment.md")]
    Diff(diff_cmd::DiffArgs),
    /// Turn a source data stream back into a content tree (rules, groups,
    /// values, profiles, product, platforms) that `scapc build` compiles
    /// into an equivalent data stream: the same ids, selections and results
    Decompile(decompile_cmd::DecompileArgs),
    /// Write a shell completion script (bash, zsh, fish, elvish, powershell) to stdout
    #[command(after_help = "Examples:
  scapc completions bash > /etc/bash_completion.d/scapc
  scapc completions zsh > ~/.zfunc/_scapc
  scapc completions fish > ~/.config/fish/completions/scapc.fish")]
    Completions(completions::CompletionsArgs),
    /// Write the manual pages (scapc.1 and one page per subcommand), made from this command line
    #[command(after_help = "Examples:
  scapc man -o /usr/local/share/man/man1
  scapc man | man -l -")]
    Man(man::ManArgs),
}

#[derive(Subcommand)]
enum DsCommand {
    /// Write every component of a data stream to its own file, losslessly
    ///
    /// Files are named like OpenSCAP names them: by catalog name where a
    /// catalog maps one, else by component-ref id. Each component keeps its
    /// bytes; the namespaces it inherited are declared on its root element.
    #[command(after_help = "Examples:
  scapc ds split build/debian12-ds.xml -o components/
  scapc ds split ds.xml --component scap_org.example_comp_oval.xml -o -")]
    Split {
        /// The source data stream
        ds: PathBuf,
        /// Output directory (created if missing)
        #[arg(long, short = 'o', default_value = ".")]
        out: PathBuf,
        /// Extract only this component (by component id); with `-o -` it goes to stdout
        #[arg(long)]
        component: Option<String>,
        /// Replace files that already exist in the output directory (by
        /// default split refuses to write over a file it did not write)
        #[arg(long)]
        force: bool,
    },
    /// Put a source data stream together
    ///
    /// From an XCCDF file (quick form): follows its check-content-ref and
    /// check-fact-ref hrefs and its CPE platforms, and includes the OVAL,
    /// OCIL, CPE dictionary and CPE OVAL components it needs, with catalogs.
    /// From a YAML manifest (`*.yml`, as `ds split` writes): exactly the
    /// components and data streams it lists, remote component-refs
    /// included. Timestamps come from SOURCE_DATE_EPOCH, else file mtimes.
    #[command(after_help = "Examples:
  scapc ds compose ssg-debian11-xccdf.xml -o ds.xml
  scapc ds compose components/manifest.yml -o ds.xml")]
    Compose {
        /// An XCCDF benchmark file or a compose manifest (.yml)
        input: PathBuf,
        /// The data stream to write
        #[arg(long, short = 'o')]
        out: PathBuf,
        /// Reverse-DNS namespace for ids (quick form; default: from the input)
        #[arg(long)]
        namespace: Option<String>,
        /// Read component files outside the input's directory too (by
        /// default a path or href that resolves outside it is an error)
        #[arg(long)]
        allow_outside: bool,
    },
    /// Show what a data stream holds: streams, components, benchmarks and
    /// profiles, OVAL counts and test types, CPE platforms, signatures
    #[command(after_help = "Examples:
  scapc ds info build/debian12-ds.xml
  scapc ds info arf.xml --format json")]
    Info {
        /// The source data stream (or a result data stream, ARF)
        ds: PathBuf,
        /// text, or json for scripts
        #[arg(long, value_enum, default_value = "text")]
        format: InfoFormat,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum InfoFormat {
    Text,
    Json,
}

/// Prints the compiler's diagnostics in `format` (notes left out under
/// `-q`) and counts their warnings for `--warnings-as-errors`.
fn print_diags(diags: &[Diagnostic], format: Format) {
    let quiet = ui::quiet();
    let shown: Vec<Diagnostic> = diags.iter().filter(|d| !quiet || d.severity != Severity::Note).cloned().collect();
    ui::count_warnings(shown.iter().filter(|d| d.severity == Severity::Warning).count());
    let meaning = |code: &str| scapc_compiler::codes::ALL.iter().find(|(c, _)| *c == code).map(|(_, m)| *m);
    match format {
        Format::Text => {
            let color = ui::color(ui::Stream::Stderr);
            err!("{}", render_text(&shown, &TextOptions { snippets: true, color }));
        }
        Format::Github => {
            let title = |d: &Diagnostic| format!("{} {}", d.code, meaning(&d.code).unwrap_or_default());
            out!("{}", scapc_diagnostics::render_github(&shown, &title))
        }
        Format::Json => outln!("{}", render_json(&shown)),
        Format::Sarif => {
            // Each compiler code with its meaning, as docs/diagnostics.md lists it.
            let rule = |code: &str| {
                Some(scapc_diagnostics::SarifRule {
                    short_description: Some(meaning(code)?.to_owned()),
                    help_uri: Some("https://github.com/scapc/scapc/blob/main/docs/diagnostics.md".to_owned()),
                    ..Default::default()
                })
            };
            let tool = scapc_diagnostics::SarifTool { name: "scapc", version: env!("CARGO_PKG_VERSION"), rule: &rule };
            outln!("{}", scapc_diagnostics::render_sarif_with(&shown, &tool))
        }
    }
}

fn human_size(n: usize) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KiB", n as f64 / 1024.0)
    }
}

struct BuildFlags {
    sign_key: Option<PathBuf>,
    cert: Option<PathBuf>,
    guides: bool,
    fixes: bool,
    watch: bool,
}

fn run_build(
    root: PathBuf,
    out: Option<PathBuf>,
    products: Vec<String>,
    sce: bool,
    format: Format,
    no_validate: bool,
    flags: BuildFlags,
) -> ExitCode {
    let quiet = ui::quiet();
    let epoch = match build::source_date_epoch() {
        Ok(e) => e,
        Err(msg) => {
            errln!("error: {msg}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let out_dir = out.unwrap_or_else(|| root.join("build"));
    let finisher = match build_finish::Finisher::new(
        flags.sign_key.as_deref(),
        flags.cert.as_deref(),
        flags.guides,
        out_dir.clone(),
    ) {
        Ok(f) => f,
        Err(d) => {
            ds_cmd::fail(d);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let finish = |name: &str, text: String| finisher.finish(name, text);
    let finish = (flags.sign_key.is_some() || flags.guides).then_some(&finish as build::Finish<'_>);
    info!(
        "building {} from {} into {}{}",
        if products.is_empty() { "every product".to_owned() } else { products.join(", ") },
        root.display(),
        out_dir.display(),
        if no_validate { ", without the validation gate" } else { "" }
    );
    let opts = BuildOptions { root, out_dir, products, sce, epoch };
    let start = Instant::now();
    // The gate: every error-level finding stops the write; warnings are
    // left to `scapc validate`, which reports them in full.
    // Streaming: the gate checks text scapc wrote, without a tree of it.
    let validator =
        (!no_validate).then(|| scapc_validator::Validator::new(scapc_validator::Options::default()).streaming());
    if let Some(Err(e)) = validator.as_ref().map(|v| v.schema_dir()) {
        errln!("error: cannot validate the build output: {e}");
        errln!("  hint: install openscap-common, set SCAPC_SCHEMAS, or pass --no-validate");
        return ExitCode::from(EXIT_USAGE);
    }
    let gate = |path: &std::path::Path, text: &str| -> Vec<Diagnostic> {
        let v = validator.as_ref().expect("gate only runs with a validator");
        // --sce asks for SCE checks, which SRC-118-1 forbids: the user chose that.
        v.validate_text(path, text)
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error && !(sce && d.code == "SRC-118-1"))
            .map(|d| d.hint("found by the build's validation gate; `--no-validate` skips it"))
            .collect()
    };
    let gate = validator.as_ref().map(|_| &gate as build::Gate<'_>);
    if flags.watch {
        return watch::run(opts, gate, finish, format);
    }
    // The data stream schema loads (~70 ms) while the products compile,
    // not when the first stream reaches the gate.
    let report = std::thread::scope(|s| {
        if let Some(v) = validator.as_ref() {
            s.spawn(|| v.preload_data_stream_schema());
        }
        build::build_finished(&opts, gate, finish)
    });
    let elapsed = start.elapsed();
    let diags = report.diagnostics.as_slice();
    info!("compiled, validated and written in {:.2} s", elapsed.as_secs_f64());
    if format != Format::Text {
        print_diags(diags, format);
    } else {
        print_diags(diags, format);
        if report.diagnostics.has_errors() {
            errln!(
                "error: build failed with {} error(s) and {} warning(s); nothing was written",
                report.diagnostics.error_count(),
                report.diagnostics.warning_count()
            );
        } else if !quiet {
            for p in &report.outputs {
                errln!(
                    "built {}: {} rules, {} groups, {} values, {} profiles, {} OVAL definitions",
                    p.product,
                    p.rules,
                    p.groups,
                    p.values,
                    p.profiles,
                    p.oval_definitions
                );
                for (path, size) in &p.files {
                    let shown = path.strip_prefix("./").unwrap_or(path);
                    errln!("  {} ({})", shown.display(), human_size(*size));
                }
            }
            if validator.is_some() {
                errln!(
                    "validated the data streams: XSDs and SP 800-126r3 requirements, no errors{}",
                    if opts.sce {
                        " (SCE checks kept as asked, though SRC-118-1 forbids them in SCAP 1.3)"
                    } else {
                        ""
                    }
                );
            }
            errln!("finished in {:.2} s", elapsed.as_secs_f64());
        }
    }
    if report.diagnostics.has_errors() {
        return ExitCode::from(1);
    }
    if flags.fixes {
        for p in &report.outputs {
            let Some((ds, _)) = p.files.iter().find(|(f, _)| f.to_string_lossy().ends_with("-ds.xml")) else {
                continue;
            };
            match fix_cmd::write_profile_fixes(ds, &p.product) {
                Ok(files) if !quiet => files.iter().for_each(|f| errln!("  {}", f.display())),
                Ok(_) => {}
                Err(e) => {
                    errln!("error: writing the fixes: {e}");
                    return ExitCode::from(1);
                }
            }
        }
    }
    ExitCode::SUCCESS
}

/// Exit code of a command line that does not parse (EX_USAGE of
/// sysexits.h), distinct from 2 ("a rule failed" for `eval`).
pub const EXIT_USAGE: u8 = 64;

/// `--help` and `--version` print and succeed; any other parse error
/// prints clap's message and exits with [`EXIT_USAGE`].
fn usage_error(e: clap::Error) -> ExitCode {
    let code = if e.use_stderr() { ExitCode::from(EXIT_USAGE) } else { ExitCode::SUCCESS };
    let _ = e.print();
    code
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Only a one-shot build gains from it (its model is freed before its
    // validation's memory is taken); processes that allocate the same
    // memory again and again (`build --watch`, evaluation, the daemon)
    // keep mimalloc's default. Decided from the raw arguments, before
    // anything is freed: a purge scheduled with the default delay would
    // hold back the ones after it (`scapc-alloc` says why).
    if one_shot_build(&args) {
        if builds_one_product(&args) {
            scapc_alloc::return_freed_memory_soon();
        } else {
            scapc_alloc::keep_freed_memory();
        }
    }
    let matches = match command().color(ui::clap_color(&args)).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => return usage_error(e),
    };
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return usage_error(e),
    };
    if let Err(e) = ui::init(&cli.global) {
        errln!("error: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    debug!(
        "scapc {}: {}",
        env!("CARGO_PKG_VERSION"),
        args.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>().join(" ")
    );
    let code = run(cli.command);
    out::finish(ui::finish(code))
}

/// Whether the arguments ask for `scapc build` without `--watch`: the
/// first word that is not an option is `build`. (An option value before
/// the subcommand makes this false: the build then keeps mimalloc's
/// default, which costs memory, not correctness.)
fn one_shot_build(args: &[std::ffi::OsString]) -> bool {
    let first = args.iter().skip(1).find(|a| !a.to_string_lossy().starts_with('-'));
    first.is_some_and(|a| a == "build") && !args.iter().any(|a| a == "--watch")
}

/// Whether a build's raw arguments name exactly one product (`-p X`,
/// `-pX`, `--product X`, `--product=X`); none builds every product of the
/// tree. Only the allocator's setting depends on it.
fn builds_one_product(args: &[std::ffi::OsString]) -> bool {
    let named = args
        .iter()
        .map(|a| a.to_string_lossy())
        .filter(|a| {
            a.as_ref() == "--product" || a.starts_with("--product=") || (a.starts_with("-p") && !a.starts_with("--"))
        })
        .count();
    named == 1
}

/// Runs one subcommand.
fn run(command: Command) -> ExitCode {
    match command {
        Command::Build { tree, out, products, sce, format, no_validate, sign_key, cert, guides, fixes, watch } => {
            run_build(
                tree.path(),
                out,
                products,
                sce,
                format,
                no_validate,
                BuildFlags { sign_key, cert, guides, fixes, watch },
            )
        }
        Command::Fix(a) => fix_cmd::run(a),
        Command::Remediate(a) => remediate_cmd::run(a),
        Command::Test(mut a) => {
            a.verbose = ui::level() >= ui::Level::Info;
            test_cmd::run(a)
        }
        Command::ScenarioJob { spec } => ExitCode::from(scapc_remediate::suite::job_entry(&spec) as u8),
        Command::ScenarioLayer { spec } => ExitCode::from(scapc_remediate::sandbox::layer_main(&spec) as u8),
        Command::RemediateDir { spec } => ExitCode::from(scapc_remediate::apply::dir_main(&spec) as u8),
        Command::Validate(a) => validate_cmd::run(a),
        Command::Lint(a) => lint_cmd::run(a),
        Command::Eval(mut a) => {
            a.quiet = ui::quiet();
            eval_cmd::run(*a)
        }
        Command::Convert { input, out, reverse_dns } => convert_cmd::run(&input, &out, &reverse_dns),
        Command::Resolve { input, out } => resolve_cmd::run(&input, &out),
        Command::Guide(a) => guide_cmd::run(a),
        Command::Report(a) => report_cmd::run(a),
        Command::Task(a) => task_cmd::run(a),
        Command::Result(a) => result_cmd::run(a),
        Command::Store(a) => result_cmd::store(a),
        Command::Daemon(a) => daemon_cmd::run(a),
        Command::Serve(a) => serve_cmd::run(a),
        Command::Ds(DsCommand::Split { ds, out, component, force }) => {
            ds_cmd::split(&ds, &out, component.as_deref(), force)
        }
        Command::Ds(DsCommand::Info { ds, format }) => ds_cmd::info(&ds, format == InfoFormat::Json),
        Command::Ds(DsCommand::Compose { input, out, namespace, allow_outside }) => {
            ds_cmd::compose(&input, &out, namespace, allow_outside)
        }
        Command::Sign { ds, key, cert, signer, out } => sign_cmd::sign(&ds, &key, cert.as_deref(), signer, &out),
        Command::Verify { ds, trusted_key, allow_weak_keys, format } => {
            sign_cmd::verify(&ds, trusted_key.as_deref(), format == InfoFormat::Json, allow_weak_keys)
        }
        Command::Diff(a) => diff_cmd::run(a),
        Command::Decompile(a) => decompile_cmd::run(a),
        Command::Completions(a) => completions::run(a),
        Command::Man(a) => man::run(a),
    }
}

#[cfg(test)]
mod alloc_choice_tests {
    use super::{builds_one_product, one_shot_build};

    fn args(a: &[&str]) -> Vec<std::ffi::OsString> {
        a.iter().map(|s| s.into()).collect()
    }

    #[test]
    fn only_a_one_shot_build_returns_memory_soon() {
        assert!(one_shot_build(&args(&["scapc", "build", "-C", "content"])));
        assert!(one_shot_build(&args(&["scapc", "-q", "build", "-p", "debian12"])));
        assert!(!one_shot_build(&args(&["scapc", "build", "--watch", "-C", "content"])));
        assert!(!one_shot_build(&args(&["scapc", "eval", "build/ds.xml"])));
        assert!(!one_shot_build(&args(&["scapc", "validate", "build"])));
        assert!(!one_shot_build(&args(&["scapc"])));
        assert!(builds_one_product(&args(&["scapc", "build", "-p", "debian12"])));
        assert!(builds_one_product(&args(&["scapc", "build", "-prhel9", "-C", "content"])));
        assert!(builds_one_product(&args(&["scapc", "build", "--product=rhel9"])));
        assert!(builds_one_product(&args(&["scapc", "build", "--product", "rhel9", "--sce"])));
        assert!(!builds_one_product(&args(&["scapc", "build", "-C", "content"])));
        assert!(!builds_one_product(&args(&["scapc", "build", "-p", "rhel9", "-p", "debian12"])));
    }
}
