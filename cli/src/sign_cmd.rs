//! `scapc sign` and `scapc verify`: sign every data stream; verify the
//! signatures, the key sizes, and which data streams (with every component
//! they reach) the signatures cover.

use crate::ds_cmd::{fail, read_text};
use scapc_diagnostics::Diagnostic;
use scapc_xmldsig::dsig::{self, SignOptions, Target, Verification};
use scapc_xmldsig::keys::{Certificate, PublicKey, SigningKey};
use scapc_xmldsig::Finding;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn now_iso() -> String {
    let secs = match scapc_compiler::build::source_date_epoch() {
        Ok(Some(e)) => e,
        _ => {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
        }
    };
    scapc_compiler::text::iso_datetime(secs)
}

pub fn sign(ds: &Path, key: &Path, cert: Option<&Path>, signer: Option<String>, out: &Path) -> ExitCode {
    let inputs: Vec<&Path> = [Some(ds), Some(key), cert].into_iter().flatten().collect();
    if let Err(msg) = scapc_output::check_distinct(&inputs, &[out]) {
        return fail(Diagnostic::error("D0007", msg).at_file(out));
    }
    let key_text = match read_text(key) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let key = match SigningKey::from_pem(&key_text) {
        Ok(k) => k,
        Err(m) => return fail(Diagnostic::error("S0001", m).at_file(key)),
    };
    let cert = match cert {
        None => None,
        Some(p) => {
            let t = match read_text(p) {
                Ok(t) => t,
                Err(d) => return fail(d),
            };
            match Certificate::from_pem(&t) {
                Ok(c) => Some(c),
                Err(m) => return fail(Diagnostic::error("S0001", m).at_file(p)),
            }
        }
    };
    let text = match read_text(ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let signer = signer.or_else(|| std::env::var("USER").ok()).unwrap_or_else(|| "scapc".into());
    let opts = SignOptions { signer, date: now_iso(), nonce: None, cert };
    let signed = match dsig::sign(&text, &key, &opts) {
        Ok(s) => s,
        Err(m) => return fail(Diagnostic::error("S0002", m).at_file(ds)),
    };
    if let Err(e) = scapc_output::write_file(out, signed.as_bytes(), scapc_output::Mode::Public) {
        return fail(Diagnostic::error("D0005", format!("cannot write: {e}")).at_file(out));
    }
    status!("signed {} -> {} (key {})", ds.display(), out.display(), key.public().fingerprint());
    // Components no data stream uses get no signature; verify names them.
    if let Ok(c) = scapc_datastream::read::read(&text) {
        for comp in &c.components {
            if !c.streams.iter().any(|s| s.refs.iter().any(|r| r.local_target() == Some(comp.id.as_str()))) {
                warn!(
                    "component `{}` is used by no data stream, so no signature covers it (verify reports it)",
                    comp.id
                );
            }
        }
    }
    ExitCode::SUCCESS
}

fn target_name(t: &Target) -> String {
    match t {
        Target::DataStream(d) => format!("data-stream {d}"),
        Target::Component(c) => format!("component {c}"),
        Target::SignatureProperties => "SignatureProperties".into(),
        Target::Manifest => "Manifest".into(),
        Target::Unknown(u) => format!("unknown {u}"),
    }
}

pub fn verify(ds: &Path, trust: Option<&Path>, json: bool, allow_weak_keys: bool) -> ExitCode {
    let anchor = match trust {
        None => None,
        Some(p) => {
            let t = match read_text(p) {
                Ok(t) => t,
                Err(d) => return fail(d),
            };
            match PublicKey::from_pem(&t) {
                Ok(k) => Some(k),
                Err(m) => return fail(Diagnostic::error("S0001", m).at_file(p)),
            }
        }
    };
    let text = match read_text(ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let v = match dsig::verify_document(&text, anchor.as_ref(), allow_weak_keys) {
        Ok(v) if v.signatures.is_empty() => {
            return fail(
                Diagnostic::error("S0003", "the data stream is not signed (no dsig:Signature in the collection)")
                    .at_file(ds),
            )
        }
        Ok(v) => v,
        Err(m) => return fail(Diagnostic::error("S0003", m).at_file(ds)),
    };
    let findings = v.findings();
    let passes = v.passes();
    crate::ui::count_warnings(findings.iter().filter(|f| !f.fails).count());
    if json {
        print_json(&v, &findings, passes);
    } else {
        print_text(&v, &findings, passes, anchor.is_some());
    }
    if passes {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_json(v: &Verification, findings: &[Finding], passes: bool) {
    let sigs: Vec<serde_json::Value> = v
        .signatures
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.id,
                "data_stream": r.data_stream,
                "algorithm": r.algorithm,
                "fingerprint": r.fingerprint,
                "signer": r.signer,
                "date": r.date,
                "signature_value_ok": r.signature_value_ok,
                "signature_value_checked": r.signature_value_checked,
                "weak_key_bits": r.weak_key_bits,
                "trusted": r.trusted,
                "valid": r.valid(),
                "problems": r.problems,
                "references": r.references.iter().map(|x| serde_json::json!({
                    "uri": x.uri, "target": target_name(&x.target), "in": if x.signed_info { "SignedInfo" } else { "Manifest" },
                    "ok": x.ok, "problem": x.problem,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let streams: Vec<serde_json::Value> = v
        .streams
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id,
                "covered": s.covered,
                "signed_by": s.signed_by,
                "components": s.components,
                "uncovered_components": s.uncovered,
                "weak_key_only": s.weak_only,
                "problems": s.problems,
            })
        })
        .collect();
    let findings: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "kind": f.kind.as_str(),
                "fails": f.fails,
                "message": f.message,
                "signature": f.signature,
                "data_stream": f.data_stream,
                "component": f.component,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "valid": passes,
        "trust_anchor": v.trust_anchor,
        "signatures": sigs,
        "streams": streams,
        "unreached_components": v.unreached,
        "findings": findings,
    });
    outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}

fn print_text(v: &Verification, findings: &[Finding], passes: bool, anchored: bool) {
    for r in &v.signatures {
        let verdict = if r.valid() { "VALID" } else { "INVALID" };
        outln!("signature {} over {}: {verdict}", r.id, r.data_stream.as_deref().unwrap_or("?"));
        outln!("  algorithm {}", r.algorithm);
        if let Some(s) = &r.signer {
            outln!("  signer {s}{}", r.date.as_deref().map(|d| format!(", {d}")).unwrap_or_default());
        }
        let value = match (r.signature_value_ok, r.signature_value_checked) {
            (true, _) => "ok",
            (false, true) => "BAD",
            (false, false) => "not checked (see the problems below)",
        };
        outln!("  signature value: {value}");
        if let Some(bits) = r.weak_key_bits {
            outln!("  weak key: RSA with {bits} bits (under 2048)");
        }
        let n_ok = r.references.iter().filter(|x| x.ok).count();
        outln!("  references: {n_ok}/{} ok", r.references.len());
        for x in r.references.iter().filter(|x| !x.ok) {
            outln!(
                "    {} ({}): {}",
                target_name(&x.target),
                if x.signed_info { "SignedInfo" } else { "Manifest" },
                x.problem.as_deref().unwrap_or("failed")
            );
        }
        for p in &r.problems {
            outln!("  problem: {p}");
        }
        match (r.trusted, &r.fingerprint) {
            (Some(true), Some(f)) => outln!("  signed by the trusted key {f}"),
            (Some(false), Some(f)) => outln!("  signed by {f}, which is NOT the trusted key"),
            (None, Some(f)) => outln!("  signer key fingerprint (SHA-256 of the public key) {f}"),
            _ => {}
        }
    }
    for s in &v.streams {
        if s.covered {
            outln!(
                "data stream {}: covered by {} ({} component{})",
                s.id,
                s.signed_by.join(", "),
                s.components.len(),
                if s.components.len() == 1 { "" } else { "s" }
            );
        } else {
            let mut why = Vec::new();
            if s.weak_only {
                why.push("it is signed only by a weak key (--allow-weak-keys accepts it)".to_owned());
            } else if s.signed_by.is_empty() {
                why.push("the stream itself is not signed by an accepted signature".to_owned());
            }
            if !s.uncovered.is_empty() && !s.weak_only {
                why.push(format!("unsigned components: {}", s.uncovered.join(", ")));
            }
            why.extend(s.problems.iter().cloned());
            outln!("data stream {}: NOT covered: {}", s.id, why.join("; "));
        }
    }
    for f in findings {
        outln!("{}: {}", if f.fails { "error" } else { "warning" }, f.message);
    }
    if !anchored {
        outln!("only integrity was checked: pass --trusted-key (a public key or certificate) to check who signed");
    }
    let failing = findings.iter().filter(|f| f.fails).count();
    if passes {
        outln!("verification passed");
    } else {
        outln!("verification FAILED ({failing} finding{})", if failing == 1 { "" } else { "s" });
    }
}
