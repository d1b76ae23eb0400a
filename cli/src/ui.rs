//! The options every subcommand shares and what they drive: how much is
//! said (`-q`, `-v`, `-vv`, `SCAPC_LOG`), colour (`--color`, `NO_COLOR`),
//! warnings (the one `warn!` that counts them for `--warnings-as-errors`),
//! and the content tree argument (`-C TREE` or a positional `TREE`).
//!
//! `main` calls [`init`] once after parsing; commands then ask [`quiet`],
//! [`level`] and [`color`]. Every warning a command prints goes through
//! [`warn!`] (or, for diagnostics, [`count_warnings`]), so [`finish`] can
//! turn a successful exit into 1 under `--warnings-as-errors`.

use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// When to colour output.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug, Default)]
pub enum ColorChoice {
    /// When the stream is a terminal and NO_COLOR is not set
    #[default]
    Auto,
    /// Always (even into a pipe or a file)
    Always,
    /// Never
    Never,
}

/// How much a command says on stderr, from `-q` to `-vv`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Level {
    /// `-q`: errors, warnings and the result only
    Quiet,
    /// the default: also progress and what was written
    Normal,
    /// `-v`: also what was read and chosen (files, profile, counts)
    Info,
    /// `-vv`: also per-item detail (each rule's messages, timings)
    Debug,
}

impl Level {
    /// `SCAPC_LOG`'s values: `quiet`, `normal`, `info`, `debug` (also
    /// `error`/`warn` for quiet and `trace` for debug, as other tools spell them).
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "quiet" | "error" | "warn" | "warning" | "off" => Some(Level::Quiet),
            "normal" | "" => Some(Level::Normal),
            "info" => Some(Level::Info),
            "debug" | "trace" => Some(Level::Debug),
            _ => None,
        }
    }
}

/// The options every subcommand takes (global: they may come before or
/// after the subcommand's name).
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalArgs {
    /// Print only errors, warnings and the result
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more: -v what was read and chosen, -vv per-item detail
    /// [default: $SCAPC_LOG (quiet, normal, info, debug), else normal]
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colour the output: auto (a terminal, and NO_COLOR unset), always, never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
    /// Exit 1 when anything was warned about (a command that succeeded
    /// otherwise); `validate` also reports warnings as errors
    #[arg(long, global = true)]
    pub warnings_as_errors: bool,
}

struct State {
    level: Level,
    color: ColorChoice,
    warnings_as_errors: bool,
}

static STATE: OnceLock<State> = OnceLock::new();
static WARNINGS: AtomicUsize = AtomicUsize::new(0);

/// Sets the shared options from the command line (and `SCAPC_LOG` when
/// neither `-q` nor `-v` is given). Returns an error for a `SCAPC_LOG`
/// that is not a level.
pub fn init(g: &GlobalArgs) -> Result<(), String> {
    let level = if g.quiet {
        Level::Quiet
    } else if g.verbose > 0 {
        if g.verbose == 1 {
            Level::Info
        } else {
            Level::Debug
        }
    } else {
        match std::env::var("SCAPC_LOG") {
            Ok(v) => Level::parse(&v)
                .ok_or_else(|| format!("SCAPC_LOG=`{v}` is not a level (quiet, normal, info, debug)"))?,
            Err(_) => Level::Normal,
        }
    };
    let _ = STATE.set(State { level, color: g.color, warnings_as_errors: g.warnings_as_errors });
    Ok(())
}

fn state() -> &'static State {
    STATE.get_or_init(|| State { level: Level::Normal, color: ColorChoice::Auto, warnings_as_errors: false })
}

/// The level in force.
pub fn level() -> Level {
    state().level
}

/// `-q` (or `SCAPC_LOG=quiet`).
pub fn quiet() -> bool {
    level() == Level::Quiet
}

/// `--warnings-as-errors`.
pub fn warnings_as_errors() -> bool {
    state().warnings_as_errors
}

/// Which stream a colour decision is for.
#[derive(Clone, Copy)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Whether to colour `stream`: `--color always`/`never`, else a terminal
/// with `NO_COLOR` unset or empty (<https://no-color.org>) and `TERM` not `dumb`.
pub fn color(stream: Stream) -> bool {
    match state().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let tty = match stream {
                Stream::Stdout => std::io::stdout().is_terminal(),
                Stream::Stderr => std::io::stderr().is_terminal(),
            };
            tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// The colour choice for clap's own help and errors, read from the raw
/// arguments before parsing (clap needs it before it parses).
pub fn clap_color(args: &[std::ffi::OsString]) -> clap::ColorChoice {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    let mut choice = None;
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix("--color=") {
            choice = Some(v.to_owned());
        } else if a == "--color" {
            choice = it.next().map(|v| v.into_owned());
        }
    }
    match choice.as_deref() {
        Some("always") => clap::ColorChoice::Always,
        Some("never") => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    }
}

/// SGR colours for [`paint`].
#[derive(Clone, Copy)]
pub enum Paint {
    Red,
    Green,
    Yellow,
    Magenta,
    Dim,
}

/// `text` in `p` when `on`, else `text` as it is.
pub fn paint(on: bool, p: Paint, text: &str) -> String {
    if !on {
        return text.to_owned();
    }
    let code = match p {
        Paint::Red => "31",
        Paint::Green => "32",
        Paint::Yellow => "33",
        Paint::Magenta => "35",
        Paint::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// Prints `warning: MSG` on stderr and counts it for `--warnings-as-errors`.
pub fn warn(msg: &str) {
    WARNINGS.fetch_add(1, Ordering::Relaxed);
    let head = paint(color(Stream::Stderr), Paint::Yellow, "warning");
    crate::out::write_err(&format!("{head}: {msg}\n"));
}

/// Counts warnings a command reported otherwise (diagnostics rendered in
/// any format).
pub fn count_warnings(n: usize) {
    WARNINGS.fetch_add(n, Ordering::Relaxed);
}

/// How many warnings were counted.
pub fn warnings() -> usize {
    WARNINGS.load(Ordering::Relaxed)
}

/// Prints a line on stderr at `at` or a more talkative level.
pub fn log(at: Level, msg: &str) {
    if level() >= at {
        let tag = if at >= Level::Debug { "debug" } else { "info" };
        let head = paint(color(Stream::Stderr), Paint::Dim, tag);
        crate::out::write_err(&format!("{head}: {msg}\n"));
    }
}

/// The exit status under `--warnings-as-errors`: a success with warnings
/// becomes 1.
pub fn finish(code: ExitCode) -> ExitCode {
    let n = warnings();
    if code == ExitCode::SUCCESS && n > 0 && warnings_as_errors() {
        crate::out::write_err(&format!("error: {n} warning(s), and --warnings-as-errors makes them errors\n"));
        return ExitCode::from(1);
    }
    code
}

/// `warning: ...` on stderr, counted for `--warnings-as-errors`.
macro_rules! warn {
    ($($t:tt)*) => { $crate::ui::warn(&format!($($t)*)) };
}

/// A line for `-v` (what was read and chosen).
macro_rules! info {
    ($($t:tt)*) => {
        if $crate::ui::level() >= $crate::ui::Level::Info {
            $crate::ui::log($crate::ui::Level::Info, &format!($($t)*))
        }
    };
}

/// A line for `-vv` (per-item detail).
macro_rules! debug {
    ($($t:tt)*) => {
        if $crate::ui::level() >= $crate::ui::Level::Debug {
            $crate::ui::log($crate::ui::Level::Debug, &format!($($t)*))
        }
    };
}

/// What was done (files written, counts), unless `-q`.
macro_rules! status {
    ($($t:tt)*) => {
        if !$crate::ui::quiet() {
            $crate::out::write_err(&format!("{}\n", format_args!($($t)*)))
        }
    };
}

/// The content tree a command reads: `-C TREE` (as git and make spell it)
/// or a positional `TREE`, either one, default the current directory.
#[derive(Args, Debug, Clone)]
pub struct TreeArg {
    /// The content tree (the directory holding products/, rules/, ...) [default: .]
    #[arg(value_name = "TREE", conflicts_with = "tree_opt")]
    tree_pos: Option<PathBuf>,
    /// The content tree, as an option (the same as the positional TREE)
    #[arg(short = 'C', long = "tree", value_name = "TREE", alias = "root")]
    tree_opt: Option<PathBuf>,
}

impl TreeArg {
    /// The tree named, else `.`.
    pub fn path(&self) -> PathBuf {
        self.tree_pos.clone().or_else(|| self.tree_opt.clone()).unwrap_or_else(|| PathBuf::from("."))
    }
}
