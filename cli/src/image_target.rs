//! Container targets for tasks: images, `oci:LAYOUT[:REF]` (an OCI image
//! layout directory) and `docker-archive:FILE` (a `docker save` tarball),
//! and running containers, `docker:NAME` and `podman:NAME` (their root
//! filesystem as `docker export` / `podman export` writes it, one tar).
//! The layers are unpacked in order into a private temporary directory,
//! whiteouts applied (`.wh.NAME` removes NAME from the layers below,
//! `.wh..wh..opq` empties its directory), and the result is scanned as
//! `dir:` and removed. Only the controller needs the content and the image.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Component, Path, PathBuf};

/// True when `target` names an image.
pub fn is_image(target: &str) -> bool {
    ["oci:", "docker-archive:", "docker:", "podman:"].iter().any(|p| target.starts_with(p))
}

/// An unpacked image root; removed when dropped.
pub struct Unpacked {
    pub root: PathBuf,
    _dir: tempfile::TempDir,
}

/// Unpacks the image `target` names.
pub fn unpack(target: &str) -> Result<Unpacked, String> {
    let dir =
        tempfile::Builder::new().prefix("scapc-image-").tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let root = dir.path().join("root");
    std::fs::create_dir(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    let layers: Vec<PathBuf> = if let Some(rest) = target.strip_prefix("oci:") {
        oci_layers(rest)?
    } else if let Some(file) = target.strip_prefix("docker-archive:") {
        docker_layers(Path::new(file), dir.path())?
    } else if let Some((tool, name)) = target.split_once(':').filter(|(t, _)| matches!(*t, "docker" | "podman")) {
        vec![export(tool, name, dir.path())?]
    } else {
        return Err(format!(
            "`{target}` is not a container target (oci:LAYOUT, docker-archive:FILE, docker:NAME or podman:NAME)"
        ));
    };
    for l in &layers {
        apply_layer(l, &root).map_err(|e| format!("{target}: layer {}: {e}", l.display()))?;
    }
    Ok(Unpacked { root, _dir: dir })
}

/// The root filesystem of a running (or stopped) container as one tar, from
/// `docker export` or `podman export` (which need no mount privileges).
fn export(tool: &str, name: &str, work: &Path) -> Result<PathBuf, String> {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    if name.is_empty() || name.starts_with(['-', '.']) || !name.chars().all(ok) {
        return Err(format!("`{name}` is not a container name or id"));
    }
    let file = work.join("export.tar");
    let out = std::process::Command::new(tool)
        .arg("export")
        .arg("--output")
        .arg(&file)
        .arg(name)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{tool}`: {e}"))?;
    if !out.status.success() || !file.is_file() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no export was written");
        return Err(format!("`{tool} export {name}` failed ({}): {}", out.status, last.trim()));
    }
    Ok(file)
}

fn read_json(p: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}:{}:{}: {e}", p.display(), e.line(), e.column()))
}

/// The blob of a digest in a layout, its hash checked.
fn blob(layout: &Path, digest: &str) -> Result<PathBuf, String> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| format!("digest `{digest}`: only sha256 digests are supported"))?;
    let p = layout.join("blobs/sha256").join(hex);
    let mut f = File::open(&p).map_err(|e| format!("{}: {e}", p.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|e| format!("{}: {e}", p.display()))?;
    let got: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    if got != hex.to_ascii_lowercase() {
        return Err(format!("{}: its content does not match its digest (sha256:{got})", p.display()));
    }
    Ok(p)
}

/// The layer blobs of an OCI layout's image, base first.
fn oci_layers(spec: &str) -> Result<Vec<PathBuf>, String> {
    let (layout, want) = if Path::new(spec).is_dir() {
        (PathBuf::from(spec), None)
    } else {
        match spec.rsplit_once(':') {
            Some((p, r)) if Path::new(p).is_dir() => (PathBuf::from(p), Some(r.to_owned())),
            _ => return Err(format!("oci:{spec}: no OCI image layout directory there")),
        }
    };
    let index = read_json(&layout.join("index.json"))?;
    let manifests = index["manifests"].as_array().cloned().unwrap_or_default();
    let name =
        |m: &serde_json::Value| m["annotations"]["org.opencontainers.image.ref.name"].as_str().map(str::to_owned);
    let chosen = match &want {
        Some(r) => manifests.iter().find(|m| name(m).as_deref() == Some(r)),
        None if manifests.len() == 1 => manifests.first(),
        None => {
            let names: Vec<String> = manifests.iter().filter_map(name).collect();
            return Err(format!(
                "oci:{spec}: the layout holds {} images; name one as oci:{}:REF ({})",
                manifests.len(),
                layout.display(),
                names.join(", ")
            ));
        }
    }
    .ok_or_else(|| format!("oci:{spec}: no image `{}` in index.json", want.unwrap_or_default()))?;
    let mut desc = chosen.clone();
    // An index may point at a further index (multi-platform): take linux/amd64, else the first.
    for _ in 0..4 {
        let digest = desc["digest"].as_str().ok_or("a manifest descriptor has no digest")?;
        let doc = read_json(&blob(&layout, digest)?)?;
        if let Some(ms) = doc["manifests"].as_array() {
            desc = ms
                .iter()
                .find(|m| m["platform"]["os"] == "linux" && m["platform"]["architecture"] == "amd64")
                .or(ms.first())
                .cloned()
                .ok_or("an image index with no manifests")?;
            continue;
        }
        let layers = doc["layers"].as_array().ok_or("the image manifest has no layers")?;
        return layers.iter().map(|l| blob(&layout, l["digest"].as_str().unwrap_or(""))).collect::<Result<Vec<_>, _>>();
    }
    Err(format!("oci:{spec}: image indexes nest too deep"))
}

/// Unpacks a `docker save` tarball's files into `work` and returns its layers.
fn docker_layers(file: &Path, work: &Path) -> Result<Vec<PathBuf>, String> {
    let outer = work.join("archive");
    std::fs::create_dir(&outer).map_err(|e| format!("{}: {e}", outer.display()))?;
    let f = File::open(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut ar = tar::Archive::new(decompress(f).map_err(|e| format!("{}: {e}", file.display()))?);
    for e in ar.entries().map_err(|e| format!("{}: {e}", file.display()))? {
        let mut e = e.map_err(|e| format!("{}: {e}", file.display()))?;
        e.unpack_in(&outer).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    let m = read_json(&outer.join("manifest.json"))?;
    let layers =
        m[0]["Layers"].as_array().ok_or_else(|| format!("{}: manifest.json lists no Layers", file.display()))?;
    layers
        .iter()
        .map(|l| {
            let rel = l.as_str().unwrap_or("");
            let p = Path::new(rel);
            if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
                return Err(format!("{}: layer path `{rel}` leaves the archive", file.display()));
            }
            Ok(outer.join(p))
        })
        .collect()
}

/// A reader of a plain or gzip-compressed tar.
fn decompress(mut f: File) -> std::io::Result<Box<dyn Read>> {
    let mut magic = [0u8; 4];
    let n = f.read(&mut magic)?;
    f.rewind()?;
    if n >= 2 && magic[..2] == [0x1f, 0x8b] {
        return Ok(Box::new(flate2::read::GzDecoder::new(BufReader::new(f))));
    }
    if n == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
        return Err(std::io::Error::other("zstd-compressed layers are not supported; use gzip or plain tar"));
    }
    Ok(Box::new(BufReader::new(f)))
}

/// A layer entry's path as safe relative components, or None.
fn safe(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(x) => out.push(x),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

/// Removes a path of the root, never following a symbolic link out of it.
fn remove_in(root: &Path, rel: &Path) {
    // Refuse to go through a symbolic link in the parents.
    let mut cur = root.to_path_buf();
    if let Some(parent) = rel.parent() {
        for c in parent.components() {
            cur.push(c);
            if std::fs::symlink_metadata(&cur).map(|m| !m.is_dir()).unwrap_or(true) {
                return;
            }
        }
    }
    let p = root.join(rel);
    match std::fs::symlink_metadata(&p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(&p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(&p);
        }
        Err(_) => {}
    }
}

fn apply_layer(layer: &Path, root: &Path) -> Result<(), String> {
    // First the whiteouts: they remove what the layers below put there.
    let open = || -> Result<tar::Archive<Box<dyn Read>>, String> {
        let f = File::open(layer).map_err(|e| e.to_string())?;
        Ok(tar::Archive::new(decompress(f).map_err(|e| e.to_string())?))
    };
    let mut ar = open()?;
    for e in ar.entries().map_err(|e| e.to_string())? {
        let e = e.map_err(|e| e.to_string())?;
        let path = e.path().map_err(|e| e.to_string())?.into_owned();
        let Some(rel) = safe(&path) else { continue };
        let Some(name) = rel.file_name().and_then(|n| n.to_str()) else { continue };
        let dir = rel.parent().map(Path::to_path_buf).unwrap_or_default();
        if name == ".wh..wh..opq" {
            if let Ok(rd) = std::fs::read_dir(root.join(&dir)) {
                for c in rd.flatten() {
                    remove_in(root, &dir.join(c.file_name()));
                }
            }
        } else if let Some(gone) = name.strip_prefix(".wh.") {
            remove_in(root, &dir.join(gone));
        }
    }
    // Then the files, confined to the root by the tar reader.
    let mut ar = open()?;
    ar.set_preserve_permissions(true);
    ar.set_preserve_ownerships(true);
    ar.set_overwrite(true);
    ar.set_unpack_xattrs(false);
    for e in ar.entries().map_err(|e| e.to_string())? {
        let mut e = e.map_err(|e| e.to_string())?;
        let path = e.path().map_err(|e| e.to_string())?.into_owned();
        let Some(rel) = safe(&path) else { continue };
        if rel.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(".wh.")) {
            continue;
        }
        // A file replacing a directory of a lower layer (or the reverse).
        if let Ok(m) = std::fs::symlink_metadata(root.join(&rel)) {
            if m.is_dir() != e.header().entry_type().is_dir() {
                remove_in(root, &rel);
            }
        }
        let kind = e.header().entry_type();
        if kind.is_block_special() || kind.is_character_special() || kind.is_fifo() {
            continue; // device nodes and FIFOs are not needed to scan files
        }
        e.unpack_in(root).map_err(|err| {
            let cause = std::error::Error::source(&err).map(|c| format!(": {c}")).unwrap_or_default();
            format!("{}: {err}{cause}", rel.display())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        h
    }

    /// A tar layer from (path, contents) pairs; contents None is a directory.
    fn layer(entries: &[(&str, Option<&str>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (p, c) in entries {
            let mut h = header();
            match c {
                Some(c) => {
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_size(c.len() as u64);
                    h.set_mode(0o644);
                    b.append_data(&mut h, p, c.as_bytes()).unwrap();
                }
                None => {
                    h.set_entry_type(tar::EntryType::Directory);
                    h.set_size(0);
                    h.set_mode(0o755);
                    b.append_data(&mut h, p, &[][..]).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }

    fn sha(b: &[u8]) -> String {
        Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect()
    }

    /// Writes an OCI layout of the layers (base first); returns its path.
    fn oci(dir: &Path, layers: &[Vec<u8>], gzip_first: bool) -> PathBuf {
        let l = dir.join("layout");
        std::fs::create_dir_all(l.join("blobs/sha256")).unwrap();
        let put = |b: &[u8]| {
            let h = sha(b);
            std::fs::write(l.join("blobs/sha256").join(&h), b).unwrap();
            format!("sha256:{h}")
        };
        let mut descs = Vec::new();
        for (i, raw) in layers.iter().enumerate() {
            let data = if i == 0 && gzip_first {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                std::io::Write::write_all(&mut e, raw).unwrap();
                e.finish().unwrap()
            } else {
                raw.clone()
            };
            descs.push(serde_json::json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": put(&data), "size": data.len()}));
        }
        let config = put(b"{}");
        let manifest = serde_json::json!({"schemaVersion": 2, "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2}, "layers": descs});
        let m = serde_json::to_vec(&manifest).unwrap();
        let md = put(&m);
        let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": m.len(), "annotations": {"org.opencontainers.image.ref.name": "latest"}}]});
        std::fs::write(l.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
        std::fs::write(l.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        l
    }

    fn base_and_top() -> Vec<Vec<u8>> {
        vec![
            layer(&[
                ("etc", None),
                ("etc/keep", Some("base")),
                ("etc/gone", Some("removed by a whiteout")),
                ("opt", None),
                ("opt/old", Some("removed by an opaque dir")),
            ]),
            layer(&[
                ("etc/.wh.gone", Some("")),
                ("etc/new", Some("top")),
                ("etc/keep", Some("changed")),
                ("opt/.wh..wh..opq", Some("")),
                ("opt/fresh", Some("top")),
            ]),
        ]
    }

    fn check(root: &Path) {
        assert_eq!(std::fs::read_to_string(root.join("etc/keep")).unwrap(), "changed");
        assert_eq!(std::fs::read_to_string(root.join("etc/new")).unwrap(), "top");
        assert!(!root.join("etc/gone").exists());
        assert!(!root.join("etc/.wh.gone").exists());
        assert!(!root.join("opt/old").exists());
        assert_eq!(std::fs::read_to_string(root.join("opt/fresh")).unwrap(), "top");
    }

    #[test]
    fn oci_layout_layers_apply_in_order_with_whiteouts() {
        let d = tempfile::tempdir().unwrap();
        let l = oci(d.path(), &base_and_top(), true);
        let u = unpack(&format!("oci:{}", l.display())).unwrap();
        check(&u.root);
        let u = unpack(&format!("oci:{}:latest", l.display())).unwrap();
        check(&u.root);
        let e = unpack(&format!("oci:{}:nosuch", l.display())).err().unwrap();
        assert!(e.contains("no image `nosuch`"), "{e}");
        // A blob whose bytes do not match its digest is refused.
        let blobs: Vec<_> = std::fs::read_dir(l.join("blobs/sha256")).unwrap().flatten().collect();
        for b in &blobs {
            if std::fs::read(b.path()).unwrap().starts_with(&[0x1f, 0x8b]) {
                std::fs::write(b.path(), b"tampered").unwrap();
            }
        }
        let e = unpack(&format!("oci:{}", l.display())).err().unwrap();
        assert!(e.contains("does not match its digest"), "{e}");
    }

    #[test]
    fn docker_archive_layers_apply_in_order_with_whiteouts() {
        let d = tempfile::tempdir().unwrap();
        let ls = base_and_top();
        let mut b = tar::Builder::new(Vec::new());
        let mut names = Vec::new();
        for (i, l) in ls.iter().enumerate() {
            let name = format!("l{i}/layer.tar");
            let mut h = header();
            h.set_size(l.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, &name, &l[..]).unwrap();
            names.push(name);
        }
        let m = serde_json::to_vec(&serde_json::json!([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": names}]))
            .unwrap();
        let mut h = header();
        h.set_size(m.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, "manifest.json", &m[..]).unwrap();
        let f = d.path().join("img.tar");
        std::fs::write(&f, b.into_inner().unwrap()).unwrap();
        let u = unpack(&format!("docker-archive:{}", f.display())).unwrap();
        check(&u.root);
    }

    #[test]
    fn layer_paths_cannot_leave_the_root() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        std::fs::create_dir(&root).unwrap();
        // A whiteout aimed above the root and a symbolic link aimed out of it.
        let mut b = tar::Builder::new(Vec::new());
        let mut h = header();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "escape", d.path()).unwrap();
        let l = b.into_inner().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, "x").unwrap();
        let top = layer(&[("escape/.wh.victim", Some("")), ("etc/.wh.x", Some(""))]);
        let lp = d.path().join("l0");
        let tp = d.path().join("l1");
        std::fs::write(&lp, l).unwrap();
        std::fs::write(&tp, top).unwrap();
        apply_layer(&lp, &root).unwrap();
        apply_layer(&tp, &root).unwrap();
        assert!(victim.exists(), "a whiteout went through a symbolic link");
    }
}
