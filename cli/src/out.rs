//! Standard output for every command, without panics.
//!
//! `println!` panics when stdout fails (a closed pipe, a full disk). Every
//! command prints through [`write_str`] (or the [`outln!`] and [`out!`]
//! macros) instead: the first error is kept and later output dropped, and
//! [`finish`] turns it into the exit status at the end of `main`. A closed
//! pipe (EPIPE; Rust ignores SIGPIPE) ends quietly with the command's own
//! status, as `head` expects; any other error (ENOSPC on `> /dev/full`) is
//! reported and the status is 1. Messages go to stderr through [`write_err`]
//! (the [`errln!`] and [`err!`] macros), which never panics either.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::Mutex;

static FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

fn record(e: io::Error) {
    let mut f = FAILED.lock().unwrap_or_else(|p| p.into_inner());
    if f.is_none() {
        *f = Some(e);
    }
}

fn failed() -> bool {
    FAILED.lock().unwrap_or_else(|p| p.into_inner()).is_some()
}

/// Writes bytes to stdout; after a failure, nothing more is written.
pub fn write_bytes(b: &[u8]) {
    if failed() {
        return;
    }
    if let Err(e) = io::stdout().lock().write_all(b) {
        record(e);
    }
}

/// Writes text to stdout; after a failure, nothing more is written.
pub fn write_str(s: &str) {
    write_bytes(s.as_bytes());
}

/// Writes text to stderr. A failure (stderr closed or full) is ignored:
/// there is nowhere left to report it, and the exit status still tells.
pub fn write_err(s: &str) {
    let _ = io::stderr().lock().write_all(s.as_bytes());
}

/// `eprint!` that does not panic.
macro_rules! err {
    ($($t:tt)*) => { $crate::out::write_err(&format!($($t)*)) };
}

/// `eprintln!` that does not panic.
macro_rules! errln {
    () => { $crate::out::write_err("\n") };
    ($($t:tt)*) => { $crate::out::write_err(&format!("{}\n", format_args!($($t)*))) };
}

/// `print!` that does not panic.
macro_rules! out {
    ($($t:tt)*) => { $crate::out::write_str(&format!($($t)*)) };
}

/// `println!` that does not panic.
macro_rules! outln {
    () => { $crate::out::write_str("\n") };
    ($($t:tt)*) => { $crate::out::write_str(&format!("{}\n", format_args!($($t)*))) };
}

/// Flushes stdout and returns the exit status: `code` unless writing
/// failed with anything but a closed pipe.
pub fn finish(code: ExitCode) -> ExitCode {
    if !failed() {
        if let Err(e) = io::stdout().lock().flush() {
            record(e);
        }
    }
    let f = FAILED.lock().unwrap_or_else(|p| p.into_inner());
    match f.as_ref() {
        None => code,
        Some(e) if e.kind() == io::ErrorKind::BrokenPipe => code,
        Some(e) => {
            write_err(&format!("error: cannot write to standard output: {e}\n"));
            ExitCode::from(1)
        }
    }
}
