//! `scapc sign` and `scapc verify`.

use crate::ds_cmd::{fail, read_text};
use scapc_diagnostics::Diagnostic;
use scapc_xmldsig::dsig::{self, SignOptions, Target};
use scapc_xmldsig::keys::{Certificate, PublicKey, SigningKey};
use std::path::Path;
use std::process::ExitCode;

fn now_iso() -> String {
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
        Some(p) => match read_text(p)
            .map_err(|d| d)
            .and_then(|t| Certificate::from_pem(&t).map_err(|m| Diagnostic::error("S0001", m).at_file(p)))
        {
            Ok(c) => Some(c),
            Err(d) => return fail(d),
        },
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
    eprintln!("signed {} -> {} (key {})", ds.display(), out.display(), key.public().fingerprint());
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

pub fn verify(ds: &Path, trust: Option<&Path>, json: bool) -> ExitCode {
    let anchor = match trust {
        None => None,
        Some(p) => match read_text(p)
            .and_then(|t| PublicKey::from_pem(&t).map_err(|m| Diagnostic::error("S0001", m).at_file(p)))
        {
            Ok(k) => Some(k),
            Err(d) => return fail(d),
        },
    };
    let text = match read_text(ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let reports = match dsig::verify(&text, anchor.as_ref()) {
        Ok(r) => r,
        Err(m) => return fail(Diagnostic::error("S0003", m).at_file(ds)),
    };
    let all_valid = reports.iter().all(|r| r.valid());
    if json {
        let v: Vec<serde_json::Value> = reports
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
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"valid": all_valid, "signatures": v})).unwrap_or_default()
        );
    } else {
        for r in &reports {
            let verdict = if r.valid() { "VALID" } else { "INVALID" };
            outln!("signature {} over {}: {verdict}", r.id, r.data_stream.as_deref().unwrap_or("?"));
            outln!("  algorithm {}", r.algorithm);
            if let Some(s) = &r.signer {
                outln!("  signer {s}{}", r.date.as_deref().map(|d| format!(", {d}")).unwrap_or_default());
            }
            outln!("  signature value: {}", if r.signature_value_ok { "ok" } else { "BAD" });
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
                (None, Some(f)) => outln!("  signer key fingerprint (SHA-256 of the public key) {f}\n  only integrity was checked: pass --trusted-cert or --trusted-key to check who signed"),
                _ => {}
            }
        }
    }
    if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
