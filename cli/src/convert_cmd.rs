//! `scapc convert`: an XCCDF 1.1.4 benchmark to XCCDF 1.2, ids made
//! conformant as OpenSCAP's `xccdf_1.1_to_1.2.xsl` makes them.

use std::path::Path;
use std::process::ExitCode;

pub fn run(input: &Path, out: &Path, reverse_dns: &str) -> ExitCode {
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
    let converted = match scapc_eval::xccdf::v114::to_xccdf12(&text, reverse_dns) {
        Ok(c) => c,
        Err(e) => {
            errln!("error: {}: {e}", input.display());
            return ExitCode::from(1);
        }
    };
    if let Err(e) = scapc_output::write_file(out, converted.as_bytes(), scapc_output::Mode::Public) {
        errln!("error: {}: {e}", out.display());
        return ExitCode::from(1);
    }
    status!("wrote {} (XCCDF 1.2)", out.display());
    ExitCode::SUCCESS
}
