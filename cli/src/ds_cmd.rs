//! `scapc ds ...`: data stream subcommands.

use scapc_compiler::build::write_atomic;
use scapc_datastream::{read, split as ds_split};
use scapc_diagnostics::{render_text, Diagnostic, Location, TextOptions};
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

/// Prints one error diagnostic and returns exit code 1.
pub fn fail(d: Diagnostic) -> ExitCode {
    eprint!("{}", render_text(&[d], &TextOptions { snippets: false, color: false }));
    ExitCode::from(1)
}

/// Reads a file as UTF-8 text, or says why not.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error("D0001", format!("cannot read the file: {e}")).at_file(path))?;
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(
            "D0001",
            format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
        )
        .at_file(path)
        .hint("SCAP documents in scapc must be UTF-8 encoded XML")
    })
}

/// Reads a data stream's structure, with errors located in `path`.
pub fn load<'a>(path: &Path, text: &'a str) -> Result<read::Collection<'a>, Diagnostic> {
    read::read(text).map_err(|e| Diagnostic::error("D0002", e.message).at(Location::at(path, e.line, e.col)))
}

pub fn split(ds: &Path, out: &Path, component: Option<&str>) -> ExitCode {
    let text = match read_text(ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let coll = match load(ds, &text) {
        Ok(c) => c,
        Err(d) => return fail(d),
    };
    let plan = match ds_split::plan(&coll, component) {
        Ok(p) => p,
        Err(msg) => return fail(Diagnostic::error("D0003", msg).at_file(ds)),
    };
    if out == Path::new("-") {
        if component.is_none() {
            return fail(Diagnostic::error(
                "D0004",
                "`-o -` writes one component to stdout; choose it with --component ID",
            ));
        }
        let (name, comp) = &plan[0];
        let f = match ds_split::render(&coll, name, comp) {
            Ok(f) => f,
            Err(msg) => return fail(Diagnostic::error("D0003", msg).at_file(ds)),
        };
        let mut so = std::io::stdout().lock();
        if so.write_all(&f.bytes).and_then(|_| so.flush()).is_err() {
            return ExitCode::from(1);
        }
        return ExitCode::SUCCESS;
    }
    // Render everything first (cheap), so a bad component writes nothing.
    for (name, comp) in &plan {
        if comp.extended {
            if let Err(msg) = ds_split::render(&coll, name, comp) {
                return fail(Diagnostic::error("D0003", msg).at_file(ds));
            }
        }
    }
    if component.is_none() {
        let names = ds_split::names(&coll);
        let m = scapc_datastream::manifest::write(&coll, &names);
        let path = out.join(scapc_datastream::manifest::FILE_NAME);
        if let Err(e) = write_atomic(&path, m.as_bytes()) {
            return fail(Diagnostic::error("D0005", format!("cannot write: {e}")).at_file(&path));
        }
    }
    for (name, comp) in &plan {
        let f = match ds_split::render(&coll, name, comp) {
            Ok(f) => f,
            Err(msg) => return fail(Diagnostic::error("D0003", msg).at_file(ds)),
        };
        let path = out.join(&f.name);
        if let Err(e) = write_atomic(&path, &f.bytes) {
            return fail(Diagnostic::error("D0005", format!("cannot write: {e}")).at_file(&path));
        }
        if f.executable {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700));
            }
        }
    }
    eprintln!("wrote {} component(s) to {}", plan.len(), out.display());
    ExitCode::SUCCESS
}

pub fn info(ds: &Path, json: bool) -> ExitCode {
    let text = match read_text(ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let coll = match load(ds, &text) {
        Ok(c) => c,
        Err(d) => return fail(d),
    };
    let i = scapc_datastream::info::info(&coll);
    if json {
        println!("{}", serde_json::to_string_pretty(&i).unwrap_or_default());
    } else {
        print!("{}", scapc_datastream::info::render_text(&i));
    }
    ExitCode::SUCCESS
}

pub fn compose(input: &Path, out: &Path, namespace: Option<String>) -> ExitCode {
    let epoch = match scapc_compiler::build::source_date_epoch() {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("error: {msg}");
            return ExitCode::from(2);
        }
    };
    let is_manifest = input.extension().is_some_and(|e| e == "yml" || e == "yaml");
    let spec = if is_manifest {
        match scapc_compiler::manifest::load(input, epoch) {
            Ok(s) => s,
            Err(diags) => {
                eprint!("{}", render_text(&diags, &TextOptions { snippets: true, color: false }));
                return ExitCode::from(1);
            }
        }
    } else {
        match scapc_datastream::assemble::quick(input, &scapc_datastream::assemble::QuickOptions { namespace, epoch }) {
            Ok(s) => s,
            Err(msg) => return fail(Diagnostic::error("D0006", msg).at_file(input)),
        }
    };
    let xml = scapc_datastream::compose::compose(&spec);
    // What compose writes, every other command must accept: the result is
    // read back with the same reader, and nothing is written if it refuses.
    if let Err(e) = read::read(&xml) {
        return fail(
            Diagnostic::error(
                "D0002",
                format!("the composed data stream would be refused when read back: {}", e.message),
            )
            .at_file(input)
            .hint("nothing was written; fix the component named in the message"),
        );
    }
    if let Err(e) = write_atomic(out, xml.as_bytes()) {
        return fail(Diagnostic::error("D0005", format!("cannot write: {e}")).at_file(out));
    }
    let local = spec.components.iter().filter(|c| c.remote.is_none()).count();
    let remote = spec.components.len() - local;
    eprintln!("wrote {} ({local} component(s), {remote} remote)", out.display());
    ExitCode::SUCCESS
}
