//! Writing scapc's outputs, in one place: every command that writes files
//! goes through this crate.
//!
//! - [`write_file`]: one file, atomically (a temporary file beside it,
//!   fsync, rename), created with its final [`Mode`] (results are
//!   [`Mode::Private`]).
//! - [`write_set`]: a set of files under one directory, all or nothing: the
//!   set is written into a temporary directory on the same file system,
//!   synced, then renamed into place (the directory itself when the target
//!   is new). Names are confined to the directory: no absolute or `..`
//!   names, no hidden components, never through a symbolic link (each
//!   directory is opened relative to the previous one with `O_NOFOLLOW`),
//!   never over an existing file unless asked.
//! - Temporary names start with [`TMP_PREFIX`] and carry the writer's PID;
//!   those of dead processes are removed by the next write in that
//!   directory.
//! - [`check_distinct`]: no output may be an input or another output.
//! - [`confine`]: an input must resolve inside a base directory.
#![forbid(unsafe_code)]

use rustix::fs::{self as rfs, AtFlags, FileType, Mode as RMode, OFlags, RenameFlags};
use rustix::io::Errno;
use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Every temporary file or directory scapc makes starts with this.
pub const TMP_PREFIX: &str = ".scapc-tmp-";

/// The permissions an output is created with (before the umask).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 0644: content anyone may read (data streams, components).
    Public,
    /// 0600: results and reports, which may hold secrets of the target.
    Private,
    /// 0700: scripts (SCE checks).
    Executable,
}

impl Mode {
    pub fn bits(self) -> u32 {
        match self {
            Mode::Public => 0o644,
            Mode::Private => 0o600,
            Mode::Executable => 0o700,
        }
    }
}

/// A fresh temporary name: prefix, PID, a per-process counter, a tag.
fn tmp_name(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    // Stay well under NAME_MAX whatever the tag.
    let tag: String = tag.chars().take(80).collect();
    format!("{TMP_PREFIX}{}-{nanos:x}{n}-{tag}", std::process::id())
}

/// The PID a temporary name of ours carries.
fn tmp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TMP_PREFIX)?;
    rest.split('-').next()?.parse().ok()
}

/// True when no process `pid` runs (and it is not us).
fn dead(pid: u32) -> bool {
    if pid == std::process::id() {
        return false;
    }
    let proc_fs = Path::new("/proc/self").exists();
    proc_fs && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Removes the temporary files and directories that earlier, killed runs
/// left in `dir`: ours (`.scapc-tmp-<pid>-…`) and those of older scapc
/// versions (`.<name>.tmp-<pid>` for a `name` about to be written), when
/// their process is gone. Errors are ignored: this is housekeeping.
pub fn sweep(dir: &Path, names: &[&str]) {
    let Ok(rd) = std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) else { return };
    for e in rd.flatten() {
        let n = e.file_name();
        let Some(n) = n.to_str() else { continue };
        let pid = tmp_pid(n).or_else(|| older_tmp(n).filter(|(w, _)| names.contains(w)).map(|(_, p)| p));
        if pid.is_some_and(dead) {
            remove_any(&e.path());
        }
    }
}

/// `.<name>.tmp-<pid>`, an older scapc's temporary for `name`: (name, pid).
fn older_tmp(n: &str) -> Option<(&str, u32)> {
    let (w, pid) = n.strip_prefix('.')?.rsplit_once(".tmp-")?;
    Some((w, pid.parse().ok()?))
}

/// The older scapc's temporaries in `dir` whose process is gone, by the
/// name they were for (see [`sweep`]).
fn stale_older(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    rd.flatten()
        .filter_map(|e| {
            let n = e.file_name().into_string().ok()?;
            let (w, pid) = older_tmp(&n)?;
            dead(pid).then(|| (w.to_owned(), e.path()))
        })
        .collect()
}

fn remove_any(p: &Path) {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => {
            let _ = std::fs::remove_dir_all(p);
        }
        Ok(_) => {
            let _ = std::fs::remove_file(p);
        }
        Err(_) => {}
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(if dir.as_os_str().is_empty() { Path::new(".") } else { dir }) {
        let _ = d.sync_all();
    }
}

/// Writes `data` to `path` atomically: a reader sees the old file or the
/// new one, never half of one, and a crash leaves at most a temporary file
/// that the next write removes. The file is created with `mode`; a
/// [`Mode::Public`] file whose bytes are unchanged is left alone (it keeps
/// its mtime, so make-style tools see no change).
pub fn write_file(path: &Path, data: &[u8], mode: Mode) -> io::Result<()> {
    if mode == Mode::Public
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == data.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == data)
    {
        return Ok(());
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the output path names no file"))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(dir)?;
    }
    sweep(dir, &[name]);
    let tmp = dir.join(tmp_name(name));
    let res = (|| {
        // create_new is O_CREAT|O_EXCL: it never follows a symbolic link.
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(mode.bits()).open(&tmp)?;
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    } else {
        sync_dir(dir);
    }
    res
}

/// One file of a set: a relative name (`/`-separated), its bytes, its mode.
#[derive(Debug, Clone)]
pub struct SetFile {
    pub name: String,
    pub data: Vec<u8>,
    pub mode: Mode,
}

/// A file of a set, borrowed: what [`Staged::add`] writes.
#[derive(Debug, Clone, Copy)]
pub struct FileRef<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    pub mode: Mode,
}

impl SetFile {
    pub fn as_ref(&self) -> FileRef<'_> {
        FileRef { name: &self.name, data: &self.data, mode: self.mode }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SetOptions {
    /// Replace existing files (else an existing file is refused).
    pub overwrite: bool,
    /// Leave a file whose bytes are unchanged alone (keeps its mtime).
    pub skip_unchanged: bool,
}

/// Why a set was not written. Nothing of the set is in place.
#[derive(Debug)]
pub enum SetError {
    /// A name the set may not write (unsafe, through a link, existing).
    Refused { name: String, reason: String },
    /// An I/O error at a path.
    Io { path: PathBuf, error: io::Error },
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::Refused { name, reason } => write!(f, "refusing to write `{name}`: {reason}"),
            SetError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for SetError {}

/// The components of a safe relative name, or why it is not one.
pub fn check_name(name: &str) -> Result<Vec<&str>, String> {
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if name.starts_with('/') {
        return Err("it is an absolute path; names must be relative to the output directory".into());
    }
    if name.contains('\0') || name.contains('\\') {
        return Err("it holds a NUL or a backslash".into());
    }
    let parts: Vec<&str> = name.split('/').collect();
    for p in &parts {
        if p.is_empty() || *p == "." || *p == ".." {
            return Err("it has an empty, `.` or `..` component; names must stay inside the output directory".into());
        }
        if p.starts_with('.') {
            return Err(format!("its component `{p}` is hidden (starts with `.`), and hidden files are never written"));
        }
    }
    Ok(parts)
}

fn io_at(path: PathBuf) -> impl FnOnce(Errno) -> SetError {
    move |e| SetError::Io { path, error: e.into() }
}

const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

/// Opens `parts` one below the other from `base`, never through a link.
/// `create` makes missing directories; without it a missing one is `None`.
fn open_dirs(
    base: &OwnedFd,
    base_path: &Path,
    parts: &[&str],
    create: bool,
    name: &str,
) -> Result<Option<OwnedFd>, SetError> {
    let mut cur = rfs::openat(base, ".", DIR_FLAGS, RMode::empty()).map_err(io_at(base_path.to_path_buf()))?;
    let mut here = base_path.to_path_buf();
    for (i, p) in parts.iter().enumerate() {
        here.push(p);
        let next = match rfs::openat(&cur, *p, DIR_FLAGS, RMode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if create => {
                match rfs::mkdirat(&cur, *p, RMode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(io_at(here)(e)),
                }
                rfs::openat(&cur, *p, DIR_FLAGS, RMode::empty()).map_err(io_at(here.clone()))?
            }
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) | Err(Errno::NOTDIR) => {
                return Err(SetError::Refused {
                    name: name.to_owned(),
                    reason: format!(
                        "`{}` is a symbolic link or not a directory; scapc never writes through one",
                        parts[..=i].join("/")
                    ),
                })
            }
            Err(e) => return Err(io_at(here)(e)),
        };
        cur = next;
    }
    Ok(Some(cur))
}

/// A checked name's last component and its directories.
fn leaf_of<'a, 'b>(parts: &'a [&'b str], name: &str) -> Result<(&'a &'b str, &'a [&'b str]), SetError> {
    parts.split_last().ok_or_else(|| SetError::Refused { name: name.to_owned(), reason: "the name is empty".into() })
}

/// A directory scapc made went away while it wrote (someone removed it).
fn vanished(dir: &Path) -> SetError {
    SetError::Io {
        path: dir.to_path_buf(),
        error: io::Error::new(io::ErrorKind::NotFound, "a directory being written was removed by someone else"),
    }
}

/// True when the regular file `leaf` in `dir` holds exactly `data`.
/// Whether the file `leaf` of `size` bytes holds `data`: a file of another
/// size is not read at all, and one of the same size only up to its first
/// difference.
fn same_bytes(dir: &OwnedFd, leaf: &str, size: u64, data: &[u8]) -> bool {
    if size != data.len() as u64 {
        return false;
    }
    let Ok(fd) = rfs::openat(dir, leaf, OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC, RMode::empty()) else {
        return false;
    };
    let mut f = File::from(fd);
    let mut buf = vec![0u8; 1 << 16];
    let mut rest = data;
    loop {
        let n = match f.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        };
        if n == 0 {
            return rest.is_empty();
        }
        if n > rest.len() || buf[..n] != rest[..n] {
            return false;
        }
        rest = &rest[n..];
    }
}

fn write_into(tmp: &OwnedFd, tmp_path: &Path, f: FileRef<'_>, parts: &[&str]) -> Result<(), SetError> {
    let (leaf, parents) = leaf_of(parts, f.name)?;
    let d = open_dirs(tmp, tmp_path, parents, true, f.name)?.ok_or_else(|| vanished(tmp_path))?;
    let path = tmp_path.join(f.name);
    let fd = rfs::openat(
        &d,
        *leaf,
        OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        RMode::from_raw_mode(f.mode.bits()),
    )
    .map_err(io_at(path.clone()))?;
    let mut file = File::from(fd);
    file.write_all(f.data).map_err(|error| SetError::Io { path, error })
}

/// Sets larger than this are flushed with one `syncfs` rather than an
/// `fsync` per file (hundreds of fsyncs cost seconds).
const FSYNC_EACH_MAX: usize = 16;

/// Removes a temporary directory when dropped.
struct TmpDir(PathBuf);

impl Drop for TmpDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `files` under `dir`, all or nothing, in the order given: put a
/// file that lists the others (a manifest, a data stream) last. Returns
/// the paths written (unchanged files skipped with `skip_unchanged` are
/// not among them). On error nothing of the set is in place, except when
/// the final renames themselves fail midway (a full disk cannot cause that:
/// every byte is written and synced before the first rename).
pub fn write_set(dir: &Path, files: &[SetFile], opts: &SetOptions) -> Result<Vec<PathBuf>, SetError> {
    write_set_impl(dir, files, opts, true)
}

/// [`write_set`] without waiting for the bytes to reach the disk (no
/// `fsync`): each file still replaces the old one by a rename, so a reader
/// sees the old file or the new one, never part of one, but a crash of
/// the machine may lose the set. For outputs rewritten again and again
/// (`scapc build --watch`), where waiting for the disk is most of a write.
pub fn write_set_unsynced(dir: &Path, files: &[SetFile], opts: &SetOptions) -> Result<Vec<PathBuf>, SetError> {
    write_set_impl(dir, files, opts, false)
}

fn write_set_impl(dir: &Path, files: &[SetFile], opts: &SetOptions, durable: bool) -> Result<Vec<PathBuf>, SetError> {
    // Names are checked, and a name that is both a file and a directory
    // of the set refused, before anything is written.
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    for f in files {
        check_name(&f.name).map_err(|reason| SetError::Refused { name: f.name.clone(), reason })?;
        if !seen.insert(f.name.as_str()) {
            return Err(SetError::Refused { name: f.name.clone(), reason: "the set names it twice".into() });
        }
    }
    for f in files {
        let parts: Vec<&str> = f.name.split('/').collect();
        for i in 1..parts.len() {
            let prefix = parts[..i].join("/");
            if seen.contains(prefix.as_str()) {
                return Err(SetError::Refused {
                    name: f.name.clone(),
                    reason: format!("`{prefix}` is both a file and a directory of the set"),
                });
            }
        }
    }
    let staged = Staged::begin(dir, opts, durable)?;
    for f in files {
        staged.add(f.as_ref(), false)?;
    }
    staged.commit()
}

/// A set of files written one by one, from any number of threads, into a
/// temporary directory ([`Staged::add`]), and put in place all at once by
/// [`Staged::commit`]: a set can be written while its later files are
/// still being made. Dropped without a commit, nothing of it is in place.
/// [`write_set`] is a set staged at once.
pub struct Staged {
    /// The target directory (`.` for an empty path).
    shown: PathBuf,
    opts: SetOptions,
    durable: bool,
    into: Destination,
    tmp_path: PathBuf,
    tfd: OwnedFd,
    /// Removes the temporary directory unless the commit renamed it.
    guard: Option<TmpDir>,
    /// (name, whether it was written, whether it goes last), as added,
    /// and the names.
    added: std::sync::Mutex<(Vec<Added>, std::collections::HashSet<String>)>,
    /// An older scapc's temporaries left by killed runs, by name: removed
    /// when a file of that name is added.
    stale: std::sync::Mutex<Vec<(String, PathBuf)>>,
    /// The directories `begin` made for a new target directory, deepest
    /// first: removed again when the set is dropped without a commit.
    made: Vec<PathBuf>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(tmp) = self.guard.take() {
            drop(tmp);
            for d in &self.made {
                let _ = std::fs::remove_dir(d);
            }
        }
    }
}

/// A file added to a staged set: (name, whether it was written, whether
/// it goes last).
type Added = (String, bool, bool);

/// Where a staged set goes.
enum Destination {
    /// The target directory does not exist: the whole temporary directory,
    /// made beside it (in the directory `parent`), is renamed to `leaf`.
    NewDir { parent: OwnedFd, leaf: String },
    /// The target directory exists (`dir`): each file is moved in.
    Existing { dir: OwnedFd },
}

impl Staged {
    /// Starts a set for `dir` (made, with its parents, when missing), to be
    /// synced to the disk before it is put in place when `durable`.
    pub fn begin(dir: &Path, opts: &SetOptions, durable: bool) -> Result<Staged, SetError> {
        let shown = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        let (mut stale, mut made) = (Vec::new(), Vec::new());
        let (into, tmp_path, tfd) = if !shown.exists() {
            let leaf = shown.file_name().and_then(|n| n.to_str()).ok_or_else(|| SetError::Refused {
                name: shown.display().to_string(),
                reason: "the output directory's path does not end in a name".into(),
            })?;
            let parent = match shown.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            made = parent
                .ancestors()
                .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
                .map(Path::to_path_buf)
                .collect();
            std::fs::create_dir_all(parent).map_err(|error| SetError::Io { path: parent.to_path_buf(), error })?;
            sweep(parent, &[]);
            let pfd =
                rfs::openat(rfs::CWD, parent, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, RMode::empty())
                    .map_err(io_at(parent.to_path_buf()))?;
            let tmp_leaf = tmp_name(leaf);
            let tmp_path = parent.join(&tmp_leaf);
            rfs::mkdirat(&pfd, tmp_leaf.as_str(), RMode::from_raw_mode(0o777)).map_err(io_at(tmp_path.clone()))?;
            let tfd =
                rfs::openat(&pfd, tmp_leaf.as_str(), DIR_FLAGS, RMode::empty()).map_err(io_at(tmp_path.clone()))?;
            (Destination::NewDir { parent: pfd, leaf: leaf.to_owned() }, tmp_path, tfd)
        } else {
            // Killed runs' temporaries: ours now, an older scapc's when a
            // file of that name is added.
            sweep(shown, &[]);
            stale = stale_older(shown);
            let dfd =
                rfs::openat(rfs::CWD, shown, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, RMode::empty())
                    .map_err(io_at(shown.to_path_buf()))?;
            let tmp_leaf = tmp_name("set");
            let tmp_path = shown.join(&tmp_leaf);
            rfs::mkdirat(&dfd, tmp_leaf.as_str(), RMode::from_raw_mode(0o700)).map_err(io_at(tmp_path.clone()))?;
            let tfd =
                rfs::openat(&dfd, tmp_leaf.as_str(), DIR_FLAGS, RMode::empty()).map_err(io_at(tmp_path.clone()))?;
            (Destination::Existing { dir: dfd }, tmp_path, tfd)
        };
        Ok(Staged {
            shown: shown.to_path_buf(),
            opts: *opts,
            durable,
            into,
            guard: Some(TmpDir(tmp_path.clone())),
            tmp_path,
            tfd,
            added: std::sync::Mutex::default(),
            stale: std::sync::Mutex::new(stale),
            made,
        })
    }

    /// Writes `f` into the set (its target checked first: an existing
    /// directory, or an existing file without `overwrite`, is refused; an
    /// identical file with `skip_unchanged` is left alone). `last` files
    /// are put in place after all the others (a manifest, a data stream).
    pub fn add(&self, f: FileRef<'_>, last: bool) -> Result<(), SetError> {
        let parts = check_name(f.name).map_err(|reason| SetError::Refused { name: f.name.to_owned(), reason })?;
        let (leaf, parents) = leaf_of(&parts, f.name)?;
        self.stale.lock().unwrap_or_else(|e| e.into_inner()).retain(|(w, p)| {
            let gone = *w == parts[0];
            if gone {
                remove_any(p);
            }
            !gone
        });
        let mut write = true;
        if let Destination::Existing { dir } = &self.into {
            if let Some(pd) = open_dirs(dir, &self.shown, parents, false, f.name)? {
                match rfs::statat(&pd, *leaf, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) => {
                        let kind = FileType::from_raw_mode(st.st_mode);
                        if kind == FileType::Directory {
                            return Err(SetError::Refused {
                                name: f.name.to_owned(),
                                reason: "a directory of that name exists".into(),
                            });
                        }
                        if !self.opts.overwrite {
                            return Err(SetError::Refused {
                                name: f.name.to_owned(),
                                reason: format!(
                                    "{} already exists and this run did not write it (pass --force to replace it)",
                                    self.shown.join(f.name).display()
                                ),
                            });
                        }
                        write = !(self.opts.skip_unchanged
                            && kind == FileType::RegularFile
                            && same_bytes(&pd, leaf, st.st_size as u64, f.data));
                    }
                    Err(Errno::NOENT) => {}
                    Err(e) => return Err(io_at(self.shown.join(f.name))(e)),
                }
            }
        }
        {
            let mut added = self.added.lock().unwrap_or_else(|e| e.into_inner());
            if !added.1.insert(f.name.to_owned()) {
                return Err(SetError::Refused { name: f.name.to_owned(), reason: "the set names it twice".into() });
            }
            added.0.push((f.name.to_owned(), write, last));
        }
        if write {
            write_into(&self.tfd, &self.tmp_path, f, &parts)?;
        }
        Ok(())
    }

    /// Puts the set in place: every written file synced first (when
    /// durable), then moved in, those added `last` after the others, each
    /// in the order added. Returns the paths put in place.
    pub fn commit(mut self) -> Result<Vec<PathBuf>, SetError> {
        let (added, _) = std::mem::take(&mut *self.added.lock().unwrap_or_else(|e| e.into_inner()));
        let mut order: Vec<&Added> = added.iter().filter(|(_, _, last)| !last).collect();
        order.extend(added.iter().filter(|(_, _, last)| *last));
        let todo: Vec<&str> = order.iter().filter(|(_, w, _)| *w).map(|(n, _, _)| n.as_str()).collect();
        if self.durable {
            if todo.len() <= FSYNC_EACH_MAX {
                for n in &todo {
                    let f =
                        rfs::openat(&self.tfd, *n, OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC, RMode::empty())
                            .map_err(io_at(self.tmp_path.join(n)))?;
                    rfs::fsync(&f).map_err(io_at(self.tmp_path.join(n)))?;
                }
            } else {
                rfs::syncfs(&self.tfd).map_err(io_at(self.tmp_path.clone()))?;
            }
        }
        match &self.into {
            Destination::NewDir { parent, leaf } => {
                if self.durable {
                    let _ = rfs::fsync(&self.tfd);
                }
                let tmp_leaf = self.tmp_path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                let r = match rfs::renameat_with(
                    parent,
                    tmp_leaf.as_str(),
                    parent,
                    leaf.as_str(),
                    RenameFlags::NOREPLACE,
                ) {
                    Err(Errno::INVAL) | Err(Errno::NOSYS) => {
                        rfs::renameat(parent, tmp_leaf.as_str(), parent, leaf.as_str())
                    }
                    r => r,
                };
                r.map_err(io_at(self.shown.clone()))?;
                std::mem::forget(self.guard.take());
                if self.durable {
                    let _ = rfs::fsync(parent);
                }
                Ok(order.iter().map(|(n, _, _)| self.shown.join(n)).collect())
            }
            Destination::Existing { dir } => {
                let mut written = Vec::new();
                for name in todo {
                    let parts: Vec<&str> = name.split('/').collect();
                    let (_, parents) = leaf_of(&parts, name)?;
                    let pd = open_dirs(dir, &self.shown, parents, true, name)?.ok_or_else(|| vanished(&self.shown))?;
                    let from = open_dirs(&self.tfd, &self.tmp_path, parents, false, name)?
                        .ok_or_else(|| vanished(&self.tmp_path))?;
                    let target = self.shown.join(name);
                    put_in_place(&from, &pd, name, self.opts.overwrite, &target)?;
                    if self.durable {
                        let _ = rfs::fsync(&pd);
                    }
                    written.push(target);
                }
                if self.durable {
                    let _ = rfs::fsync(dir);
                }
                Ok(written)
            }
        }
    }
}

/// Moves `leaf` from the temporary directory `from` into `to`.
fn put_in_place(from: &OwnedFd, to: &OwnedFd, name: &str, overwrite: bool, target: &Path) -> Result<(), SetError> {
    let leaf = name.rsplit('/').next().unwrap_or(name);
    let r = if overwrite {
        // Swapped, not renamed over: ext4 flushes a file renamed over
        // another at once (auto_da_alloc), 20 ms for a build's data
        // stream and XCCDF, where the swap takes microseconds. The
        // replaced file is left in the temporary directory, removed
        // with it. Where there is nothing to swap with (or no
        // RENAME_EXCHANGE), a plain rename.
        match rfs::renameat_with(from, leaf, to, leaf, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(()),
            Err(_) => rfs::renameat(from, leaf, to, leaf),
        }
    } else {
        match rfs::renameat_with(from, leaf, to, leaf, RenameFlags::NOREPLACE) {
            Err(Errno::INVAL) | Err(Errno::NOSYS) => {
                // No RENAME_NOREPLACE here: the check in `add` stands.
                rfs::renameat(from, leaf, to, leaf)
            }
            Err(Errno::EXIST) => {
                return Err(SetError::Refused {
                    name: name.to_owned(),
                    reason: format!("{} appeared while writing; not replaced", target.display()),
                })
            }
            r => r,
        }
    };
    r.map_err(io_at(target.to_path_buf()))
}

/// What identifies a file: its canonical path and, when it exists, its
/// device and inode.
struct Ident {
    canon: PathBuf,
    inode: Option<(u64, u64)>,
}

/// Resolves directories once for many files in them.
#[derive(Default)]
struct Resolver {
    dirs: std::collections::HashMap<PathBuf, Option<PathBuf>>,
}

impl Resolver {
    fn ident(&mut self, p: &Path) -> Ident {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let meta = std::fs::metadata(&abs).ok();
        let inode = meta.as_ref().map(|m| (m.dev(), m.ino()));
        let resolved = if meta.is_some() { std::fs::canonicalize(&abs).ok() } else { None };
        let canon = resolved.unwrap_or_else(|| match (abs.parent(), abs.file_name()) {
            (Some(d), Some(n)) => {
                let dir = self.dirs.entry(d.to_path_buf()).or_insert_with(|| std::fs::canonicalize(d).ok());
                dir.as_ref().map(|c| c.join(n)).unwrap_or_else(|| abs.clone())
            }
            _ => abs.clone(),
        });
        Ident { canon, inode }
    }
}

/// Refuses an output that is one of the inputs or another output (by
/// canonical path, and by device and inode for existing files: links and
/// other spellings of a path are caught).
pub fn check_distinct(inputs: &[&Path], outputs: &[&Path]) -> Result<(), String> {
    let inodes: Vec<Option<(u64, u64)>> =
        inputs.iter().map(|p| std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))).collect();
    check_distinct_known(inputs, &inodes, outputs)
}

/// [`check_distinct`] with the device and inode of each input already
/// known (`None`: it does not exist), e.g. from a caller's cache of file
/// metadata.
pub fn check_distinct_known(inputs: &[&Path], inodes: &[Option<(u64, u64)>], outputs: &[&Path]) -> Result<(), String> {
    let mut r = Resolver::default();
    let mut by_path: std::collections::HashMap<PathBuf, usize> = std::collections::HashMap::new();
    let mut by_inode: std::collections::HashMap<(u64, u64), usize> = std::collections::HashMap::new();
    for (i, o) in outputs.iter().enumerate() {
        let id = r.ident(o);
        let earlier = by_path.get(&id.canon).or_else(|| id.inode.and_then(|n| by_inode.get(&n))).copied();
        if let Some(j) = earlier {
            return Err(format!(
                "the outputs {} and {} are the same file; give each output its own path",
                outputs[j].display(),
                o.display()
            ));
        }
        by_path.insert(id.canon, i);
        if let Some(n) = id.inode {
            by_inode.insert(n, i);
        }
    }
    for (input, inode) in inputs.iter().zip(inodes) {
        // An existing input is an output exactly when their inodes match
        // (one stat, no path resolution); a missing one by its path.
        let hit = match inode {
            Some(n) => by_inode.get(n).copied(),
            None => by_path.get(&r.ident(input).canon).copied(),
        };
        if let Some(i) = hit {
            return Err(format!(
                "the output {} is the input {}: writing it would destroy the input; choose another output path",
                outputs[i].display(),
                input.display()
            ));
        }
    }
    Ok(())
}

/// What a file is when it is not a regular file (`a directory`, `a FIFO`,
/// `a device`, `a socket`); `None` for a regular file.
pub fn not_regular(m: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let ft = m.file_type();
    if ft.is_file() {
        None
    } else if ft.is_dir() {
        Some("a directory")
    } else if ft.is_fifo() {
        Some("a FIFO")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("a device")
    } else if ft.is_socket() {
        Some("a socket")
    } else {
        Some("not a regular file")
    }
}

/// Checks that `path` is a regular file (following links), without
/// opening it: a FIFO or a device would block or never end.
pub fn regular_file(path: &Path) -> Result<(), String> {
    let m = std::fs::metadata(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    match not_regular(&m) {
        None => Ok(()),
        Some(what) => Err(format!("{} is {what}, not a regular file", path.display())),
    }
}

/// Resolves `path` (symbolic links included) and checks that it lies inside
/// `base` (also resolved) and is a regular file. Returns the resolved path.
/// `flag` names the option that lifts the restriction, for the message.
pub fn confine(base: &Path, path: &Path, flag: &str) -> Result<PathBuf, String> {
    let b = if base.as_os_str().is_empty() { Path::new(".") } else { base };
    let base_c = std::fs::canonicalize(b).map_err(|e| format!("{}: {e}", b.display()))?;
    let p = std::fs::canonicalize(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if !p.starts_with(&base_c) {
        return Err(format!(
            "{} resolves to {}, outside {}; only files inside it are read (pass {flag} to allow this)",
            path.display(),
            p.display(),
            base_c.display()
        ));
    }
    regular_file(&p)?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn set(names: &[&str]) -> Vec<SetFile> {
        names.iter().map(|n| SetFile { name: (*n).into(), data: n.as_bytes().to_vec(), mode: Mode::Public }).collect()
    }

    #[test]
    fn names_are_confined() {
        for bad in ["", "/etc/x", "../x", "a/../b", "a//b", ".bashrc", ".ssh/authorized_keys", "a/.git/x", "./a"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(check_name("a/b.sh").unwrap(), vec!["a", "b.sh"]);
    }

    #[test]
    fn new_dir_is_renamed_into_place_whole() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("out");
        let w = write_set(&d, &set(&["a.xml", "x/y/z.sh"]), &SetOptions::default()).unwrap();
        assert_eq!(w.len(), 2);
        assert_eq!(std::fs::read(d.join("x/y/z.sh")).unwrap(), b"x/y/z.sh");
        let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("out")]);
    }

    #[test]
    fn existing_files_symlinks_and_bad_names_write_nothing() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let elsewhere = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(elsewhere.path(), d.join("sub")).unwrap();
        let e = write_set(d, &set(&["ok.xml", "sub/dir/oval.xml"]), &SetOptions::default()).unwrap_err();
        assert!(e.to_string().contains("`sub` is a symbolic link"), "{e}");
        assert!(std::fs::read_dir(elsewhere.path()).unwrap().next().is_none());
        assert!(!d.join("ok.xml").exists());
        std::fs::write(d.join("old.xml"), "mine").unwrap();
        let e = write_set(d, &set(&["ok.xml", "old.xml"]), &SetOptions::default()).unwrap_err();
        assert!(e.to_string().contains("--force"), "{e}");
        assert_eq!(std::fs::read(d.join("old.xml")).unwrap(), b"mine");
        assert!(!d.join("ok.xml").exists());
        write_set(d, &set(&["ok.xml", "old.xml"]), &SetOptions { overwrite: true, skip_unchanged: false }).unwrap();
        assert_eq!(std::fs::read(d.join("old.xml")).unwrap(), b"old.xml");
        // Nothing temporary stays behind.
        assert!(std::fs::read_dir(d).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().starts_with('.')));
    }

    #[test]
    fn replacing_swaps_files_in_and_never_follows_a_symlink() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        let elsewhere = tempfile::tempdir().unwrap();
        let victim = elsewhere.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        std::fs::write(d.join("a.xml"), "old a").unwrap();
        std::os::unix::fs::symlink(&victim, d.join("b.xml")).unwrap();
        let how = SetOptions { overwrite: true, skip_unchanged: true };
        for write in [write_set, write_set_unsynced] {
            write(d, &set(&["a.xml", "b.xml", "c.xml"]), &how).unwrap();
            for n in ["a.xml", "b.xml", "c.xml"] {
                let m = std::fs::symlink_metadata(d.join(n)).unwrap();
                assert!(m.file_type().is_file(), "{n}");
                assert_eq!(std::fs::read(d.join(n)).unwrap(), n.as_bytes());
            }
            assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
            let mut left: Vec<_> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name()).collect();
            left.sort();
            assert_eq!(left, ["a.xml", "b.xml", "c.xml"].map(std::ffi::OsString::from));
            std::fs::write(d.join("a.xml"), "changed").unwrap();
        }
    }

    #[test]
    fn a_staged_set_is_in_place_only_once_committed() {
        let t = tempfile::tempdir().unwrap();
        for dir in [t.path().join("new/out"), t.path().to_path_buf()] {
            let how = SetOptions { overwrite: true, skip_unchanged: true };
            let files = set(&["a.xml", "b-ds.xml", "sub/c.sh", "d.xml"]);
            let listing = |d: &Path| -> Vec<String> {
                let mut v: Vec<String> = std::fs::read_dir(d)
                    .map(|rd| rd.map(|e| e.unwrap().file_name().into_string().unwrap()).collect())
                    .unwrap_or_default();
                v.sort();
                v
            };
            let before = listing(t.path());
            // Dropped without a commit: nothing in place, nothing left.
            let staged = Staged::begin(&dir, &how, false).unwrap();
            std::thread::scope(|s| {
                for f in &files {
                    let staged = &staged;
                    s.spawn(move || staged.add(f.as_ref(), f.name.ends_with("-ds.xml")).unwrap());
                }
            });
            drop(staged);
            assert_eq!(listing(t.path()), before);
            assert!(listing(&dir).iter().all(|n| !n.ends_with(".xml")), "{:?}", listing(&dir));
            // Added from several threads, committed: all in place.
            let staged = Staged::begin(&dir, &how, true).unwrap();
            std::thread::scope(|s| {
                for f in &files {
                    let staged = &staged;
                    s.spawn(move || staged.add(f.as_ref(), f.name.ends_with("-ds.xml")).unwrap());
                }
            });
            let e = staged.add(files[0].as_ref(), false).unwrap_err();
            assert!(e.to_string().contains("twice"), "{e}");
            let written = staged.commit().unwrap();
            assert_eq!(written.len(), 4);
            assert_eq!(written.last().unwrap(), &dir.join("b-ds.xml"), "data streams go last");
            for f in &files {
                assert_eq!(std::fs::read(dir.join(&f.name)).unwrap(), f.data);
            }
            assert!(listing(&dir).iter().all(|n| !n.starts_with('.')), "{:?}", listing(&dir));
        }
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_swept() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        // PID 4194304 is above Linux's pid_max: never alive.
        std::fs::create_dir(d.join(".scapc-tmp-4194304-1-set")).unwrap();
        std::fs::write(d.join(".scapc-tmp-4194304-1-set/big"), "x").unwrap();
        std::fs::write(d.join(".a.xml.tmp-4194304"), "x").unwrap();
        let live = format!(".scapc-tmp-{}-9-keep", std::process::id());
        std::fs::write(d.join(&live), "x").unwrap();
        write_set(d, &set(&["a.xml"]), &SetOptions::default()).unwrap();
        let mut left: Vec<String> =
            std::fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, vec![live, "a.xml".to_owned()]);
    }

    #[test]
    fn large_sets_are_synced_once_and_complete() {
        let t = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..40).map(|i| format!("d{}/f{i}.sh", i % 3)).collect();
        let files: Vec<SetFile> = names
            .iter()
            .map(|n| SetFile { name: n.clone(), data: n.as_bytes().to_vec(), mode: Mode::Executable })
            .collect();
        assert_eq!(write_set(t.path(), &files, &SetOptions::default()).unwrap().len(), 40);
        for n in &names {
            let p = t.path().join(n);
            assert_eq!(std::fs::read(&p).unwrap(), n.as_bytes());
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }

    #[test]
    fn private_files_are_created_private() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("r.xml");
        write_file(&p, b"secret", Mode::Private).unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn distinct_and_confined() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a.xml");
        std::fs::write(&a, "x").unwrap();
        let link = t.path().join("l.xml");
        std::os::unix::fs::symlink(&a, &link).unwrap();
        let hard = t.path().join("h.xml");
        std::fs::hard_link(&a, &hard).unwrap();
        assert!(check_distinct(&[&a], &[&link]).is_err());
        assert!(check_distinct(&[&a], &[&hard]).is_err());
        assert!(check_distinct(&[&a], &[&t.path().join("./a.xml")]).is_err());
        let n1 = t.path().join("new.xml");
        assert!(check_distinct(&[&a], &[&n1, &t.path().join("./new.xml")]).is_err());
        assert!(check_distinct(&[&a], &[&n1]).is_ok());
        assert!(confine(t.path(), &a, "--allow-outside").is_ok());
        assert!(confine(t.path(), Path::new("/etc/hostname"), "--allow-outside").unwrap_err().contains("outside"));
        std::os::unix::fs::symlink("/etc/hostname", t.path().join("out.xml")).unwrap();
        assert!(confine(t.path(), &t.path().join("out.xml"), "--allow-outside").is_err());
        assert!(confine(Path::new("/"), Path::new("/dev/zero"), "x").unwrap_err().contains("device"));
    }
}
