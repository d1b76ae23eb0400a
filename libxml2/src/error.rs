//! libxml2's errors, collected per thread while an [`ErrorCapture`] guard
//! lives.
//!
//! libxml2 reports errors through a structured handler that is global to
//! the calling thread (`xmlSetStructuredErrorFunc`) or set on a schema
//! context. Every handler this crate installs is [`collect`], which appends
//! to a thread-local list, so threads validating in parallel never see
//! each other's errors. The guard installs the handler when made and
//! resets it when dropped: on return, on early return with `?`, and while
//! a panic unwinds. Guards nest; the innermost one's drop leaves the
//! handler installed for the outer one, and the outermost one's drop sets
//! it back to libxml2's default (none).

use crate::ffi;
use std::cell::{Cell, RefCell};
use std::ffi::{c_char, c_void, CStr};
use std::marker::PhantomData;

/// One error or warning from libxml2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// 1-based; 0 when libxml2 gave none.
    pub line: u32,
    /// 1-based; 0 when libxml2 gave none.
    pub col: u32,
    /// libxml2's message, without the trailing newline.
    pub message: String,
    /// A warning rather than an error.
    pub warning: bool,
    /// The file libxml2 names (the schema file, for schema errors).
    pub file: Option<String>,
    /// libxml2's error code (`xmlParserErrors`), 0 for errors made here.
    pub code: i32,
}

impl XmlError {
    /// An error made by this crate, not by libxml2.
    pub(crate) fn new(message: impl Into<String>) -> XmlError {
        XmlError { line: 0, col: 0, message: message.into(), warning: false, file: None, code: 0 }
    }
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        f.write_str(&self.message)
    }
}

thread_local! {
    /// Errors reported on this thread since the outermost guard was made.
    static ERRORS: RefCell<Vec<XmlError>> = const { RefCell::new(Vec::new()) };
    /// How many guards live on this thread.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// The structured error handler given to libxml2. It never panics (a
/// panic cannot unwind through C): thread-local access and borrowing are
/// both fallible and an error that cannot be stored is dropped.
pub(crate) extern "C" fn collect(_user: *mut c_void, err: *const ffi::RawError) {
    if err.is_null() || DEPTH.try_with(Cell::get).unwrap_or(0) == 0 {
        return;
    }
    // SAFETY: libxml2 passes a pointer to an `xmlError` that stays valid for
    // the duration of this call; it was checked for null above.
    let e = unsafe { &*err };
    let text = |p: *const c_char| {
        if p.is_null() {
            None
        } else {
            // SAFETY: the non-null string fields of an `xmlError` are
            // NUL-terminated C strings owned by libxml2, alive during the call.
            Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        }
    };
    let error = XmlError {
        line: u32::try_from(e.line).unwrap_or(0),
        col: u32::try_from(e.int2).unwrap_or(0),
        message: text(e.message).unwrap_or_default().trim_end().to_owned(),
        warning: e.level == ffi::XML_ERR_WARNING,
        file: text(e.file),
        code: e.code,
    };
    let _ = ERRORS.try_with(|v| {
        if let Ok(mut v) = v.try_borrow_mut() {
            v.push(error);
        }
    });
}

/// While it lives, libxml2's errors on this thread are collected; dropping
/// it always resets libxml2's structured error handler (see the module
/// docs). It cannot be sent to another thread: the handler it manages is
/// the current thread's.
pub struct ErrorCapture {
    /// Where this guard's errors start in the thread's list.
    start: usize,
    _thread_bound: PhantomData<*const ()>,
}

impl ErrorCapture {
    /// Installs the collecting handler on this thread.
    pub fn start() -> ErrorCapture {
        crate::init();
        let outer = DEPTH.with(|d| {
            let n = d.get();
            d.set(n + 1);
            n
        });
        if outer == 0 {
            ERRORS.with(|v| v.borrow_mut().clear());
        }
        // SAFETY: `collect` matches `xmlStructuredErrorFunc`, ignores its
        // user pointer (null here) and never unwinds; the handler is
        // per-thread, and `Drop` resets it on this same thread.
        unsafe { ffi::xmlSetStructuredErrorFunc(std::ptr::null_mut(), Some(collect)) };
        let start = ERRORS.with(|v| v.borrow().len());
        ErrorCapture { start, _thread_bound: PhantomData }
    }

    /// Takes the errors reported since this guard was made (or since the
    /// last `take`).
    pub fn take(&mut self) -> Vec<XmlError> {
        ERRORS.with(|v| {
            let mut v = v.borrow_mut();
            let at = self.start.min(v.len());
            v.split_off(at)
        })
    }
}

impl Drop for ErrorCapture {
    fn drop(&mut self) {
        let remaining = DEPTH
            .try_with(|d| {
                let n = d.get().saturating_sub(1);
                d.set(n);
                n
            })
            .unwrap_or(0);
        let handler: Option<ffi::StructuredErrorFunc> = if remaining == 0 { None } else { Some(collect) };
        // SAFETY: setting the calling thread's handler is always allowed;
        // `None` restores libxml2's default, `Some(collect)` keeps the outer
        // guard's handler (see `start`).
        unsafe { ffi::xmlSetStructuredErrorFunc(std::ptr::null_mut(), handler) };
        let _ = ERRORS.try_with(|v| {
            if let Ok(mut v) = v.try_borrow_mut() {
                if remaining == 0 {
                    *v = Vec::new();
                } else {
                    v.truncate(self.start);
                }
            }
        });
    }
}

/// Whether a structured error handler is installed on the calling thread:
/// false whenever no [`ErrorCapture`] lives on it (for tests and
/// assertions).
pub fn structured_handler_installed() -> bool {
    crate::init();
    // SAFETY: `__xmlStructuredError` returns a valid pointer to this
    // thread's handler slot, which is only read here.
    unsafe { (*ffi::__xmlStructuredError()).is_some() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_reset_the_handler_and_nest() {
        assert!(!structured_handler_installed());
        {
            let mut outer = ErrorCapture::start();
            assert!(structured_handler_installed());
            {
                let mut inner = ErrorCapture::start();
                // `parse` nests a third guard, which takes its own errors.
                let e = crate::Document::parse(b"<a>", "inner.xml", crate::Limits::Default).err().unwrap();
                assert!(e.iter().all(|e| e.file.as_deref() == Some("inner.xml")) && !e.is_empty(), "{e:?}");
                assert!(structured_handler_installed());
                assert!(inner.take().is_empty());
            }
            assert!(structured_handler_installed(), "the outer guard still collects");
            assert!(outer.take().is_empty(), "the inner guard's errors were its own");
        }
        assert!(!structured_handler_installed());
    }

    #[test]
    fn a_panic_resets_the_handler() {
        let r = std::panic::catch_unwind(|| {
            let _g = ErrorCapture::start();
            assert!(structured_handler_installed());
            panic!("while collecting");
        });
        assert!(r.is_err());
        assert!(!structured_handler_installed());
        assert_eq!(DEPTH.with(Cell::get), 0);
    }

    #[test]
    fn errors_stay_on_their_thread() {
        let threads: Vec<_> = (0..8)
            .map(|i| {
                std::thread::spawn(move || {
                    let mut all = Vec::new();
                    for _ in 0..50 {
                        let name = format!("t{i}.xml");
                        let e = crate::Document::parse(format!("<t{i}>").as_bytes(), &name, crate::Limits::Default)
                            .err()
                            .unwrap();
                        all.extend(e);
                    }
                    assert!(!structured_handler_installed());
                    (i, all)
                })
            })
            .collect();
        for t in threads {
            let (i, errs) = t.join().unwrap();
            assert!(!errs.is_empty());
            for e in errs {
                assert_eq!(e.file.as_deref(), Some(format!("t{i}.xml").as_str()), "{e:?}");
            }
        }
    }
}
