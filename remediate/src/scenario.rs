//! Test scenarios: finding them in a content tree and reading their
//! headers.
//!
//! A rule's scenarios are the `*.pass.sh`, `*.fail.sh` and
//! `*.notapplicable.sh` files in the `tests/` directory beside its
//! `rule.yml`, in this tree's layout and in ComplianceAsCode's. The header
//! comments ComplianceAsCode's Automatus reads are honoured: `packages`,
//! `platform`, `profiles`, `remediation`, `variables` and `check`.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a scenario promises the rule's check gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Pass,
    Fail,
    NotApplicable,
}

impl Expect {
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Pass => "pass",
            Expect::Fail => "fail",
            Expect::NotApplicable => "notapplicable",
        }
    }
}

/// The header of a scenario script.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// `# packages = a,b`: installed before the script runs.
    pub packages: Vec<String>,
    /// `# platform = multi_platform_all,...`: where the scenario applies.
    pub platforms: Vec<String>,
    /// `# profiles = id,...`: evaluate with these profiles' values.
    pub profiles: Vec<String>,
    /// `# remediation = none|bash|ansible`: the fixes the scenario allows
    /// (`None` when the header is absent: all).
    pub remediation: Option<String>,
    /// `# variables = var=value,...`.
    pub variables: Vec<(String, String)>,
    /// `# check = oval|sce|any`.
    pub check: Option<String>,
    /// Packages the script itself installs with `apt-get install` (not a
    /// header: read from its body), downloaded beforehand into the shared
    /// package cache since scenarios run without network.
    #[serde(default)]
    pub installs: Vec<String>,
}

/// One scenario file.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The rule's short id (its directory name).
    pub rule: String,
    /// The file name, e.g. `wrong_owner.fail.sh`.
    pub name: String,
    pub path: PathBuf,
    pub expect: Expect,
    pub header: Header,
    /// The directory whose files the job copies to its working directory
    /// (the rule's `tests/`, or for ComplianceAsCode the rendered copy).
    pub dir: PathBuf,
    /// Where a ComplianceAsCode scenario comes from when it is not the
    /// rule's own: `template <name>` (`shared/templates/<name>/tests`).
    pub origin: Option<String>,
    /// Why the scenario cannot run, found before running it: (cause,
    /// detail), e.g. its Jinja does not render.
    pub blocked: Option<(String, String)>,
}

/// Reads the header comments at the top of a script (up to the first line
/// that is neither a comment nor blank). Unknown keys are ignored, as
/// Automatus does.
pub fn parse_header(text: &str) -> Header {
    let mut h = Header::default();
    for line in text.lines() {
        let t = line.trim();
        if t.is_empty() || t.starts_with("#!") {
            continue;
        }
        let Some(c) = t.strip_prefix('#') else { break };
        let Some((k, v)) = c.split_once('=') else { continue };
        let list = || v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
        match k.trim() {
            "packages" => h.packages = list(),
            "platform" => h.platforms = list(),
            "profiles" => h.profiles = list(),
            "remediation" => h.remediation = Some(v.trim().to_owned()),
            "check" => h.check = Some(v.trim().to_owned()),
            "variables" => {
                // `name=value` pairs separated by commas; a part without
                // `=` continues the value before it, which is a list:
                // `var_servers=a.org,b.org,var_pools=c.org` (as Automatus
                // reads it; chronyd_configure_pool_and_server,
                // sshd_use_strong_kex).
                h.variables = Vec::new();
                for part in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    match (part.split_once('='), h.variables.last_mut()) {
                        (Some((a, b)), _) => h.variables.push((a.trim().to_owned(), b.trim().to_owned())),
                        (None, Some((_, value))) => {
                            value.push(',');
                            value.push_str(part);
                        }
                        (None, None) => {}
                    }
                }
            }
            _ => {}
        }
    }
    h
}

/// The packages a script installs with `apt-get ... install`: the
/// words after `install` that are package names (options and shell
/// variables left out).
pub fn apt_installs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || !line.contains("apt-get") {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words.iter().position(|w| *w == "install") else { continue };
        for w in &words[at + 1..] {
            if matches!(*w, ";" | "&&" | "||" | "|" | ">" | "2>&1") || w.starts_with('>') {
                break;
            }
            let w = w.trim_matches(|c| c == '"' || c == '\'');
            if w.starts_with('-') || w.is_empty() {
                continue;
            }
            if w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '+' | '-'))
                && !out.iter().any(|x| x == w)
            {
                out.push(w.to_owned());
            }
        }
    }
    out
}

/// Does a `# platform =` list include the product? `multi_platform_all`,
/// `multi_platform_<family>` (the product id without its version digits)
/// and a full name written like `Debian 12` match.
pub fn platform_matches(platforms: &[String], product: &str) -> bool {
    if platforms.is_empty() {
        return true;
    }
    let family = product.trim_end_matches(|c: char| c.is_ascii_digit());
    platforms.iter().any(|p| {
        let p = p.trim();
        if p == "multi_platform_all" {
            return true;
        }
        if let Some(f) = p.strip_prefix("multi_platform_") {
            return f == family || f == product;
        }
        let squashed: String = p.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
        squashed == product
    })
}

/// What a scenario file name promises (`None`: not a scenario).
pub fn expect_of(name: &str) -> Option<Expect> {
    if name.ends_with(".pass.sh") {
        Some(Expect::Pass)
    } else if name.ends_with(".fail.sh") {
        Some(Expect::Fail)
    } else if name.ends_with(".notapplicable.sh") {
        Some(Expect::NotApplicable)
    } else {
        None
    }
}

/// Every scenario of the tree, rules in path order.
pub fn discover(root: &Path) -> Result<Vec<Scenario>, String> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    let mut rule_dirs = Vec::new();
    while let Some(d) = dirs.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        let mut has_rule = false;
        for e in entries {
            let e = e.map_err(|e| format!("{}: {e}", d.display()))?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            let ft = e.file_type().map_err(|x| format!("{}: {x}", e.path().display()))?;
            if ft.is_dir() {
                if !name.starts_with('.') && name != "build" && name != "target" && name != "tests" {
                    dirs.push(e.path());
                }
            } else if name == "rule.yml" {
                has_rule = true;
            }
        }
        if has_rule && d.join("tests").is_dir() {
            rule_dirs.push(d);
        }
    }
    rule_dirs.sort();
    for d in rule_dirs {
        let rule = d.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tests = d.join("tests");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&tests)
            .map_err(|e| format!("{}: {e}", tests.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for path in files {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let Some(expect) = expect_of(&name) else { continue };
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            out.push(Scenario {
                rule: rule.clone(),
                name,
                path,
                expect,
                header: Header { installs: apt_installs(&text), ..parse_header(&text) },
                dir: tests.clone(),
                origin: None,
                blocked: None,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = parse_header(
            "#!/bin/bash\n# packages = a, b\n# platform = multi_platform_all\n# variables = var_x=1,var_y=a=b\n\
             # remediation = none\n# profiles = xccdf_p\n# check = oval\n\necho\n# packages = late\n",
        );
        assert_eq!(h.packages, vec!["a", "b"]);
        assert_eq!(h.platforms, vec!["multi_platform_all"]);
        assert_eq!(h.variables, vec![("var_x".into(), "1".into()), ("var_y".into(), "a=b".into())]);
        assert_eq!(h.remediation.as_deref(), Some("none"));
        assert_eq!(h.profiles, vec!["xccdf_p"]);
        assert_eq!(h.check.as_deref(), Some("oval"));
        // list values: the parts without `=` belong to the value before
        let h = parse_header("# variables = var_s=a.org,b.org, c.org,var_p=d.org,var_k=x=y,z\n");
        assert_eq!(
            h.variables,
            vec![
                ("var_s".into(), "a.org,b.org,c.org".into()),
                ("var_p".into(), "d.org".into()),
                ("var_k".into(), "x=y,z".into())
            ]
        );
    }

    #[test]
    fn installs() {
        let t = "# apt-get install no\nDEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=60 install -y \"telnet\"\n\
                 apt-get install -y $PKG aide >/dev/null\n";
        assert_eq!(apt_installs(t), vec!["telnet", "aide"]);
    }

    #[test]
    fn platforms() {
        let p = |s: &str| s.split(',').map(str::to_owned).collect::<Vec<_>>();
        assert!(platform_matches(&p("multi_platform_all"), "debian12"));
        assert!(platform_matches(&p("multi_platform_rhel,multi_platform_debian"), "debian12"));
        assert!(platform_matches(&p("Debian 12"), "debian12"));
        assert!(!platform_matches(&p("Red Hat Enterprise Linux 8,multi_platform_fedora"), "debian12"));
        assert!(platform_matches(&[], "debian12"));
    }
}
