//! Rebuilding after edits (`scapc build --watch`): a [`Session`] keeps the
//! discovered tree and its source cache from one build to the next, so a
//! rebuild reads only the files that changed, rediscovers the tree only
//! when files appeared or went away, and writes only the outputs whose
//! bytes changed (`scapc_output::write_set` skips identical files). Every
//! rebuild runs the same code as a full build, so what it writes is
//! byte for byte what `scapc build` of the edited tree writes.

use crate::build::{self, BuildOptions, BuildReport, Finish, Gate};
use crate::load::{self, Tree};
use std::path::{Component, Path, PathBuf};

/// What one batch of file-system events means for the build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Sources that changed, were created or removed, as the tree names
    /// them (relative to the working directory when the root is).
    pub paths: Vec<PathBuf>,
    /// Whether files or directories appeared, went away or were renamed:
    /// the tree is then discovered anew.
    pub layout: bool,
}

impl Change {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

/// A tree built again and again, keeping what did not change.
pub struct Session {
    opts: BuildOptions,
    /// The root and the output directory as absolute paths, to read event
    /// paths (which the watcher reports absolute).
    abs_root: PathBuf,
    abs_out: PathBuf,
    tree: Option<Tree>,
}

impl Session {
    pub fn new(opts: BuildOptions) -> Self {
        let abs = |p: &Path| {
            let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if p.is_absolute() {
                p
            } else {
                std::env::current_dir().map(|d| d.join(&p)).unwrap_or(p)
            }
        };
        let abs_root = abs(&opts.root);
        // The output directory may not exist yet: resolve its parent.
        let abs_out = match (opts.out_dir.parent(), opts.out_dir.file_name()) {
            (Some(parent), Some(name)) => {
                abs(if parent.as_os_str().is_empty() { Path::new(".") } else { parent }).join(name)
            }
            _ => abs(&opts.out_dir),
        };
        Session { opts, abs_root, abs_out, tree: None }
    }

    pub fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// The root as an absolute path (what to watch).
    pub fn root(&self) -> &Path {
        &self.abs_root
    }

    /// The source a watcher's absolute `path` stands for, as the tree names
    /// it; `None` for what no build reads: the output directory, hidden
    /// names (editor swap files, scapc's own temporaries), backups (`~`),
    /// Emacs lock and autosave files, and places outside the tree.
    pub fn source_path(&self, path: &Path) -> Option<PathBuf> {
        if path.starts_with(&self.abs_out) {
            return None;
        }
        let rel = path.strip_prefix(&self.abs_root).ok()?;
        let ignored = |c: Component<'_>| {
            let Component::Normal(n) = c else { return false };
            let n = n.to_string_lossy();
            n.starts_with('.') || n.starts_with('#') || n.ends_with('~') || n.ends_with(".swp") || n == "4913"
        };
        if rel.components().any(ignored) {
            return None;
        }
        let root = &self.opts.root;
        Some(if root == Path::new(".") || root.as_os_str().is_empty() { rel.to_path_buf() } else { root.join(rel) })
    }

    /// Forgets the changed sources (and, when the layout changed, the
    /// discovered file lists) so that the next [`Session::build`] reads
    /// them anew.
    pub fn apply(&mut self, change: &Change) {
        let Some(tree) = &self.tree else { return };
        tree.sources.invalidate(&change.paths);
        if change.layout {
            let sources = tree.sources.clone();
            let mut fresh = load::discover(&self.opts.root);
            fresh.sources = sources;
            self.tree = Some(fresh);
        }
    }

    /// Builds the tree as `build::build_finished` does, reusing every
    /// source read before and not changed since.
    pub fn build(&mut self, gate: Option<Gate<'_>>, finish: Option<Finish<'_>>) -> BuildReport {
        if self.tree.is_none() && self.opts.root.is_dir() {
            self.tree = Some(load::discover(&self.opts.root));
        }
        build::build_discovered(&self.opts, self.tree.as_ref(), gate, finish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(root: &str, out: &str) -> Session {
        Session::new(BuildOptions {
            root: root.into(),
            out_dir: out.into(),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        })
    }

    #[test]
    fn event_paths_map_to_tree_paths_and_ignore_outputs_and_temporaries() {
        let dir = std::env::temp_dir().join(format!("scapc-incr-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("rules")).unwrap();
        let root = std::fs::canonicalize(&dir).unwrap();
        let s = session(root.to_str().unwrap(), root.join("build").to_str().unwrap());
        let rule = root.join("rules/a/rule.yml");
        assert_eq!(s.source_path(&rule), Some(rule.clone()));
        assert_eq!(s.source_path(&root.join("build/x-ds.xml")), None);
        assert_eq!(s.source_path(&root.join("rules/a/.rule.yml.swp")), None);
        assert_eq!(s.source_path(&root.join("rules/a/rule.yml~")), None);
        assert_eq!(s.source_path(&root.join("rules/a/.scapc-tmp-1-x")), None);
        assert_eq!(s.source_path(Path::new("/elsewhere/rule.yml")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
