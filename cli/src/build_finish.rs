//! `scapc build --sign-key KEY [--cert CERT] [--guides]`: the last step on
//! each data stream before the build writes its set. Guides (one HTML page
//! per profile, `scapc-html`) are rendered from the stream, then the
//! stream is signed as `scapc sign` signs it; both go into the build's
//! all-or-nothing output set.

use crate::ds_cmd::read_text;
use scapc_diagnostics::Diagnostic;
use scapc_eval::xccdf::content::Content;
use scapc_xmldsig::dsig::{self, SignOptions};
use scapc_xmldsig::keys::{Certificate, SigningKey};
use std::path::{Path, PathBuf};

/// What to do to each data stream.
pub struct Finisher {
    pub sign: Option<(SigningKey, Option<Certificate>)>,
    pub guides: bool,
    pub out_dir: PathBuf,
}

impl Finisher {
    /// Reads the key and certificate (errors name the file).
    pub fn new(
        key: Option<&Path>,
        cert: Option<&Path>,
        guides: bool,
        out_dir: PathBuf,
    ) -> Result<Finisher, Diagnostic> {
        let sign = match key {
            None => None,
            Some(k) => {
                let key = SigningKey::from_pem(&read_text(k)?).map_err(|m| Diagnostic::error("S0001", m).at_file(k))?;
                let cert = match cert {
                    None => None,
                    Some(c) => Some(
                        Certificate::from_pem(&read_text(c)?).map_err(|m| Diagnostic::error("S0001", m).at_file(c))?,
                    ),
                };
                Some((key, cert))
            }
        };
        Ok(Finisher { sign, guides, out_dir })
    }

    /// The stream to write in place of `text`, and the guides.
    pub fn finish(&self, name: &str, text: String) -> Result<scapc_compiler::build::Finished, Diagnostic> {
        let path = self.out_dir.join(name);
        let mut more = Vec::new();
        if self.guides {
            let content = Content::from_source(&path, text, None, None).map_err(|m| {
                Diagnostic::error("S0004", format!("cannot read the built data stream: {m}")).at_file(&path)
            })?;
            let stem = name.strip_suffix("-ds.xml").unwrap_or(name);
            let mut profiles: Vec<Option<&str>> =
                content.benchmark.profiles.iter().map(|p| Some(p.id.as_str())).collect();
            if profiles.is_empty() {
                profiles.push(None);
            }
            for p in profiles {
                let html = scapc_html::guide(&content, &[], p)
                    .map_err(|m| Diagnostic::error("S0004", format!("cannot render a guide: {m}")).at_file(&path))?;
                more.push((guide_name(stem, p), html.into_bytes()));
            }
            return self.sign(&path, content.src).map(|t| (t, more));
        }
        self.sign(&path, text).map(|t| (t, more))
    }

    fn sign(&self, path: &Path, text: String) -> Result<String, Diagnostic> {
        let Some((key, cert)) = &self.sign else { return Ok(text) };
        let signer = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "scapc".into());
        let opts = SignOptions { signer, date: crate::sign_cmd::now_iso(), nonce: None, cert: cert.clone() };
        dsig::sign(&text, key, &opts).map_err(|m| Diagnostic::error("S0002", m).at_file(path))
    }
}

/// `<stem>-guide-<profile>.html`, the profile's id after `_profile_`, kept
/// to letters, digits, `.`, `_` and `-`.
fn guide_name(stem: &str, profile: Option<&str>) -> String {
    match profile {
        None => format!("{stem}-guide.html"),
        Some(p) => {
            let short = p.rsplit_once("_profile_").map_or(p, |(_, s)| s);
            let clean: String = short
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' })
                .collect();
            format!("{stem}-guide-{}.html", clean.trim_start_matches('.'))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn guide_names_stay_in_the_directory() {
        assert_eq!(super::guide_name("debian12", Some("xccdf_org.x_profile_standard")), "debian12-guide-standard.html");
        assert_eq!(super::guide_name("d", Some("xccdf_x_profile_../../etc")), "d-guide-_.._etc.html");
        assert_eq!(super::guide_name("d", None), "d-guide.html");
    }
}
