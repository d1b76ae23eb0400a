//! One reader, one set of rules: the same hostile or broken data streams
//! are refused, with the same clear error, by every command that reads a
//! data stream (`ds split`, `ds info`, `validate`, `verify`, `eval`).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../xmldsig/tests/data/demo-ds.xml");

fn scapc(args: &[&str]) -> (i32, String) {
    let o =
        Command::new(env!("CARGO_BIN_EXE_scapc")).args(args).env("SOURCE_DATE_EPOCH", "1700000000").output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// Runs every data stream command on `file`; each must fail with `want`
/// in its output and write nothing.
fn refused_everywhere(dir: &Path, file: &Path, want: &str) {
    let f = file.to_str().unwrap();
    let out = dir.join(format!("split-{}", file.file_name().unwrap().to_string_lossy()));
    let empty = dir.join("empty-root");
    std::fs::create_dir_all(&empty).unwrap();
    let target = format!("dir:{}", empty.display());
    let arf = dir.join("arf.xml");
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("ds split", vec!["ds", "split", f, "-o", out.to_str().unwrap()]),
        ("ds info", vec!["ds", "info", f]),
        ("validate", vec!["validate", "--no-xsd", f]),
        ("verify", vec!["verify", f]),
        ("eval", vec!["eval", f, "--target", &target, "--results-arf", arf.to_str().unwrap()]),
    ];
    for (name, args) in runs {
        let (code, text) = scapc(&args);
        assert_ne!(code, 0, "{name} accepted {f}:\n{text}");
        assert!(text.contains(want), "{name} on {f}: want `{want}` in:\n{text}");
        assert!(!text.contains("panicked"), "{name} on {f}:\n{text}");
    }
    assert!(!out.exists(), "ds split wrote output for {f}");
    assert!(!arf.exists(), "eval wrote results for {f}");
}

/// The demo data stream with `depth` nested elements inside a CPE item's
/// title: well-formed, and deeper than quick-xml's u16 nesting counter.
fn deep(depth: usize) -> String {
    let demo = std::fs::read_to_string(DEMO).unwrap();
    let title = "<cpe-dict:title xml:lang=\"en-us\">Package passwd is installed</cpe-dict:title>";
    assert!(demo.contains(title));
    let nested =
        format!("<cpe-dict:title xml:lang=\"en-us\">{}{}</cpe-dict:title>", "<d>".repeat(depth), "</d>".repeat(depth));
    demo.replacen(title, &nested, 1)
}

#[test]
fn the_demo_data_stream_is_accepted() {
    // The baseline the mutations below start from: every command reads it.
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = scapc(&["ds", "info", DEMO]);
    assert_eq!(code, 0, "{text}");
    let (code, text) = scapc(&["ds", "split", DEMO, "-o", dir.path().join("s").to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let (_, text) = scapc(&["validate", "--no-xsd", DEMO]);
    assert!(!text.contains("error data-stream") && !text.contains("error xml"), "{text}");
    let (code, text) = scapc(&["verify", DEMO]);
    assert!(code == 1 && text.contains("not signed"), "{text}");
    let (code, text) = scapc(&["eval", DEMO, "--target", &format!("dir:{}", dir.path().display()), "-q"]);
    assert_eq!(code, 0, "{text}");
}

#[test]
fn hostile_data_streams_are_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(DEMO).unwrap();
    let body = &demo[demo.find("<ds:data-stream-collection").unwrap()..];
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "duplicate-ids.xml",
            demo.replacen(
                "<ds:component id=\"scap_org.example_comp_demo-ocil.xml\"",
                "<ds:component id=\"scap_org.example_comp_demo-oval.xml\"",
                1,
            ),
            "duplicate component id `scap_org.example_comp_demo-oval.xml`",
        ),
        (
            "dangling.xml",
            demo.replacen("xlink:href=\"#scap_org.example_comp_demo-ocil.xml\"", "xlink:href=\"#nothing\"", 1),
            "dangling xlink:href",
        ),
        (
            "entities.xml",
            format!("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>\n{body}"),
            "declares entities",
        ),
        ("deep.xml", deep(70_000), "element nesting deeper than 10000 levels at line 29, column "),
    ];
    for (name, text, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        refused_everywhere(dir.path(), &p, want);
    }
}

#[test]
fn nesting_at_the_limit_is_read_and_beyond_it_is_refused_fast() {
    let dir = tempfile::tempdir().unwrap();
    // The title sits at level 5 (collection, component, cpe-list and
    // cpe-item are above it), so 9,995 more levels reach 10,000 exactly.
    let ok = dir.path().join("at-limit.xml");
    std::fs::write(&ok, deep(10_000 - 5)).unwrap();
    let (code, text) = scapc(&["ds", "info", ok.to_str().unwrap()]);
    assert_eq!(code, 0, "{text}");
    let over = dir.path().join("over-limit.xml");
    std::fs::write(&over, deep(10_000 - 4)).unwrap();
    let (code, text) = scapc(&["ds", "info", over.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("element nesting deeper than 10000 levels"), "{text}");
    // 200,000 levels: `ds info` took 17-31 s here when it resolved
    // namespaces by walking every open element; now it stops at the limit.
    let huge = dir.path().join("200k.xml");
    std::fs::write(&huge, deep(200_000)).unwrap();
    for args in [vec!["ds", "info"], vec!["ds", "split", "-o", dir.path().join("o").to_str().unwrap()]] {
        let mut a = args.clone();
        a.insert(2, huge.to_str().unwrap());
        let t0 = Instant::now();
        let (code, text) = scapc(&a);
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("element nesting deeper than 10000 levels at line 29"), "{text}");
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?} took {:?}", a, t0.elapsed());
    }
}

#[test]
fn compose_writes_only_what_the_reader_accepts() {
    // A component whose root uses an undeclared prefix passes the component
    // check, but the composed data stream would be refused by every command
    // that reads it; compose refuses it and writes nothing.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("a.xml"), "<p:a/>").unwrap();
    std::fs::write(
        d.join("m.yml"),
        "namespace: org.x\ncollection: c\ncomponents:\n  a.xml: {path: a.xml}\ndata-streams:\n  - name: c\n    checklists: [a.xml]\n",
    )
    .unwrap();
    let out = d.join("o.xml");
    let (code, text) = scapc(&["ds", "compose", d.join("m.yml").to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("refused when read back") && text.contains("prefix `p`"), "{text}");
    assert!(!out.exists());
}

#[test]
fn rewrite_uri_catalogs_resolve_alike_in_eval_and_validate() {
    // The checklist's catalog maps the OVAL href with cat:rewriteURI instead
    // of cat:uri. One resolver: eval evaluates the same rules as with the
    // original catalog, and validate finds every href resolved.
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(DEMO).unwrap();
    let uri = "<cat:uri name=\"demo-oval.xml\" uri=\"#scap_org.example_cref_demo-oval.xml\"/>";
    assert!(demo.contains(uri));
    let rewritten = demo.replacen(
        uri,
        "<cat:rewriteURI uriStartString=\"demo-o\" rewritePrefix=\"#scap_org.example_cref_demo-o\"/>",
        1,
    );
    let p = dir.path().join("rewrite.xml");
    std::fs::write(&p, rewritten).unwrap();
    let target = format!("dir:{}", dir.path().display());
    let rules = |f: &str| {
        let (code, text) = scapc(&["eval", f, "--target", &target, "--profile", "(all)"]);
        assert!(code == 0 || code == 2, "{text}");
        text.lines().filter(|l| l.contains("xccdf_org.example_rule_")).map(str::to_owned).collect::<Vec<_>>()
    };
    let want = rules(DEMO);
    assert!(want.iter().any(|l| l.starts_with("fail") && l.contains("passwd_mode")), "{want:?}");
    assert_eq!(rules(p.to_str().unwrap()), want);
    let (_, text) = scapc(&["validate", "--no-xsd", p.to_str().unwrap()]);
    assert!(!text.contains("SRC-31-1") && !text.contains("SRC-263-1"), "{text}");
}

#[test]
fn deeply_nested_groups_are_evaluated_not_a_stack_overflow() {
    // 5,000 nested Groups are within the nesting limit; eval read them
    // recursively and aborted with a stack overflow.
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(DEMO).unwrap();
    let i = demo.find("<xccdf-1.2:Group id=\"xccdf_org.example_group_files\"").unwrap();
    let j = demo.find("</xccdf-1.2:Benchmark>").unwrap();
    let n = 5_000;
    let open: String = (0..n)
        .map(|k| format!("<xccdf-1.2:Group id=\"xccdf_org.example_group_g{k}\"><xccdf-1.2:title>t</xccdf-1.2:title>"))
        .collect();
    let text = format!("{}{open}{}{}{}", &demo[..i], &demo[i..j], "</xccdf-1.2:Group>".repeat(n), &demo[j..]);
    let p = dir.path().join("groups.xml");
    std::fs::write(&p, text).unwrap();
    let target = format!("dir:{}", dir.path().display());
    let (code, text) = scapc(&["eval", p.to_str().unwrap(), "--target", &target, "--profile", "(all)", "-q"]);
    assert!(code == 0 || code == 2, "exit {code}: {text}");
    assert!(text.contains("(3 rules evaluated)"), "{text}");
}
