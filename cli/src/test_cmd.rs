//! `scapc test`: builds the tree, then runs each rule's test scenarios in
//! throwaway root filesystems (`scapc-remediate`'s suite) and reports.

use clap::{Args, ValueEnum};
use scapc_compiler::build::{self, BuildOptions};
use scapc_remediate::sandbox::{EngineKind, Remediation};
use scapc_remediate::suite::{self, Settings, Status};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RemediationArg {
    /// run the rule's bash fix after each fail scenario
    Bash,
    /// run the rule's Ansible tasks through Ansible's chroot connection
    /// (ansible-playbook on this host; python3 is added to every layer)
    Ansible,
    /// check only
    None,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TestFormat {
    Text,
    Json,
    Junit,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TestEngine {
    /// scapc's own engine on the overlay (`dir:`)
    Native,
    /// oscap-chroot on the overlay
    Oscap,
}

#[derive(Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub tree: crate::ui::TreeArg,
    /// The product to build and test (default: the tree's only product)
    #[arg(long)]
    pub product: Option<String>,
    /// Test only this rule (short id, directory name or full XCCDF id;
    /// repeatable)
    #[arg(long = "rule")]
    pub rules: Vec<String>,
    /// What runs after a fail scenario
    #[arg(long, value_enum, default_value = "bash")]
    pub remediation: RemediationArg,
    /// Scenarios run at once (default: the number of cores)
    #[arg(long)]
    pub jobs: Option<usize>,
    /// The base root filesystem (default: /var/tmp/scapc-bookworm for
    /// debian12 when present, else one made with debootstrap under --cache)
    #[arg(long)]
    pub rootfs: Option<PathBuf>,
    /// Where package layers and the running jobs' mount points live
    #[arg(long, default_value = "/var/tmp/scapc-test")]
    pub cache: PathBuf,
    /// Which engine evaluates the rules
    #[arg(long, value_enum, default_value = "native")]
    pub engine: TestEngine,
    /// Longest time a script (scenario, fix) may run, in seconds
    #[arg(long, default_value_t = 300)]
    pub timeout: u64,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TestFormat,
    /// Write the JUnit XML here as well
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// ComplianceAsCode trees: run a template's scenarios for every rule
    /// that uses the template (default: for the first one only, as
    /// Automatus does)
    #[arg(long)]
    pub duplicate_templates: bool,
    /// Evaluate and fix with this data stream instead of building the
    /// tree (the scenarios still come from the tree): e.g.
    /// ComplianceAsCode's own build of the product, with `--engine oscap`
    /// its reference behaviour, to tell a content bug from a scapc one
    #[arg(long, value_name = "FILE")]
    pub datastream: Option<PathBuf>,
    /// Also list skipped scenarios with their reason (set by `-v`)
    #[arg(skip)]
    pub verbose: bool,
}

/// A usage or set-up problem (not root, no tree, no such product or rule):
/// exit 64.
fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(crate::EXIT_USAGE)
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(2) == Some("0")))
        .unwrap_or(false)
}

fn suite_of(product: &str) -> Option<&'static str> {
    match product {
        "debian12" => Some("bookworm"),
        "debian11" => Some("bullseye"),
        "debian13" => Some("trixie"),
        _ => None,
    }
}

/// The base root filesystem: given, the shared one of scripts/test, or
/// made once with debootstrap.
fn base_rootfs(a: &TestArgs, product: &str) -> Result<PathBuf, String> {
    if let Some(r) = &a.rootfs {
        if !r.join("bin").exists() {
            return Err(format!("--rootfs {}: not a root filesystem (no bin/)", r.display()));
        }
        return std::fs::canonicalize(r).map_err(|e| format!("{}: {e}", r.display()));
    }
    let shared = Path::new("/var/tmp/scapc-bookworm");
    if product == "debian12" && shared.join("var/lib/dpkg/status").is_file() {
        return Ok(shared.to_path_buf());
    }
    let suite = suite_of(product).ok_or_else(|| {
        format!("no debootstrap suite known for product `{product}`: give a root filesystem with --rootfs")
    })?;
    let dir = a.cache.join(format!("base-{suite}"));
    if dir.join("var/lib/dpkg/status").is_file() {
        return Ok(dir);
    }
    errln!("creating the base root filesystem {} with debootstrap (once)", dir.display());
    let partial = a.cache.join(format!("base-{suite}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&a.cache).map_err(|e| format!("{}: {e}", a.cache.display()))?;
    let o = std::process::Command::new("debootstrap")
        .args(["--variant=minbase", suite])
        .arg(&partial)
        .arg("http://deb.debian.org/debian")
        .output()
        .map_err(|e| format!("cannot run debootstrap: {e} (apt-get install debootstrap, or give --rootfs)"))?;
    if !o.status.success() {
        return Err(format!("debootstrap failed:\n{}", String::from_utf8_lossy(&o.stderr)));
    }
    std::fs::rename(&partial, &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Builds the product into `out` and returns its data stream.
fn build_ds(a: &TestArgs, product: &str, out: &Path) -> Result<PathBuf, ExitCode> {
    let opts = BuildOptions {
        root: a.tree.path(),
        out_dir: out.to_path_buf(),
        products: vec![product.to_owned()],
        sce: false,
        epoch: build::source_date_epoch().ok().flatten(),
    };
    let report = build::build(&opts);
    if report.diagnostics.has_errors() {
        let text = scapc_diagnostics::render_text(
            report.diagnostics.as_slice(),
            &scapc_diagnostics::TextOptions { snippets: true, color: false },
        );
        errln!("{text}");
        errln!("error: the tree does not build; fix the errors above first");
        return Err(ExitCode::from(1));
    }
    report
        .outputs
        .iter()
        .flat_map(|p| p.files.iter())
        .map(|(f, _)| f.clone())
        .find(|f| f.to_string_lossy().ends_with("-ds.xml"))
        .ok_or_else(|| crate::eval_cmd::err(format!("the build of {product} wrote no data stream")))
}

pub fn run(a: TestArgs) -> ExitCode {
    if !is_root() {
        return err(
            "scapc test needs root: each scenario runs in its own mount and PID namespaces with an overlay mount",
        );
    }
    let products_dir = a.tree.path().join("products");
    let product = match &a.product {
        Some(p) => p.clone(),
        None => {
            let mut v: Vec<String> = std::fs::read_dir(&products_dir)
                .map(|rd| {
                    rd.flatten()
                        .filter(|e| e.path().is_dir())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            v.sort();
            match v.len() {
                1 => v.remove(0),
                0 => {
                    return err(format!(
                        "{}: no products/ directory: is this a content tree? (-C TREE)",
                        a.tree.path().display()
                    ))
                }
                _ => {
                    return err(format!("the tree has several products ({}): choose one with --product", v.join(", ")))
                }
            }
        }
    };
    let base = match base_rootfs(&a, &product) {
        Ok(b) => b,
        Err(e) => return err(e),
    };
    let cache = match std::fs::create_dir_all(&a.cache).and_then(|_| std::fs::canonicalize(&a.cache)) {
        Ok(c) => c,
        Err(e) => return err(format!("{}: {e}", a.cache.display())),
    };
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return crate::eval_cmd::err(format!("cannot find the scapc binary: {e}")),
    };
    let t0 = Instant::now();
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => return crate::eval_cmd::err(format!("cannot make a temporary directory: {e}")),
    };
    let ds = match &a.datastream {
        Some(f) => match std::fs::canonicalize(f) {
            Ok(f) if f.is_file() => f,
            Ok(f) => return err(format!("--datastream {}: not a file", f.display())),
            Err(e) => return err(format!("--datastream {}: {e}", f.display())),
        },
        None => match build_ds(&a, &product, tmp.path()) {
            Ok(ds) => ds,
            Err(code) => return code,
        },
    };
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).max(1);
    let tty = std::io::stderr().is_terminal();
    let progress = |done: usize, total: usize, r: &suite::ScenarioReport| {
        let mark = match r.status {
            Status::Passed => "ok",
            Status::Failed => "FAILED",
            Status::Error => "ERROR",
            Status::Skipped => "skipped",
        };
        if tty {
            err!("\r\x1b[K[{done}/{total}] {} / {}: {mark}", r.rule, r.scenario);
            if r.status != Status::Passed {
                errln!();
            }
        } else if r.status != Status::Passed {
            errln!("[{done}/{total}] {} / {}: {mark}", r.rule, r.scenario);
        }
    };
    let note = |m: &str| errln!("{m}");
    let tree = a.tree.path();
    let settings = Settings {
        ds: &ds,
        product: &product,
        tree: &tree,
        base: &base,
        work: &cache,
        exe: &exe,
        rules: &a.rules,
        remediation: match a.remediation {
            RemediationArg::None => Remediation::None,
            RemediationArg::Bash => Remediation::Bash,
            RemediationArg::Ansible => Remediation::Ansible,
        },
        engine: if a.engine == TestEngine::Oscap { EngineKind::Oscap } else { EngineKind::Native },
        jobs,
        timeout: a.timeout.max(1),
        duplicate_templates: a.duplicate_templates,
        progress: Some(&progress),
        note: Some(&note),
    };
    let reports = match suite::run(&settings) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    if tty {
        err!("\r\x1b[K");
    }
    let elapsed = t0.elapsed().as_secs_f64();
    if let Some(j) = &a.junit {
        if let Err(e) = scapc_output::write_file(j, suite::junit(&reports).as_bytes(), scapc_output::Mode::Public) {
            return crate::eval_cmd::err(format!("{}: {e}", j.display()));
        }
    }
    match a.format {
        TestFormat::Text => {
            out!("{}", suite::text_report(&reports, a.verbose));
            let ran = reports.iter().filter(|r| r.status != Status::Skipped).count();
            outln!(
                "finished in {elapsed:.1} s with {jobs} jobs ({:.2} s per scenario run)",
                if ran > 0 { elapsed / ran as f64 } else { 0.0 }
            );
        }
        TestFormat::Json => {
            let doc = serde_json::json!({
                "summary": suite::summary(&reports),
                "seconds": elapsed,
                "jobs": jobs,
                "scenarios": reports,
            });
            outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
        }
        TestFormat::Junit => out!("{}", suite::junit(&reports)),
    }
    if reports.iter().any(|r| matches!(r.status, Status::Failed | Status::Error)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
