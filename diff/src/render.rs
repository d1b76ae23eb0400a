//! The report as text (for a terminal), JSON, or Markdown (a pull request
//! comment: a summary table, then collapsible details per kind).

use crate::{text_diff, Change, KindDiff, Report};
use std::fmt::Write;

fn plural(kind: &str) -> String {
    format!("{kind}s")
}

fn summary(k: &KindDiff) -> String {
    format!("{} added, {} removed, {} changed", k.added.len(), k.removed.len(), k.changed.len())
}

/// Long single-line texts are cut for display.
fn clip(s: &str) -> String {
    const MAX: usize = 160;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

fn indent(s: &str, pad: &str) -> String {
    s.lines().map(|l| format!("{pad}{l}\n")).collect()
}

pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "--- {}\n+++ {}", r.a, r.b);
    if r.is_empty() {
        o.push_str("no differences\n");
        return o;
    }
    for k in &r.kinds {
        let _ = writeln!(o, "\n{}: {}", plural(&k.kind), summary(k));
        for e in &k.added {
            let _ = writeln!(o, "  + {}  {}", e.id, e.title);
        }
        for e in &k.removed {
            let _ = writeln!(o, "  - {}  {}", e.id, e.title);
        }
        for c in &k.changed {
            let _ = writeln!(o, "  ~ {}  {}", c.id, c.title);
            for ch in &c.changes {
                match ch {
                    Change::Text { field, before, after, diff } => {
                        if before.contains('\n') || after.contains('\n') {
                            let _ = writeln!(o, "      {field}: changed");
                        } else if before == after {
                            let _ = writeln!(o, "      {field}: {} (logic changed)", clip(before));
                        } else {
                            let _ = writeln!(o, "      {field}: {} -> {}", clip(before), clip(after));
                        }
                        if let Some(d) = diff {
                            o.push_str(&indent(d, "        "));
                        }
                    }
                    Change::Set { field, added, removed, changed } => {
                        for a in added {
                            let _ = writeln!(o, "      {field}: + {}", clip(a));
                        }
                        for a in removed {
                            let _ = writeln!(o, "      {field}: - {}", clip(a));
                        }
                        for (key, before, after) in changed {
                            match text_diff(before, after) {
                                Some(d) => {
                                    let _ = writeln!(o, "      {field} {key}: changed");
                                    o.push_str(&indent(&d, "        "));
                                }
                                None => {
                                    let _ = writeln!(o, "      {field} {key}: {} -> {}", clip(before), clip(after));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    o
}

pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

/// Text inside a Markdown table cell or list item: no pipes, no line breaks,
/// no inline HTML.
fn md(s: &str) -> String {
    clip(s)
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
        .replace('\n', " ")
}

fn fence(o: &mut String, d: &str) {
    // A fence longer than any run of backticks inside.
    let mut n = 3;
    while d.contains(&"`".repeat(n)) {
        n += 1;
    }
    let f = "`".repeat(n);
    let _ = writeln!(o, "{f}diff\n{}{f}", if d.ends_with('\n') { d.to_owned() } else { format!("{d}\n") });
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "### scapc diff\n\n`{}` → `{}`\n", md(&r.a), md(&r.b));
    if r.is_empty() {
        o.push_str("No differences.\n");
        return o;
    }
    o.push_str("| kind | added | removed | changed |\n|---|---:|---:|---:|\n");
    for k in &r.kinds {
        let _ = writeln!(o, "| {} | {} | {} | {} |", plural(&k.kind), k.added.len(), k.removed.len(), k.changed.len());
    }
    for k in &r.kinds {
        let _ = writeln!(o, "\n<details><summary><b>{}</b>: {}</summary>\n", plural(&k.kind), summary(k));
        for e in &k.added {
            let _ = writeln!(o, "- ➕ `{}` {}", md(&e.id), md(&e.title));
        }
        for e in &k.removed {
            let _ = writeln!(o, "- ➖ `{}` {}", md(&e.id), md(&e.title));
        }
        for c in &k.changed {
            let _ = writeln!(o, "- ✏️ `{}` {}", md(&c.id), md(&c.title));
            for ch in &c.changes {
                match ch {
                    Change::Text { field, before, after, diff } => {
                        if before.contains('\n') || after.contains('\n') {
                            let _ = writeln!(o, "  - **{field}** changed");
                        } else if before == after {
                            let _ = writeln!(o, "  - **{field}** `{}`: logic changed", md(before));
                        } else {
                            let _ = writeln!(o, "  - **{field}**: {} → {}", md(before), md(after));
                        }
                        if let Some(d) = diff {
                            o.push('\n');
                            fence(&mut o, d);
                        }
                    }
                    Change::Set { field, added, removed, changed } => {
                        for a in added {
                            let _ = writeln!(o, "  - **{field}** + {}", md(a));
                        }
                        for a in removed {
                            let _ = writeln!(o, "  - **{field}** − {}", md(a));
                        }
                        for (key, before, after) in changed {
                            match text_diff(before, after) {
                                Some(d) => {
                                    let _ = writeln!(o, "  - **{field}** `{}` changed\n", md(key));
                                    fence(&mut o, &d);
                                }
                                None => {
                                    let _ =
                                        writeln!(o, "  - **{field}** `{}`: {} → {}", md(key), md(before), md(after));
                                }
                            }
                        }
                    }
                }
            }
        }
        o.push_str("\n</details>\n");
    }
    o
}
