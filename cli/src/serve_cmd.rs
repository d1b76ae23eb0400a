//! `scapc serve`: the store over HTTP/JSON (tasks CRUD, run now, results,
//! drift, `/api/openapi.json`) and a small dashboard, on a Unix socket
//! (whose file mode is the access control) or on TCP with a bearer token.

use crate::task_cmd::{fail, StoreOpts};
use clap::Args;
use jiff::Timestamp;
use scapc_store::task::{Engine, Task};
use scapc_store::Store;
use scapc_xml::{escape_attr as ea, escape_text as et};
use serde_json::{json, Value};
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub opts: StoreOpts,
    /// Listen on this Unix socket (created 0600) [default: STORE/scapc.sock]
    #[arg(long, conflicts_with = "listen")]
    pub socket: Option<PathBuf>,
    /// Listen on this TCP address (`127.0.0.1:8080`); requires --token-file
    #[arg(long, requires = "token_file")]
    pub listen: Option<String>,
    /// A file holding the bearer token TCP clients must send
    /// (`Authorization: Bearer TOKEN`, or `?token=TOKEN` for a browser)
    #[arg(long)]
    pub token_file: Option<PathBuf>,
}

fn log(msg: impl std::fmt::Display) {
    errln!("scapc serve: {msg}");
}

pub fn run(a: ServeArgs) -> ExitCode {
    let root = a.opts.root();
    if let Err(e) = Store::open(&root) {
        return fail(format!("cannot open the store: {e}"));
    }
    let token = match &a.token_file {
        None => None,
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) if !t.trim().is_empty() => {
                if std::fs::metadata(p).is_ok_and(|m| m.permissions().mode() & 0o077 != 0) {
                    log(format!("warning: {} is readable by others; chmod 600 it", p.display()));
                }
                Some(t.trim().to_owned())
            }
            Ok(_) => return fail(format!("{}: the token file is empty", p.display())),
            Err(e) => return fail(format!("{}: {e}", p.display())),
        },
    };
    let (server, socket) = match &a.listen {
        Some(addr) => match tiny_http::Server::http(addr.as_str()) {
            Ok(s) => (s, None),
            Err(e) => return fail(format!("--listen {addr}: {e}")),
        },
        None => {
            let path = a.socket.clone().unwrap_or_else(|| root.join("scapc.sock"));
            if std::os::unix::net::UnixStream::connect(&path).is_ok() {
                return fail(format!("{}: another server already listens there", path.display()));
            }
            if std::fs::symlink_metadata(&path).is_ok_and(|m| {
                use std::os::unix::fs::FileTypeExt;
                m.file_type().is_socket()
            }) {
                let _ = std::fs::remove_file(&path);
            }
            match tiny_http::Server::http_unix(&path) {
                Ok(s) => {
                    if let Err(e) = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
                        return fail(format!("{}: {e}", path.display()));
                    }
                    (s, Some(path))
                }
                Err(e) => return fail(format!("--socket {}: {e}", path.display())),
            }
        }
    };
    let server = Arc::new(server);
    let stopper = Arc::clone(&server);
    match signal_hook::iterator::Signals::new([signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT]) {
        Ok(mut sigs) => {
            std::thread::spawn(move || {
                if sigs.forever().next().is_some() {
                    stopper.unblock();
                }
            });
        }
        Err(e) => return fail(format!("cannot handle signals: {e}")),
    }
    match (&socket, &a.listen) {
        (Some(p), _) => log(format!("listening on unix:{} (store {})", p.display(), root.display())),
        (None, Some(l)) => log(format!("listening on http://{l} with a bearer token (store {})", root.display())),
        _ => {}
    }
    let token = Arc::new(token);
    for req in server.incoming_requests() {
        let root = root.clone();
        let token = Arc::clone(&token);
        std::thread::spawn(move || handle(req, &root, token.as_deref()));
    }
    if let Some(p) = socket {
        let _ = std::fs::remove_file(p);
    }
    log("stopped");
    ExitCode::SUCCESS
}

struct Reply {
    status: u16,
    kind: &'static str,
    body: Vec<u8>,
}

fn reply_json(status: u16, v: &Value) -> Reply {
    Reply { status, kind: "application/json", body: serde_json::to_vec_pretty(v).unwrap_or_default() }
}

fn error(status: u16, msg: impl std::fmt::Display) -> Reply {
    reply_json(status, &json!({ "error": msg.to_string() }))
}

/// Constant-time comparison of the token.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn query(url: &str) -> Vec<(String, String)> {
    url.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (k.to_owned(), v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn handle(mut req: tiny_http::Request, root: &Path, token: Option<&str>) {
    let url = req.url().to_owned();
    let q = query(&url);
    let path = url.split('?').next().unwrap_or("").to_owned();
    let method = req.method().as_str().to_owned();
    let r = if let Some(tok) = token {
        let header = req
            .headers()
            .iter()
            .find(|h| h.field.equiv("Authorization"))
            .map(|h| h.value.as_str().to_owned())
            .unwrap_or_default();
        let from_query = || q.iter().find(|(k, _)| k == "token").map(|(_, v)| v.clone());
        let given = header.strip_prefix("Bearer ").map(str::to_owned).or_else(from_query);
        if given.is_some_and(|g| same(g.trim(), tok)) {
            None
        } else {
            Some(error(401, "a bearer token is required (Authorization: Bearer TOKEN)"))
        }
    } else {
        None
    };
    let r = match r {
        Some(r) => r,
        None => {
            let mut body = String::new();
            if req.as_reader().take(1 << 20).read_to_string(&mut body).is_err() {
                error(400, "the request body is not UTF-8")
            } else {
                let tq = q.iter().find(|(k, _)| k == "token").map(|(_, v)| v.as_str());
                route(root, &method, &path, &q, &body, tq)
            }
        }
    };
    let mut resp = tiny_http::Response::from_data(r.body).with_status_code(r.status);
    if let Ok(h) = tiny_http::Header::from_bytes("Content-Type", r.kind) {
        resp.add_header(h);
    }
    let _ = req.respond(resp);
}

fn route(root: &Path, method: &str, path: &str, q: &[(String, String)], body: &str, tq: Option<&str>) -> Reply {
    let mut store = match Store::open(root) {
        Ok(s) => s,
        Err(e) => return error(500, e),
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
    let num = |s: &str| s.parse::<u64>().ok();
    match (method, parts.as_slice()) {
        ("GET", []) => {
            Reply { status: 200, kind: "text/html; charset=utf-8", body: dashboard(&store, tq).into_bytes() }
        }
        ("GET", ["api", "openapi.json"]) => reply_json(200, &openapi()),
        ("GET", ["api", "tasks"]) => match store.tasks() {
            Ok(ts) => reply_json(200, &Value::Array(ts.iter().map(|t| task_json(&store, t)).collect())),
            Err(e) => error(500, e),
        },
        ("POST", ["api", "tasks"]) => {
            let mut t = blank();
            if let Err(e) = merge(&mut t, body) {
                return error(400, e);
            }
            match store.create_task(t) {
                Ok(t) => {
                    store.notify_daemon();
                    reply_json(201, &json!({ "id": t.id }))
                }
                Err(e) => error(400, e),
            }
        }
        (m, ["api", "tasks", id, rest @ ..]) => {
            let Some(id) = num(id) else { return error(404, format!("no task `{id}`")) };
            let t = match store.task(id) {
                Ok(t) => t,
                Err(e) => return error(404, e),
            };
            match (m, rest) {
                ("GET", []) => reply_json(200, &task_json(&store, &t)),
                ("PUT" | "PATCH", []) => {
                    let mut t = t;
                    if let Err(e) = merge(&mut t, body) {
                        return error(400, e);
                    }
                    match store.save_task(&t) {
                        Ok(()) => {
                            store.notify_daemon();
                            reply_json(200, &task_json(&store, &t))
                        }
                        Err(e) => error(400, e),
                    }
                }
                ("DELETE", []) => match store.remove_task(id) {
                    Ok(()) => {
                        store.notify_daemon();
                        reply_json(200, &json!({ "removed": id }))
                    }
                    Err(e) => error(500, e),
                },
                ("POST", ["run"]) => match crate::daemon_cmd::execute(&mut store, &t, "api", None) {
                    Ok(s) => reply_json(201, &serde_json::to_value(&s).unwrap_or_default()),
                    Err(e) => error(500, e),
                },
                _ => error(405, format!("{m} {path} is not part of the API (see /api/openapi.json)")),
            }
        }
        ("GET", ["api", "results"]) => {
            let task = q.iter().find(|(k, _)| k == "task").and_then(|(_, v)| v.parse().ok());
            match store.runs(task) {
                Ok(rows) => reply_json(200, &serde_json::to_value(rows).unwrap_or_default()),
                Err(e) => error(500, e),
            }
        }
        ("GET", ["api", "results", t, n, rest @ ..]) => {
            let (Some(t), Some(n)) = (num(t), num(n)) else { return error(404, "no such run") };
            let file = match rest {
                [] | ["summary"] => "summary.json",
                ["arf"] => "arf.xml",
                ["report"] => "report.html",
                ["stdout"] => "stdout",
                ["stderr"] => "stderr",
                ["exit-code"] => "exit_code",
                _ => return error(404, "a run has summary, arf, report, stdout, stderr and exit-code"),
            };
            if let Err(e) = store.summary(t, n) {
                return error(404, e);
            }
            let kind = match file {
                "summary.json" => "application/json",
                "arf.xml" => "application/xml",
                "report.html" => "text/html; charset=utf-8",
                _ => "text/plain; charset=utf-8",
            };
            match std::fs::read(store.run_dir(t, n).join(file)) {
                Ok(b) => Reply { status: 200, kind, body: b },
                Err(_) => error(404, format!("run {t}/{n} has no {file}")),
            }
        }
        ("GET", ["api", "drift", t, rest @ ..]) => {
            let Some(t) = num(t) else { return error(404, "no such task") };
            let (a, b) = match rest {
                [a, b] => match (num(a), num(b)) {
                    (Some(a), Some(b)) => (a, b),
                    _ => return error(404, "drift takes two run numbers"),
                },
                [] => match last_two(&store, t) {
                    Some(ab) => ab,
                    None => return error(404, format!("task {t} has fewer than two finished runs")),
                },
                _ => return error(404, "GET /api/drift/TASK[/A/B]"),
            };
            match store.drift(t, a, b) {
                Ok(d) => reply_json(200, &json!({ "task": t, "a": a, "b": b, "changed": d })),
                Err(e) => error(404, e),
            }
        }
        _ => error(404, format!("{method} {path} is not part of the API (see /api/openapi.json)")),
    }
}

fn last_two(store: &Store, t: u64) -> Option<(u64, u64)> {
    let rows = store.runs(Some(t)).ok()?;
    let fin: Vec<u64> = rows.iter().filter(|r| r.status == "finished").map(|r| r.n).collect();
    (fin.len() >= 2).then(|| (fin[fin.len() - 2], fin[fin.len() - 1]))
}

fn task_json(store: &Store, t: &Task) -> Value {
    let mut v = t.to_json();
    if let Some(m) = v.as_object_mut() {
        m.insert("next_due".into(), json!(store.next_due(t).ok().flatten().map(|t| t.to_string())));
    }
    v
}

fn blank() -> Task {
    Task {
        id: 0,
        title: String::new(),
        target: "local".into(),
        content: String::new(),
        profile: None,
        tailoring: None,
        remediate: false,
        not_before: Timestamp::from_second(Timestamp::now().as_second())
            .unwrap_or_else(|_| Timestamp::now())
            .to_string(),
        repeat: "never".into(),
        timezone: String::new(),
        enabled: false,
        engine: Engine::Native,
        ssh_options: Vec::new(),
    }
}

/// Sets a task's fields from a JSON object; unknown keys are errors.
fn merge(t: &mut Task, body: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let obj = v.as_object().ok_or("the body must be a JSON object")?;
    let s = |k: &str, v: &Value| v.as_str().map(str::to_owned).ok_or(format!("`{k}` must be a string"));
    for (k, val) in obj {
        match k.as_str() {
            "title" => t.title = s(k, val)?,
            "target" => t.target = s(k, val)?,
            "content" => {
                let c = s(k, val)?;
                if !Path::new(&c).is_absolute() || !Path::new(&c).is_file() {
                    return Err(format!("`content`: {c} is not an absolute path to a file"));
                }
                t.content = c;
            }
            "profile" => t.profile = val.as_str().filter(|p| !p.is_empty()).map(str::to_owned),
            "tailoring" => t.tailoring = val.as_str().filter(|p| !p.is_empty()).map(str::to_owned),
            "not_before" => {
                let tz = t.tz()?;
                t.not_before = scapc_store::schedule::parse_time(&s(k, val)?, Timestamp::now(), &tz)?.to_string()
            }
            "repeat" => t.repeat = s(k, val)?.parse::<scapc_store::schedule::Repeat>()?.to_string(),
            "timezone" => t.timezone = s(k, val)?,
            "enabled" => t.enabled = val.as_bool().ok_or("`enabled` must be true or false")?,
            "engine" => {
                t.engine = match s(k, val)?.as_str() {
                    "native" => Engine::Native,
                    "oscap" => Engine::Oscap,
                    e => return Err(format!("`engine`: `{e}` is not native or oscap")),
                }
            }
            "ssh_options" => {
                let arr = val.as_array().ok_or("`ssh_options` must be an array of strings")?;
                t.ssh_options = arr.iter().map(|o| s(k, o)).collect::<Result<_, _>>()?;
            }
            "remediate" if val == &Value::Bool(false) => {}
            "id" | "next_due" => {}
            other => return Err(format!("unknown task field `{other}`")),
        }
    }
    if t.content.is_empty() {
        return Err("`content` (the path of a source data stream) is required".into());
    }
    if t.title.is_empty() {
        t.title = format!("{} on {}", Path::new(&t.content).display(), t.target);
    }
    t.validate()
}

fn openapi() -> Value {
    let ok = |d: &str| json!({ "200": { "description": d } });
    json!({
        "openapi": "3.0.3",
        "info": { "title": "scapc store API", "version": env!("CARGO_PKG_VERSION"),
                  "description": "Tasks, runs, results and drift of a scapc store. Over TCP every request needs `Authorization: Bearer TOKEN`." },
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } } },
        "security": [ { "bearer": [] } ],
        "paths": {
            "/api/tasks": {
                "get": { "summary": "List the tasks", "responses": ok("an array of tasks") },
                "post": { "summary": "Create a task from a JSON object (content required; title, target, profile, tailoring, not_before, repeat, timezone, enabled, engine)",
                          "responses": { "201": { "description": "{\"id\": N}" }, "400": { "description": "invalid task" } } }
            },
            "/api/tasks/{id}": {
                "get": { "summary": "One task", "responses": ok("the task") },
                "put": { "summary": "Change fields of a task", "responses": ok("the task") },
                "delete": { "summary": "Remove a task and its results", "responses": ok("removed") }
            },
            "/api/tasks/{id}/run": { "post": { "summary": "Run the task now and record the result", "responses": { "201": { "description": "the run's summary" } } } },
            "/api/results": { "get": { "summary": "List runs (query `task` for one task's)", "responses": ok("an array of runs") } },
            "/api/results/{task}/{n}": { "get": { "summary": "A run's summary", "responses": ok("summary.json") } },
            "/api/results/{task}/{n}/arf": { "get": { "summary": "A run's ARF", "responses": ok("application/xml") } },
            "/api/results/{task}/{n}/report": { "get": { "summary": "A run's HTML report", "responses": ok("text/html") } },
            "/api/results/{task}/{n}/stdout": { "get": { "summary": "The scanner's stdout", "responses": ok("text") } },
            "/api/results/{task}/{n}/stderr": { "get": { "summary": "The scanner's stderr", "responses": ok("text") } },
            "/api/results/{task}/{n}/exit-code": { "get": { "summary": "The scanner's exit code", "responses": ok("text") } },
            "/api/drift/{task}": { "get": { "summary": "Rules changed between the last two finished runs", "responses": ok("{task, a, b, changed}") } },
            "/api/drift/{task}/{a}/{b}": { "get": { "summary": "Rules changed between runs a and b", "responses": ok("{task, a, b, changed}") } },
            "/api/openapi.json": { "get": { "summary": "This description", "responses": ok("OpenAPI 3") } },
            "/": { "get": { "summary": "The dashboard (HTML)", "responses": ok("text/html") } }
        }
    })
}

/// An inline SVG line of scores (0-100), oldest left.
fn sparkline(scores: &[f64]) -> String {
    if scores.is_empty() {
        return "no scores yet".into();
    }
    let (w, h) = (160.0, 32.0);
    let step = if scores.len() > 1 { w / (scores.len() - 1) as f64 } else { 0.0 };
    let pts: Vec<String> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{:.1},{:.1}", i as f64 * step, h - s.clamp(0.0, 100.0) / 100.0 * h))
        .collect();
    format!(
        "<svg width=\"160\" height=\"32\" role=\"img\" aria-label=\"score trend\"><polyline fill=\"none\" stroke=\"#2a6\" stroke-width=\"2\" points=\"{}\"/></svg>",
        pts.join(" ")
    )
}

fn dashboard(store: &Store, token: Option<&str>) -> String {
    let tq = token.map(|t| format!("?token={t}")).unwrap_or_default();
    let mut h = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>scapc dashboard</title><style>\
         body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}\
         .fail{color:#b00}.pass{color:#070}</style></head><body><h1>scapc dashboard</h1>",
    );
    let tasks = store.tasks().unwrap_or_default();
    let runs = store.runs(None).unwrap_or_default();
    h.push_str(&format!("<p>{} task(s), {} run(s)</p>", tasks.len(), runs.len()));
    h.push_str("<table><tr><th>target</th><th>task</th><th>latest score</th><th>results</th><th>trend</th><th>drift since the previous run</th><th>report</th></tr>");
    for t in &tasks {
        let mine: Vec<&scapc_store::RunRow> =
            runs.iter().filter(|r| r.task == t.id && r.status == "finished").collect();
        let last = mine.last();
        let score = last.and_then(|r| r.score).map(|s| format!("{s:.2}")).unwrap_or_else(|| "-".into());
        let counts = last
            .and_then(|r| r.counts.as_object().cloned())
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("<span class=\"{}\">{k} {v}</span>", ea(k)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "no runs yet".into());
        let scores: Vec<f64> = mine.iter().filter_map(|r| r.score).collect();
        let drift = match last_two(store, t.id) {
            Some((a, b)) => match store.drift(t.id, a, b) {
                Ok(d) if d.is_empty() => format!("no change (run {a} to {b})"),
                Ok(d) => {
                    let items: Vec<String> = d
                        .iter()
                        .take(10)
                        .map(|x| format!("<li>{}: {} &#8594; {}</li>", et(&x.rule), et(&x.before), et(&x.after)))
                        .collect();
                    format!("{} rule(s) changed (run {a} to {b})<ul>{}</ul>", d.len(), items.join(""))
                }
                Err(e) => et(&e.to_string()).into_owned(),
            },
            None => "-".into(),
        };
        let report = last
            .map(|r| format!("<a href=\"/api/results/{}/{}/report{}\">run {}</a>", r.task, r.n, ea(&tq), r.n))
            .unwrap_or_else(|| "-".into());
        h.push_str(&format!(
            "<tr><td>{}</td><td>{} (#{})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            et(&t.target),
            et(&t.title),
            t.id,
            score,
            counts,
            sparkline(&scores),
            drift,
            report
        ));
    }
    h.push_str("</table><p><a href=\"/api/openapi.json");
    h.push_str(&ea(&tq));
    h.push_str("\">API description</a></p></body></html>\n");
    h
}
