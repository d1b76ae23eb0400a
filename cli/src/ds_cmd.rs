//! `scapc ds ...`: data stream subcommands.

use scapc_datastream::{read, split as ds_split};
use scapc_diagnostics::{render_text, Diagnostic, Location, TextOptions};
use scapc_output::{Mode, SetError, SetFile, SetOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Prints one error diagnostic and returns exit code 1.
pub fn fail(d: Diagnostic) -> ExitCode {
    err!("{}", render_text(&[d], &TextOptions { snippets: false, color: false }));
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

/// Checks that a result data stream is well-formed and not hostile.
fn load_arf(path: &Path, text: &str) -> Result<(), Diagnostic> {
    scapc_datastream::assemble::check_xml(path, text).map_err(|m| Diagnostic::error("D0002", m).at_file(path))
}

pub fn split(ds: &Path, out: &Path, component: Option<&str>, force: bool) -> ExitCode {
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
        crate::out::write_bytes(&f.bytes);
        return ExitCode::SUCCESS;
    }
    // Render everything first, so a bad component writes nothing; the
    // manifest goes last, so it never lists a file that is not there.
    let mut files: Vec<SetFile> = Vec::with_capacity(plan.len() + 1);
    let mut owner: Vec<&str> = Vec::with_capacity(plan.len());
    for (name, comp) in &plan {
        match ds_split::render(&coll, name, comp) {
            Ok(f) => {
                let mode = if f.executable { Mode::Executable } else { Mode::Public };
                files.push(SetFile { name: f.name, data: f.bytes, mode });
                owner.push(&comp.id);
            }
            Err(msg) => return fail(Diagnostic::error("D0003", msg).at_file(ds)),
        }
    }
    if component.is_none() {
        let names = ds_split::names(&coll);
        let m = scapc_datastream::manifest::write(&coll, &names);
        files.push(SetFile {
            name: scapc_datastream::manifest::FILE_NAME.to_owned(),
            data: m.into_bytes(),
            mode: Mode::Public,
        });
    }
    let paths: Vec<PathBuf> = files.iter().map(|f| out.join(&f.name)).collect();
    let outs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    if let Err(msg) = scapc_output::check_distinct(&[ds], &outs) {
        return fail(Diagnostic::error("D0007", msg).at_file(ds));
    }
    let how = SetOptions { overwrite: force, skip_unchanged: false };
    match scapc_output::write_set(out, &files, &how) {
        Ok(_) => {}
        Err(SetError::Refused { name, reason }) => {
            let whose = files.iter().position(|f| f.name == name).and_then(|i| owner.get(i));
            let what = match whose {
                Some(id) => format!("component `{id}`: refusing to write `{name}`: {reason}; nothing was written"),
                None => format!("refusing to write `{name}`: {reason}; nothing was written"),
            };
            return fail(Diagnostic::error("D0005", what).at_file(out));
        }
        Err(SetError::Io { path, error }) => {
            return fail(
                Diagnostic::error("D0005", format!("cannot write: {error}; nothing was written")).at_file(&path),
            )
        }
    }
    status!("wrote {} component(s) to {}", plan.len(), out.display());
    ExitCode::SUCCESS
}

pub fn info(ds: &Path, json: bool) -> ExitCode {
    let text = match read_text(ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    // a result data stream (ARF): its requests, assets and reports
    if text.contains(scapc_datastream::info::NS_ARF)
        && scapc_datastream::assemble::sniff(&text)
            .is_some_and(|(ns, l)| ns == scapc_datastream::info::NS_ARF && l == "asset-report-collection")
    {
        if let Err(d) = load_arf(ds, &text) {
            return fail(d);
        }
        return match scapc_datastream::info::arf_info(&text) {
            Ok(i) if json => {
                outln!("{}", serde_json::to_string_pretty(&i).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Ok(i) => {
                out!("{}", scapc_datastream::info::render_arf_text(&i));
                ExitCode::SUCCESS
            }
            Err(e) => {
                errln!("error: {}: {e}", ds.display());
                ExitCode::from(1)
            }
        };
    }
    let coll = match load(ds, &text) {
        Ok(c) => c,
        Err(d) => return fail(d),
    };
    let i = scapc_datastream::info::info(&coll);
    if json {
        outln!("{}", serde_json::to_string_pretty(&i).unwrap_or_default());
    } else {
        out!("{}", scapc_datastream::info::render_text(&i));
    }
    ExitCode::SUCCESS
}

pub fn compose(input: &Path, out: &Path, namespace: Option<String>, allow_outside: bool) -> ExitCode {
    let epoch = match scapc_compiler::build::source_date_epoch() {
        Ok(e) => e,
        Err(msg) => {
            errln!("error: {msg}");
            return ExitCode::from(crate::EXIT_USAGE);
        }
    };
    if let Err(msg) = scapc_output::check_distinct(&[input], &[out]) {
        return fail(Diagnostic::error("D0007", msg).at_file(input));
    }
    let is_manifest = input.extension().is_some_and(|e| e == "yml" || e == "yaml");
    let spec = if is_manifest {
        match scapc_compiler::manifest::load_with(input, epoch, allow_outside) {
            Ok(s) => s,
            Err(diags) => {
                err!("{}", render_text(&diags, &TextOptions { snippets: true, color: false }));
                return ExitCode::from(1);
            }
        }
    } else {
        let opts = scapc_datastream::assemble::QuickOptions { namespace, epoch, allow_outside };
        match scapc_datastream::assemble::quick(input, &opts) {
            Ok(s) => s,
            Err(msg) => return fail(Diagnostic::error("D0006", msg).at_file(input)),
        }
    };
    let sources: Vec<&Path> = spec.sources.iter().map(PathBuf::as_path).collect();
    if let Err(msg) = scapc_output::check_distinct(&sources, &[out]) {
        return fail(Diagnostic::error("D0007", msg).at_file(input));
    }
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
    if let Err(e) = scapc_output::write_file(out, xml.as_bytes(), Mode::Public) {
        return fail(Diagnostic::error("D0005", format!("cannot write: {e}")).at_file(out));
    }
    let local = spec.components.iter().filter(|c| c.remote.is_none()).count();
    let remote = spec.components.len() - local;
    status!("wrote {} ({local} component(s), {remote} remote)", out.display());
    ExitCode::SUCCESS
}
