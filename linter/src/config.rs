//! Per-repository configuration: `scapc-lint.yml` at the root of the
//! content tree (or the file given with `--config`).
//!
//! ```yaml
//! rules:
//!   L043: off                 # by code ...
//!   title-style: error        # ... or by name
//!   unsorted-selections: warning   # turn on a lint that is off by default
//! ```
//!
//! Levels: `off`, `note`, `warning`, `error`. Nothing else is allowed: an
//! unknown key, lint or level is an error that stops the run.

use crate::{find, Level, Lint};
use scapc_compiler::yaml;
use std::collections::HashMap;
use std::path::Path;

/// The name of the configuration file looked for at the tree's root.
pub const FILE_NAME: &str = "scapc-lint.yml";

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// lint code -> level.
    overrides: HashMap<&'static str, Level>,
}

impl Config {
    /// The level a lint runs at.
    pub fn level(&self, lint: &Lint) -> Level {
        self.overrides.get(lint.code).copied().unwrap_or(lint.level)
    }

    /// Sets a lint's level (also used by `--enable` style options).
    pub fn set(&mut self, key: &str, level: Level) -> Result<(), String> {
        let lint = find(key).ok_or_else(|| format!("unknown lint `{key}` (see docs/lints.md)"))?;
        self.overrides.insert(lint.code, level);
        Ok(())
    }

    /// Parses a configuration file's text. Errors name the line.
    pub fn parse(text: &str, file: &Path) -> Result<Config, String> {
        let at = |p: scapc_diagnostics::Pos, m: String| format!("{}:{}:{}: {m}", file.display(), p.line, p.col);
        let node = yaml::parse(text).map_err(|e| at(e.pos, e.message))?;
        let mut cfg = Config::default();
        if node.is_null() {
            return Ok(cfg);
        }
        let Some(map) = node.as_map() else {
            return Err(at(node.pos, "the lint configuration must be a mapping".into()));
        };
        for (k, v) in map {
            match k.as_str() {
                Some("rules") => {
                    if v.is_null() {
                        continue;
                    }
                    let Some(rules) = v.as_map() else {
                        return Err(at(v.pos, "`rules` must map lint codes or names to levels".into()));
                    };
                    for (rk, rv) in rules {
                        let key = rk.as_str().unwrap_or_default();
                        // YAML reads a bare `off` as false.
                        let level = match rv.as_str() {
                            Some(s) => Level::parse(s),
                            None => None,
                        };
                        let Some(level) = level else {
                            return Err(at(
                                rv.pos,
                                format!(
                                    "`{}` is not a level: use off, note, warning or error",
                                    rv.as_str().unwrap_or("?")
                                ),
                            ));
                        };
                        cfg.set(key, level).map_err(|m| at(rk.pos, m))?;
                    }
                }
                Some(other) => {
                    return Err(at(k.pos, format!("unknown key `{other}` in the lint configuration (only `rules`)")))
                }
                None => return Err(at(k.pos, "keys must be strings".into())),
            }
        }
        Ok(cfg)
    }

    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the lint configuration: {e}", path.display()))?;
        Config::parse(&text, path)
    }

    /// Reads `<root>/scapc-lint.yml` when it exists, else the defaults.
    pub fn discover(root: &Path) -> Result<Config, String> {
        let p = root.join(FILE_NAME);
        if p.is_file() {
            Config::read(&p)
        } else {
            Ok(Config::default())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_levels() {
        let c = Config::parse("rules:\n  L043: off\n  title-style: error\n", Path::new("c.yml")).unwrap();
        assert_eq!(c.level(find("rule-not-in-profile").unwrap()), Level::Off);
        assert_eq!(c.level(find("L042").unwrap()), Level::Error);
        // Untouched lints keep their default.
        let l = find("cce-check-digit").unwrap();
        assert_eq!(c.level(l), l.level);
    }

    #[test]
    fn errors_name_the_line() {
        let e = Config::parse("rules:\n  no-such-lint: off\n", Path::new("c.yml")).unwrap_err();
        assert!(e.starts_with("c.yml:2:3: unknown lint `no-such-lint`"), "{e}");
        let e = Config::parse("rules:\n  L043: loud\n", Path::new("c.yml")).unwrap_err();
        assert!(e.contains("c.yml:2:9") && e.contains("not a level"), "{e}");
        let e = Config::parse("rulez: {}\n", Path::new("c.yml")).unwrap_err();
        assert!(e.contains("unknown key `rulez`"), "{e}");
    }
}
