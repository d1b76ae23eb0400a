//! The SQLite index over the result files: one row per run, one per rule
//! result. It answers list, drift, history and trend queries fast; it is
//! never the only copy of anything, and [`crate::Store::check`] rebuilds it
//! from the files. WAL mode and a busy timeout let the CLI read while the
//! daemon writes.

use crate::run::{Drift, RuleResult, Status, Summary};
use jiff::Timestamp;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs(
  task INTEGER NOT NULL, n INTEGER NOT NULL, status TEXT NOT NULL, source TEXT NOT NULL,
  scheduled INTEGER, started INTEGER NOT NULL, finished INTEGER, exit_code INTEGER,
  target TEXT NOT NULL, profile TEXT NOT NULL, score REAL, counts TEXT NOT NULL, nrules INTEGER NOT NULL,
  PRIMARY KEY(task, n)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rule_results(
  task INTEGER NOT NULL, n INTEGER NOT NULL, rule TEXT NOT NULL, result TEXT NOT NULL, severity TEXT NOT NULL,
  PRIMARY KEY(task, n, rule)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rule_history ON rule_results(rule, task, n);
";

/// A run as the index has it (what `result list` shows).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunRow {
    pub task: u64,
    pub n: u64,
    pub status: String,
    pub source: String,
    pub scheduled: Option<i64>,
    pub started: i64,
    pub finished: Option<i64>,
    pub exit_code: Option<i32>,
    pub target: String,
    pub profile: String,
    pub score: Option<f64>,
    pub counts: serde_json::Value,
    pub rules: u64,
}

fn ts(s: &str) -> Option<i64> {
    s.parse::<Timestamp>().ok().map(|t| t.as_second())
}

pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open(path)?;
    c.busy_timeout(Duration::from_secs(30))?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    c.execute_batch(SCHEMA)?;
    Ok(c)
}

/// The row `summary` gives (what [`put`] writes and `check` compares).
pub fn row_of(s: &Summary) -> RunRow {
    RunRow {
        task: s.task,
        n: s.n,
        status: s.status.as_str().to_owned(),
        source: s.source.clone(),
        scheduled: s.scheduled.as_deref().and_then(ts),
        started: ts(&s.started).unwrap_or(0),
        finished: s.finished.as_deref().and_then(ts),
        exit_code: s.exit_code,
        target: s.target.clone(),
        profile: s.profile.clone(),
        score: s.score,
        counts: serde_json::to_value(&s.counts).unwrap_or_default(),
        rules: s.rules.len() as u64,
    }
}

/// Inserts or replaces a run and its rule results, in one transaction.
pub(crate) fn put(c: &mut Connection, s: &Summary) -> rusqlite::Result<()> {
    let r = row_of(s);
    let tx = c.transaction()?;
    tx.execute("DELETE FROM rule_results WHERE task=?1 AND n=?2", params![r.task, r.n])?;
    tx.execute(
        "INSERT OR REPLACE INTO runs VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
        params![
            r.task,
            r.n,
            r.status,
            r.source,
            r.scheduled,
            r.started,
            r.finished,
            r.exit_code,
            r.target,
            r.profile,
            r.score,
            r.counts.to_string(),
            r.rules
        ],
    )?;
    {
        let mut ins = tx.prepare("INSERT OR REPLACE INTO rule_results VALUES(?1,?2,?3,?4,?5)")?;
        for rr in &s.rules {
            ins.execute(params![r.task, r.n, rr.id, rr.result, rr.severity])?;
        }
    }
    tx.commit()
}

pub(crate) fn delete(c: &Connection, task: u64, n: Option<u64>) -> rusqlite::Result<()> {
    match n {
        Some(n) => {
            c.execute("DELETE FROM rule_results WHERE task=?1 AND n=?2", params![task, n])?;
            c.execute("DELETE FROM runs WHERE task=?1 AND n=?2", params![task, n])?;
        }
        None => {
            c.execute("DELETE FROM rule_results WHERE task=?1", params![task])?;
            c.execute("DELETE FROM runs WHERE task=?1", params![task])?;
        }
    }
    Ok(())
}

const COLS: &str = "task,n,status,source,scheduled,started,finished,exit_code,target,profile,score,counts,nrules";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let counts: String = r.get(11)?;
    Ok(RunRow {
        task: r.get(0)?,
        n: r.get(1)?,
        status: r.get(2)?,
        source: r.get(3)?,
        scheduled: r.get(4)?,
        started: r.get(5)?,
        finished: r.get(6)?,
        exit_code: r.get(7)?,
        target: r.get(8)?,
        profile: r.get(9)?,
        score: r.get(10)?,
        counts: serde_json::from_str(&counts).unwrap_or_default(),
        rules: r.get(12)?,
    })
}

/// Runs, oldest first; of one task or of all.
pub(crate) fn runs(c: &Connection, task: Option<u64>) -> rusqlite::Result<Vec<RunRow>> {
    let (sql, p): (String, Vec<u64>) = match task {
        Some(t) => (format!("SELECT {COLS} FROM runs WHERE task=?1 ORDER BY task, n"), vec![t]),
        None => (format!("SELECT {COLS} FROM runs ORDER BY task, n"), vec![]),
    };
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(rusqlite::params_from_iter(p), read_row)?;
    rows.collect()
}

pub(crate) fn run(c: &Connection, task: u64, n: u64) -> rusqlite::Result<Option<RunRow>> {
    c.query_row(&format!("SELECT {COLS} FROM runs WHERE task=?1 AND n=?2"), params![task, n], read_row).optional()
}

pub(crate) fn rules(c: &Connection, task: u64, n: u64) -> rusqlite::Result<Vec<RuleResult>> {
    let mut st =
        c.prepare_cached("SELECT rule,result,severity FROM rule_results WHERE task=?1 AND n=?2 ORDER BY rule")?;
    let rows =
        st.query_map(params![task, n], |r| Ok(RuleResult { id: r.get(0)?, result: r.get(1)?, severity: r.get(2)? }))?;
    rows.collect()
}

/// Rules whose result differs between runs `a` and `b` of `task`.
pub(crate) fn drift(c: &Connection, task: u64, a: u64, b: u64) -> rusqlite::Result<Vec<Drift>> {
    let mut st = c.prepare_cached(
        "SELECT rule, MAX(CASE WHEN n=?2 THEN result END), MAX(CASE WHEN n=?3 THEN result END)
         FROM rule_results WHERE task=?1 AND n IN (?2, ?3) GROUP BY rule
         HAVING COUNT(*) < 2 OR MIN(result) <> MAX(result) ORDER BY rule",
    )?;
    let rows = st.query_map(params![task, a, b], |r| {
        Ok(Drift {
            rule: r.get(0)?,
            before: r.get::<_, Option<String>>(1)?.unwrap_or_else(|| "absent".into()),
            after: r.get::<_, Option<String>>(2)?.unwrap_or_else(|| "absent".into()),
        })
    })?;
    rows.collect()
}

/// A rule's results on a target over time: (task, n, started, result).
pub(crate) fn history(c: &Connection, target: &str, rule: &str) -> rusqlite::Result<Vec<(u64, u64, i64, String)>> {
    let mut st = c.prepare_cached(
        "SELECT r.task, r.n, r.started, rr.result FROM rule_results rr JOIN runs r ON r.task=rr.task AND r.n=rr.n
         WHERE rr.rule=?1 AND r.target=?2 ORDER BY r.started, r.task, r.n",
    )?;
    let rows = st.query_map(params![rule, target], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    rows.collect()
}

/// The slot of the task's last finished scheduled run.
pub(crate) fn last_slot(c: &Connection, task: u64) -> rusqlite::Result<Option<i64>> {
    c.query_row(
        "SELECT MAX(scheduled) FROM runs WHERE task=?1 AND status=?2",
        params![task, Status::Finished.as_str()],
        |r| r.get(0),
    )
}

/// Every (task, n) with its row, for `check`.
pub(crate) fn all_rule_counts(c: &Connection) -> rusqlite::Result<std::collections::BTreeMap<(u64, u64), u64>> {
    let mut st = c.prepare("SELECT task, n, COUNT(*) FROM rule_results GROUP BY task, n")?;
    let rows = st.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?;
    rows.collect()
}
