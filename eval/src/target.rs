//! The system being scanned, as probes see it.
//!
//! A target is either this host (`local`) or an offline root filesystem
//! (`dir:/path`). Probes name files by their path *on the target*
//! (`/etc/ssh/sshd_config`); the target maps that to a path on this host.
//! Under `dir:`, symbolic links are followed inside the root: an absolute
//! link restarts at the root and `..` never climbs above it, so an image's
//! `/etc/localtime -> /usr/share/zoneinfo/UTC` resolves within the image.
//!
//! Nothing here writes: probes never modify the target.

use std::collections::VecDeque;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// How many symbolic links one path may pass through (as Linux's ELOOP).
const MAX_LINKS: usize = 40;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    Local,
    /// An offline root filesystem.
    Dir(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Target {
    kind: TargetKind,
    /// The target path that relative paths in OVAL objects start from:
    /// the process's working directory for `local` (as oscap resolves
    /// them), the root for `dir:` (an image has no working directory).
    cwd: String,
    /// A `dir:` root that runs on this host's kernel (a sandbox or
    /// container root, not an image): the kernel's facts (`uname`) are
    /// this host's, as oscap-chroot reports them.
    host_kernel: bool,
}

impl Target {
    pub fn local() -> Target {
        let cwd = std::env::current_dir().ok().and_then(|p| p.to_str().map(str::to_owned));
        Target { kind: TargetKind::Local, cwd: cwd.unwrap_or_else(|| "/".to_owned()), host_kernel: true }
    }

    /// An offline root filesystem. The directory must exist.
    pub fn dir(root: impl Into<PathBuf>) -> io::Result<Target> {
        let root = root.into();
        let root = fs::canonicalize(&root).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", root.display())))?;
        if !root.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{} is not a directory", root.display())));
        }
        Ok(Target { kind: TargetKind::Dir(root), cwd: "/".to_owned(), host_kernel: false })
    }

    /// A root filesystem whose programs run on this host's kernel, e.g. a
    /// `scapc test` sandbox: a `dir:` target whose running kernel is this
    /// host's (see [`Target::runs_host_kernel`]).
    pub fn dir_on_host_kernel(root: impl Into<PathBuf>) -> io::Result<Target> {
        Ok(Target { host_kernel: true, ..Target::dir(root)? })
    }

    /// Whether the target runs on this host's kernel, so that the kernel's
    /// own facts (`uname`) are this host's: the local host, or a root made
    /// with [`Target::dir_on_host_kernel`]. An image runs no kernel.
    pub fn runs_host_kernel(&self) -> bool {
        self.host_kernel
    }

    /// Parses `local` or `dir:/path`.
    pub fn parse(spec: &str) -> io::Result<Target> {
        if spec == "local" {
            Ok(Target::local())
        } else if let Some(p) = spec.strip_prefix("dir:") {
            Target::dir(p)
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unknown target `{spec}`: use `local`, `dir:/path` or `ssh://user@host`"),
            ))
        }
    }

    pub fn kind(&self) -> &TargetKind {
        &self.kind
    }

    pub fn is_local(&self) -> bool {
        self.kind == TargetKind::Local
    }

    /// The root on this host: `/` for the local target.
    pub fn root(&self) -> &Path {
        match &self.kind {
            TargetKind::Local => Path::new("/"),
            TargetKind::Dir(r) => r,
        }
    }

    /// A short description for reports (`local`, `dir:/srv/img`).
    pub fn describe(&self) -> String {
        match &self.kind {
            TargetKind::Local => "local".into(),
            TargetKind::Dir(r) => format!("dir:{}", r.display()),
        }
    }

    /// A target path made absolute: a relative one (`./x`, `x`, `../x`) is
    /// taken from the working directory (see `cwd`), `.` and `..` removed
    /// by name (`..` of `/` is `/`). An absolute path is returned as it is.
    pub fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') {
            return path.to_owned();
        }
        let mut parts: Vec<&str> = self.cwd.split('/').filter(|c| !c.is_empty()).collect();
        for c in path.split('/') {
            match c {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                c => parts.push(c),
            }
        }
        format!("/{}", parts.join("/"))
    }

    /// The host path of a target path, every symbolic link followed (inside
    /// the root for `dir:`).
    pub fn resolve(&self, path: &str) -> io::Result<PathBuf> {
        self.confine(path, true)
    }

    /// The host path of a target path, following links in every component
    /// but the last (what `lstat` needs).
    pub fn resolve_nofollow(&self, path: &str) -> io::Result<PathBuf> {
        self.confine(path, false)
    }

    fn confine(&self, path: &str, follow_last: bool) -> io::Result<PathBuf> {
        let root = match &self.kind {
            TargetKind::Local => return Ok(PathBuf::from(if path.is_empty() { "/" } else { path })),
            TargetKind::Dir(r) => r,
        };
        let mut done: Vec<String> = Vec::new();
        let mut pending: VecDeque<String> =
            path.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_owned).collect();
        let mut hops = 0;
        while let Some(c) = pending.pop_front() {
            if c == ".." {
                done.pop();
                continue;
            }
            let last = pending.is_empty();
            if !last || follow_last {
                let mut candidate = root.clone();
                candidate.extend(done.iter());
                candidate.push(&c);
                if let Ok(m) = fs::symlink_metadata(&candidate) {
                    if m.file_type().is_symlink() {
                        hops += 1;
                        if hops > MAX_LINKS {
                            return Err(io::Error::other(format!("{path}: too many levels of symbolic links")));
                        }
                        let link = fs::read_link(&candidate)?;
                        let link = link.to_string_lossy();
                        if link.starts_with('/') {
                            done.clear();
                        }
                        for part in link.split('/').filter(|p| !p.is_empty() && *p != ".").rev() {
                            pending.push_front(part.to_owned());
                        }
                        continue;
                    }
                }
            }
            done.push(c);
        }
        let mut out = root.clone();
        out.extend(done.iter());
        Ok(out)
    }

    /// `stat` of a target path (links followed).
    pub fn metadata(&self, path: &str) -> io::Result<fs::Metadata> {
        fs::metadata(self.resolve(path)?)
    }

    /// `lstat` of a target path.
    pub fn symlink_metadata(&self, path: &str) -> io::Result<fs::Metadata> {
        fs::symlink_metadata(self.resolve_nofollow(path)?)
    }

    /// The text of a symbolic link, as stored on the target.
    pub fn read_link(&self, path: &str) -> io::Result<String> {
        Ok(fs::read_link(self.resolve_nofollow(path)?)?.to_string_lossy().into_owned())
    }

    /// The names in a directory (not `.` or `..`), sorted.
    pub fn read_dir(&self, path: &str) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = fs::read_dir(self.resolve(path)?)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    /// A file's bytes, at most `limit` of them (an error past that, so a
    /// huge or endless file such as `/dev/zero` cannot exhaust memory).
    /// Only regular files are read: a FIFO would block forever.
    pub fn read_limited(&self, path: &str, limit: u64) -> io::Result<Vec<u8>> {
        let host = self.resolve(path)?;
        let meta = fs::metadata(&host)?;
        if !meta.is_file() && !host.starts_with("/proc") && !host.starts_with("/sys") {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{path} is not a regular file")));
        }
        let f = fs::File::open(&host)?;
        let mut buf = Vec::with_capacity(meta.len().min(limit) as usize);
        f.take(limit + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > limit {
            return Err(io::Error::new(io::ErrorKind::FileTooLarge, format!("{path} is larger than {limit} bytes")));
        }
        Ok(buf)
    }

    /// A text file, read with [`DEFAULT_LIMIT`], invalid UTF-8 replaced.
    pub fn read_text(&self, path: &str) -> io::Result<String> {
        let bytes = self.read_limited(path, DEFAULT_LIMIT)?;
        Ok(match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        })
    }

    /// Whether a target path exists (links followed).
    pub fn exists(&self, path: &str) -> bool {
        self.resolve(path).map(|p| p.exists()).unwrap_or(false)
    }
}

/// The largest file a probe reads whole (64 MiB).
pub const DEFAULT_LIMIT: u64 = 64 << 20;

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn dir_target_confines_links() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        fs::create_dir_all(r.join("etc")).unwrap();
        fs::create_dir_all(r.join("usr/share/zoneinfo")).unwrap();
        fs::write(r.join("usr/share/zoneinfo/UTC"), "utc").unwrap();
        symlink("/usr/share/zoneinfo/UTC", r.join("etc/localtime")).unwrap();
        symlink("../../../../../../etc", r.join("etc/up")).unwrap();
        symlink("loop", r.join("etc/loop")).unwrap();
        let t = Target::dir(r).unwrap();
        assert_eq!(t.read_text("/etc/localtime").unwrap(), "utc");
        // `..` cannot leave the root
        assert_eq!(t.resolve("/etc/up").unwrap(), t.root().join("etc"));
        assert!(t.resolve("/etc/loop").is_err());
        assert!(t.symlink_metadata("/etc/localtime").unwrap().file_type().is_symlink());
        assert_eq!(t.read_link("/etc/localtime").unwrap(), "/usr/share/zoneinfo/UTC");
        assert_eq!(t.read_dir("/etc").unwrap(), vec!["localtime", "loop", "up"]);
    }

    #[test]
    fn relative_paths() {
        let d = tempfile::tempdir().unwrap();
        let t = Target::dir(d.path()).unwrap();
        assert_eq!(t.absolute("./etc/../x"), "/x");
        assert_eq!(t.absolute("../.."), "/");
        assert_eq!(t.absolute("/a/./b"), "/a/./b");
        let here = std::env::current_dir().unwrap();
        assert_eq!(Target::local().absolute("./"), here.to_str().unwrap());
        assert_eq!(Target::local().absolute("x"), here.join("x").to_str().unwrap());
    }

    #[test]
    fn limits_and_special_files() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("big"), vec![b'x'; 100]).unwrap();
        let t = Target::dir(d.path()).unwrap();
        assert!(t.read_limited("/big", 10).is_err());
        assert_eq!(t.read_limited("/big", 100).unwrap().len(), 100);
        assert!(Target::local().read_limited("/dev/zero", 10).is_err());
    }
}
