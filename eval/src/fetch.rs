//! Remote resources (`scapc eval --fetch-remote-resources`, as oscap's
//! option): an `http://` or `https://` GET (rustls, the Mozilla roots of
//! `webpki-roots`), with a time limit and a size limit, gzip or bzip2
//! content expanded (recognised by its magic bytes, as OVAL feeds such as
//! `oval.xml.bz2` come).

use std::time::Duration;

/// The most bytes a download may have (before expansion).
pub const MAX_DOWNLOAD: u64 = 256 << 20;
/// The whole download, connection included, must end within this time.
pub const TIMEOUT: Duration = Duration::from_secs(120);
/// Connecting must succeed within this time.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether an href is something [`fetch`] downloads.
pub fn is_http(href: &str) -> bool {
    let h = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    h.starts_with("http://") || h.starts_with("https://")
}

/// Downloads `url` as UTF-8 text, expanding gzip or bzip2. The error says
/// why in words (the HTTP status, the network error, the limit reached).
pub fn fetch(url: &str) -> Result<String, String> {
    if !is_http(url) {
        return Err("only http:// and https:// URLs are fetched".into());
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .user_agent(concat!("scapc/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut resp = agent.get(url).call().map_err(|e| match e {
        ureq::Error::StatusCode(c) => format!("the server answered HTTP {c}"),
        ureq::Error::Timeout(_) => format!("no answer within {} s", TIMEOUT.as_secs()),
        e => e.to_string(),
    })?;
    let bytes = resp.body_mut().with_config().limit(MAX_DOWNLOAD).read_to_vec().map_err(|e| match e {
        ureq::Error::BodyExceedsLimit(_) => format!("larger than {} MiB", MAX_DOWNLOAD >> 20),
        e => e.to_string(),
    })?;
    crate::oval::standalone::expand_text(bytes, url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        assert!(is_http("https://www.example.com/oval.xml.bz2") && is_http("HTTP://x/y"));
        assert!(!is_http("file:///x") && !is_http("ftp://x/y") && !is_http("oval.xml"));
        assert!(fetch("ftp://x/y").unwrap_err().contains("only http"));
    }

    #[test]
    fn refused_connection_is_an_error() {
        // a port nothing listens on: bind one, learn its number, close it
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = fetch(&format!("http://127.0.0.1:{port}/oval.xml")).unwrap_err();
        assert!(!e.is_empty());
    }
}
