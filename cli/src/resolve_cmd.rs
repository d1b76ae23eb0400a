//! `scapc resolve`: an XCCDF benchmark written with its inheritance
//! resolved (`extends` of Profiles, Rules, Values and XCCDF 1.1.4 Groups,
//! abstract items removed, `resolved="1"`), as `oscap xccdf resolve` does.
//! The work is `scapc_eval::xccdf::resolve`.

use std::path::Path;
use std::process::ExitCode;

pub fn run(input: &Path, out: &Path) -> ExitCode {
    if let Err(e) = scapc_output::check_distinct(&[input], &[out]) {
        errln!("error: {e}");
        return ExitCode::from(1);
    }
    let text = match std::fs::read(input).map_err(|e| e.to_string()).and_then(|b| {
        String::from_utf8(b)
            .map_err(|e| format!("the file is not UTF-8 (invalid byte at offset {})", e.utf8_error().valid_up_to()))
    }) {
        Ok(t) => t,
        Err(e) => {
            errln!("error: {}: {e}", input.display());
            return ExitCode::from(1);
        }
    };
    if let Err(m) = scapc_datastream::assemble::check_xml(input, &text) {
        errln!("error: {m}");
        return ExitCode::from(1);
    }
    let resolved = match scapc_eval::xccdf::resolve::resolve(&text, &input.display().to_string()) {
        Ok(r) => r,
        Err(e) => {
            errln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    for w in &resolved.warnings {
        warn!("{w}");
    }
    if let Err(e) = scapc_output::write_file(out, resolved.xml.as_bytes(), scapc_output::Mode::Public) {
        errln!("error: {}: {e}", out.display());
        return ExitCode::from(1);
    }
    status!("wrote {} (inheritance resolved)", out.display());
    ExitCode::SUCCESS
}
