//! Safe fixes: byte-span edits of a source file's text. Nothing is ever
//! re-serialized, so comments and formatting elsewhere stay as they were.
//! Files are rewritten atomically (temporary file and rename).

use crate::Finding;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Replace `text[start..end]` with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub with: String,
}

/// Edits of one file that together repair one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub file: PathBuf,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn one(file: &Path, start: usize, end: usize, with: impl Into<String>) -> Fix {
        Fix { file: file.to_path_buf(), edits: vec![Edit { start, end, with: with.into() }] }
    }
}

/// A file's text before and after its fixes.
#[derive(Debug, Clone)]
pub struct Rewrite {
    pub file: PathBuf,
    pub before: String,
    pub after: String,
    /// How many findings it repairs.
    pub fixes: usize,
}

/// Applies every fix of `findings` to the files' current text. A fix whose
/// edits overlap an earlier one's is left for a later run; a fix whose
/// file changed or whose spans fall outside it is dropped.
pub fn plan(findings: &[Finding], read: &dyn Fn(&Path) -> Option<String>) -> Vec<Rewrite> {
    let mut by_file: BTreeMap<&Path, Vec<&Fix>> = BTreeMap::new();
    for f in findings {
        if let Some(fix) = &f.fix {
            by_file.entry(fix.file.as_path()).or_default().push(fix);
        }
    }
    let mut out = Vec::new();
    for (file, fixes) in by_file {
        let Some(before) = read(file) else { continue };
        let mut taken: Vec<&Edit> = Vec::new();
        let mut count = 0;
        for fix in fixes {
            let valid = fix.edits.iter().all(|e| {
                e.start <= e.end
                    && e.end <= before.len()
                    && before.is_char_boundary(e.start)
                    && before.is_char_boundary(e.end)
            });
            let overlaps = fix.edits.iter().any(|e| {
                taken.iter().any(|t| e.start < t.end && t.start < e.end || (e.start == t.start && e.end == t.end))
            });
            if !valid || overlaps {
                continue;
            }
            taken.extend(fix.edits.iter());
            count += 1;
        }
        if taken.is_empty() {
            continue;
        }
        taken.sort_by_key(|e| std::cmp::Reverse(e.start));
        let mut after = before.clone();
        for e in taken {
            after.replace_range(e.start..e.end, &e.with);
        }
        if after != before {
            out.push(Rewrite { file: file.to_path_buf(), before, after, fixes: count });
        }
    }
    out
}

/// A unified diff of the rewrites, as `--diff` prints it.
pub fn diff(rewrites: &[Rewrite]) -> String {
    let mut s = String::new();
    for r in rewrites {
        let name = r.file.display().to_string();
        let d = similar::TextDiff::from_lines(&r.before, &r.after);
        s.push_str(&d.unified_diff().context_radius(2).header(&format!("a/{name}"), &format!("b/{name}")).to_string());
    }
    s
}

/// Writes the rewrites, each atomically.
pub fn write(rewrites: &[Rewrite]) -> Result<(), String> {
    for r in rewrites {
        scapc_compiler::build::write_atomic(&r.file, r.after.as_bytes())
            .map_err(|e| format!("{}: cannot write: {e}", r.file.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{rules, Finding};
    use scapc_diagnostics::Diagnostic;

    fn finding(fix: Fix) -> Finding {
        Finding { lint: &rules::cce_check_digit::LINT, diag: Diagnostic::warning("L0", "m"), fix: Some(fix) }
    }

    #[test]
    fn edits_apply_from_the_end_and_overlaps_wait() {
        let text = "a: CCE-1\nb: CCE-2 # keep me\n".to_owned();
        let f = Path::new("x.yml");
        let fs = vec![
            finding(Fix::one(f, 3, 8, "CCE-9")),
            finding(Fix::one(f, 12, 17, "CCE-8")),
            finding(Fix::one(f, 4, 6, "zz")),
        ];
        let rw = plan(&fs, &|_| Some(text.clone()));
        assert_eq!(rw.len(), 1);
        assert_eq!(rw[0].after, "a: CCE-9\nb: CCE-8 # keep me\n");
        assert_eq!(rw[0].fixes, 2);
        let d = diff(&rw);
        assert!(d.contains("-a: CCE-1\n") && d.contains("+b: CCE-8 # keep me\n"), "{d}");
    }

    #[test]
    fn out_of_range_edits_are_dropped() {
        let fs = vec![finding(Fix::one(Path::new("x"), 5, 50, "y"))];
        assert!(plan(&fs, &|_| Some("short".into())).is_empty());
    }
}
