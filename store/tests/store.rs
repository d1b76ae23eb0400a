//! The store: tasks, runs, recovery of cut-off runs, the index and its repair.

use scapc_store::run::{RuleResult, Status};
use scapc_store::task::{Engine, Task};
use scapc_store::Store;
use std::os::unix::fs::PermissionsExt;

fn task(title: &str) -> Task {
    Task {
        id: 0,
        title: title.into(),
        target: "local".into(),
        content: "/nonexistent/ds.xml".into(),
        profile: None,
        tailoring: None,
        remediate: false,
        not_before: "2026-01-01T00:00:00Z".into(),
        repeat: "@daily".into(),
        timezone: "UTC".into(),
        enabled: true,
        engine: Engine::Native,
        ssh_options: Vec::new(),
    }
}

fn rules(results: &[(&str, &str)]) -> Vec<RuleResult> {
    results.iter().map(|(id, r)| RuleResult { id: (*id).into(), result: (*r).into(), severity: "low".into() }).collect()
}

fn record(s: &mut Store, task: u64, results: &[(&str, &str)]) -> u64 {
    let r = s.begin_run(task, "cli", None).unwrap();
    r.write("stdout", b"out").unwrap();
    let mut sum = s.summary_for(&r);
    sum.rules = rules(results);
    sum.counts = scapc_store::run::count(&sum.rules);
    sum.exit_code = Some(0);
    let n = r.n;
    s.finish_run(r, &sum).unwrap();
    n
}

#[test]
fn tasks_get_fresh_ids_and_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(d.path()).unwrap();
    let a = s.create_task(task("a")).unwrap();
    let b = s.create_task(task("b")).unwrap();
    assert_eq!((a.id, b.id), (1, 2));
    assert_eq!(s.task(2).unwrap().title, "b");
    let mode = std::fs::metadata(d.path().join("tasks/1.toml")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    s.remove_task(1).unwrap();
    assert_eq!(s.tasks().unwrap().len(), 1);
    assert!(s.task(1).unwrap_err().to_string().contains("no task 1"));
    // New ids count on from the highest id in use.
    assert_eq!(s.create_task(task("c")).unwrap().id, 3);
    // A broken task file is an error that names the file.
    std::fs::write(d.path().join("tasks/9.toml"), "id = 9\ntitle = [").unwrap();
    let e = s.task(9).unwrap_err().to_string();
    assert!(e.contains("tasks/9.toml"), "{e}");
}

#[test]
fn runs_are_numbered_from_one_even_when_started_concurrently() {
    let d = tempfile::tempdir().unwrap();
    let s = Store::open(d.path()).unwrap();
    let t = s.create_task(task("t")).unwrap();
    let root = d.path().to_path_buf();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&root).unwrap();
                record(&mut s, 1, &[("r1", "pass")])
            })
        })
        .collect();
    let mut ns: Vec<u64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    ns.sort_unstable();
    assert_eq!(ns, (1..=8).collect::<Vec<_>>());
    let rows = s.runs(Some(t.id)).unwrap();
    assert_eq!(rows.len(), 8);
    for f in ["stdout", "summary.json"] {
        let m = std::fs::metadata(s.run_dir(1, 3).join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(m, 0o600, "{f}");
    }
}

#[test]
fn a_run_whose_process_died_is_recorded_as_interrupted_and_the_task_stays_due() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let t = s.create_task(task("t")).unwrap();
    let slot = "2026-01-01T00:00:00Z".parse().unwrap();
    let live = s.begin_run(t.id, "daemon", Some(slot)).unwrap();
    // While its lock is held the run is not touched.
    assert!(s.recover().unwrap().is_empty());
    drop(live); // what a kill -9 does to the lock
    assert_eq!(s.recover().unwrap(), vec![(1, 1)]);
    let sum = s.summary(1, 1).unwrap();
    assert_eq!(sum.status, Status::Interrupted);
    assert_eq!(s.runs(Some(1)).unwrap()[0].status, "interrupted");
    // An interrupted run fulfils no slot: the task is still due at not-before.
    assert_eq!(s.next_due(&t).unwrap(), Some(slot));
    assert!(s.recover().unwrap().is_empty());
}

#[test]
fn drift_lists_changed_rules_only() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    s.create_task(task("t")).unwrap();
    record(&mut s, 1, &[("a", "pass"), ("b", "fail"), ("c", "pass")]);
    record(&mut s, 1, &[("a", "pass"), ("b", "pass"), ("d", "fail")]);
    let drift = s.drift(1, 1, 2).unwrap();
    let got: Vec<(&str, &str, &str)> =
        drift.iter().map(|d| (d.rule.as_str(), d.before.as_str(), d.after.as_str())).collect();
    assert_eq!(got, vec![("b", "fail", "pass"), ("c", "pass", "absent"), ("d", "absent", "fail")]);
    assert!(s.drift(1, 1, 3).unwrap_err().to_string().contains("no recorded run 3"));
}

#[test]
fn check_finds_and_repairs_a_damaged_index_and_loose_modes() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    s.create_task(task("t")).unwrap();
    record(&mut s, 1, &[("a", "pass"), ("b", "fail")]);
    record(&mut s, 1, &[("a", "fail")]);
    assert!(s.check(false).unwrap().findings.is_empty());
    // Damage: a row missing, a row changed, a row with no files, a loose mode.
    let c = rusqlite::Connection::open(d.path().join("index.sqlite")).unwrap();
    c.execute("DELETE FROM runs WHERE n=1", []).unwrap();
    c.execute("UPDATE runs SET score=1.0 WHERE n=2", []).unwrap();
    c.execute("INSERT INTO rule_results VALUES(1, 77, 'x', 'pass', '')", []).unwrap();
    drop(c);
    let p = s.run_dir(1, 2).join("stdout");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    let found = s.check(false).unwrap();
    assert_eq!(found.findings.len(), 4, "{:?}", found.findings);
    assert_eq!(found.repaired, 0);
    let fixed = s.check(true).unwrap();
    assert_eq!(fixed.repaired, 4, "{:?}", fixed.findings);
    assert!(s.check(false).unwrap().findings.is_empty());
    assert_eq!(s.runs(Some(1)).unwrap().len(), 2);
    assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_destroyed_index_is_rebuilt_from_the_files() {
    let d = tempfile::tempdir().unwrap();
    {
        let mut s = Store::open(d.path()).unwrap();
        s.create_task(task("t")).unwrap();
        record(&mut s, 1, &[("a", "pass")]);
        record(&mut s, 1, &[("a", "fail")]);
    }
    for f in ["index.sqlite", "index.sqlite-wal", "index.sqlite-shm"] {
        let _ = std::fs::remove_file(d.path().join(f));
    }
    std::fs::write(d.path().join("index.sqlite"), b"this is not a database, it is garbage of some length.....")
        .unwrap();
    let s = Store::open(d.path()).unwrap();
    assert_eq!(s.runs(None).unwrap().len(), 2);
    assert_eq!(s.drift(1, 1, 2).unwrap().len(), 1);
}

#[test]
fn prune_keeps_the_newest_and_import_reads_an_arf() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    s.create_task(task("t")).unwrap();
    for _ in 0..5 {
        record(&mut s, 1, &[("a", "pass")]);
    }
    let gone = s.prune(Some(2), None).unwrap();
    assert_eq!(gone, vec![(1, 1), (1, 2), (1, 3)]);
    assert!(!s.run_dir(1, 1).exists());
    assert_eq!(s.runs(Some(1)).unwrap().iter().map(|r| r.n).collect::<Vec<_>>(), vec![4, 5]);
    assert!(s.check(false).unwrap().findings.is_empty());
    let arf = br#"<TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="x" start-time="2026-02-01T10:00:00"><target>h1</target>
      <rule-result idref="a" severity="high"><result>fail</result></rule-result><score>0</score></TestResult>"#;
    let sum = s.import(1, arf, "a.xml").unwrap();
    // The run is listed under the task's target, whatever the ARF calls the host.
    assert_eq!((sum.n, sum.target.as_str(), sum.started.as_str()), (6, "local", "2026-02-01T10:00:00Z"));
    assert_eq!(s.drift(1, 5, 6).unwrap().len(), 1);
    assert!(s.import(1, b"<x/>", "b.xml").unwrap_err().to_string().starts_with("b.xml: no XCCDF TestResult"));
    // A failed import leaves no run behind.
    assert_eq!(s.runs(Some(1)).unwrap().len(), 3);
}

#[test]
fn a_finished_slot_is_not_due_again_even_with_a_sub_second_not_before() {
    let d = tempfile::tempdir().unwrap();
    let mut s = Store::open(d.path()).unwrap();
    let mut t = task("t");
    t.not_before = "2026-01-01T00:00:00.75Z".into();
    let t = s.create_task(t).unwrap();
    let due = s.next_due(&t).unwrap().unwrap();
    let slot = t.schedule().unwrap().slot_for_run(due).unwrap();
    let r = s.begin_run(t.id, "daemon", Some(slot)).unwrap();
    let sum = s.summary_for(&r);
    s.finish_run(r, &sum).unwrap();
    let next = s.next_due(&t).unwrap().unwrap();
    assert_eq!(next, "2026-01-02T00:00:00Z".parse().unwrap());
}
