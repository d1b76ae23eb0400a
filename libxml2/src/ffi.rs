//! The raw libxml2 declarations: the only `extern "C"` block for libxml2
//! in scapc. Written by hand from libxml2 2.9's public headers
//! (`xmlerror.h`, `parser.h`, `xmlschemas.h`, `xpath.h`, `globals.h`);
//! only what the safe modules of this crate call is declared. Nothing here
//! is public outside the crate.

use std::ffi::{c_char, c_double, c_int, c_void};

/// `xmlError` (xmlerror.h), passed to structured error handlers.
#[repr(C)]
pub(crate) struct RawError {
    pub domain: c_int,
    pub code: c_int,
    pub message: *const c_char,
    pub level: c_int,
    pub file: *const c_char,
    pub line: c_int,
    pub str1: *const c_char,
    pub str2: *const c_char,
    pub str3: *const c_char,
    pub int1: c_int,
    /// The column, when known.
    pub int2: c_int,
    pub ctxt: *mut c_void,
    pub node: *mut c_void,
}

/// The public head of `xmlXPathObject` (xpath.h).
#[repr(C)]
pub(crate) struct XPathObject {
    pub kind: c_int,
    pub nodesetval: *mut NodeSet,
    pub boolval: c_int,
    pub floatval: c_double,
    pub stringval: *mut c_char,
}

/// `xmlNodeSet` (xpath.h).
#[repr(C)]
pub(crate) struct NodeSet {
    pub node_nr: c_int,
    pub node_max: c_int,
    pub node_tab: *mut *mut NodeHead,
}

/// The first two fields of `xmlNode`, `xmlAttr` and `xmlNs`: the second is
/// the node type in all three.
#[repr(C)]
pub(crate) struct NodeHead {
    pub private: *mut c_void,
    pub kind: c_int,
}

/// The first fields of `xmlNode`, which `xmlDtd` shares: enough to walk
/// a DTD's declarations.
#[repr(C)]
pub(crate) struct NodeLinks {
    pub private: *mut c_void,
    pub kind: c_int,
    pub name: *const c_char,
    pub children: *mut NodeLinks,
    pub last: *mut NodeLinks,
    pub parent: *mut NodeLinks,
    pub next: *mut NodeLinks,
}

/// The first fields of `xmlParserInput` (parser.h), unchanged since
/// libxml2 2.0: the loader sets `filename`, which libxml2 frees with the
/// input and uses as the loaded document's URL (the base of its relative
/// imports).
#[repr(C)]
pub(crate) struct ParserInputHead {
    pub buf: *mut c_void,
    pub filename: *const c_char,
}

/// `xmlInputReadCallback`: up to `len` bytes into `buf`; the count, 0 at
/// the end, -1 on error.
pub(crate) type InputReadFunc = unsafe extern "C" fn(ctx: *mut c_void, buf: *mut c_char, len: c_int) -> c_int;
/// `xmlInputCloseCallback`: 0 on success.
pub(crate) type InputCloseFunc = unsafe extern "C" fn(ctx: *mut c_void) -> c_int;
/// `xmlStructuredErrorFunc`. The callbacks given to libxml2 never unwind.
pub(crate) type StructuredErrorFunc = extern "C" fn(user: *mut c_void, err: *const RawError);
/// `xmlExternalEntityLoader`.
pub(crate) type ExternalEntityLoader = unsafe extern "C" fn(*const c_char, *const c_char, *mut c_void) -> *mut c_void;
/// `xmlFreeFunc`.
pub(crate) type FreeFunc = unsafe extern "C" fn(*mut c_void);

#[allow(non_snake_case, non_upper_case_globals)]
extern "C" {
    // Library set-up and global state.
    pub(crate) fn xmlInitParser();
    /// The allocation functions libxml2 uses from now on (before any other
    /// call); 0 on success.
    pub(crate) fn xmlMemSetup(
        free: FreeFunc,
        malloc: unsafe extern "C" fn(usize) -> *mut c_void,
        realloc: unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void,
        strdup: unsafe extern "C" fn(*const c_char) -> *mut c_char,
    ) -> c_int;
    pub(crate) fn xmlSetExternalEntityLoader(f: ExternalEntityLoader);
    pub(crate) fn xmlNoNetExternalEntityLoader(url: *const c_char, id: *const c_char, ctxt: *mut c_void)
        -> *mut c_void;
    pub(crate) fn xmlSetStructuredErrorFunc(user: *mut c_void, f: Option<StructuredErrorFunc>);
    /// The calling thread's structured handler (libxml2 keeps one per
    /// thread when built with threads, as Debian's is).
    pub(crate) fn __xmlStructuredError() -> *mut Option<StructuredErrorFunc>;
    pub(crate) static xmlFree: FreeFunc;

    // Documents.
    pub(crate) fn xmlReadMemory(
        buf: *const c_char,
        size: c_int,
        url: *const c_char,
        encoding: *const c_char,
        options: c_int,
    ) -> *mut c_void;
    pub(crate) fn xmlFreeDoc(doc: *mut c_void);
    pub(crate) fn xmlNodeGetContent(node: *mut NodeHead) -> *mut c_char;
    pub(crate) fn xmlGetIntSubset(doc: *const c_void) -> *mut NodeLinks;

    // XML Schema.
    pub(crate) fn xmlSchemaNewParserCtxt(url: *const c_char) -> *mut c_void;
    pub(crate) fn xmlSchemaSetParserStructuredErrors(ctxt: *mut c_void, f: StructuredErrorFunc, user: *mut c_void);
    pub(crate) fn xmlSchemaParse(ctxt: *mut c_void) -> *mut c_void;
    pub(crate) fn xmlSchemaFreeParserCtxt(ctxt: *mut c_void);
    pub(crate) fn xmlSchemaFree(schema: *mut c_void);
    pub(crate) fn xmlSchemaNewValidCtxt(schema: *mut c_void) -> *mut c_void;
    pub(crate) fn xmlSchemaSetValidStructuredErrors(ctxt: *mut c_void, f: StructuredErrorFunc, user: *mut c_void);
    pub(crate) fn xmlSchemaValidateDoc(ctxt: *mut c_void, doc: *mut c_void) -> c_int;
    /// Parses `input` with SAX and validates as it goes, building no tree;
    /// takes ownership of `input` (freed with its parser context).
    pub(crate) fn xmlSchemaValidateStream(
        ctxt: *mut c_void,
        input: *mut c_void,
        enc: c_int,
        sax: *mut c_void,
        user: *mut c_void,
    ) -> c_int;
    /// An input buffer holding a copy of `size` bytes at `mem`.
    pub(crate) fn xmlParserInputBufferCreateMem(mem: *const c_char, size: c_int, enc: c_int) -> *mut c_void;
    /// An input buffer that pulls its bytes through `read` (called with
    /// `ctx`), and calls `close` with `ctx` when it is freed.
    pub(crate) fn xmlParserInputBufferCreateIO(
        read: InputReadFunc,
        close: InputCloseFunc,
        ctx: *mut c_void,
        enc: c_int,
    ) -> *mut c_void;
    pub(crate) fn xmlSchemaFreeValidCtxt(ctxt: *mut c_void);

    // Parser inputs (for the schema overlay's entity loader).
    /// A parser input reading `buf`, which it then owns; null on failure
    /// (`buf` is then still the caller's).
    pub(crate) fn xmlNewIOInputStream(ctxt: *mut c_void, buf: *mut c_void, enc: c_int) -> *mut ParserInputHead;
    pub(crate) fn xmlFreeParserInputBuffer(buf: *mut c_void);
    /// A copy of a NUL-terminated string, allocated by libxml2's allocator.
    pub(crate) fn xmlStrdup(s: *const c_char) -> *mut c_char;

    // XPath.
    pub(crate) fn xmlXPathNewContext(doc: *mut c_void) -> *mut c_void;
    pub(crate) fn xmlXPathFreeContext(ctx: *mut c_void);
    pub(crate) fn xmlXPathEvalExpression(expr: *const c_char, ctx: *mut c_void) -> *mut XPathObject;
    pub(crate) fn xmlXPathFreeObject(obj: *mut XPathObject);
    pub(crate) fn xmlXPathCastToBoolean(obj: *mut XPathObject) -> c_int;
    pub(crate) fn xmlXPathCastToNumber(obj: *mut XPathObject) -> c_double;
    pub(crate) fn xmlXPathCastToString(obj: *mut XPathObject) -> *mut c_char;
}

/// `XML_CHAR_ENCODING_NONE` (encoding.h): detect the encoding.
pub(crate) const XML_CHAR_ENCODING_NONE: c_int = 0;
/// `XML_CHAR_ENCODING_UTF8` (encoding.h).
pub(crate) const XML_CHAR_ENCODING_UTF8: c_int = 1;

// Parser options (parser.h, `xmlParserOption`).
pub(crate) const XML_PARSE_NOERROR: c_int = 1 << 5;
pub(crate) const XML_PARSE_NOWARNING: c_int = 1 << 6;
pub(crate) const XML_PARSE_NONET: c_int = 1 << 11;
pub(crate) const XML_PARSE_HUGE: c_int = 1 << 19;
pub(crate) const XML_PARSE_BIG_LINES: c_int = 1 << 22;

/// `XML_ERR_WARNING` (xmlerror.h, `xmlErrorLevel`).
pub(crate) const XML_ERR_WARNING: c_int = 1;

// `xmlXPathObjectType` (xpath.h).
pub(crate) const XPATH_NODESET: c_int = 1;
pub(crate) const XPATH_BOOLEAN: c_int = 2;
pub(crate) const XPATH_NUMBER: c_int = 3;
pub(crate) const XPATH_STRING: c_int = 4;

// `xmlElementType` (tree.h).
pub(crate) const XML_ATTRIBUTE_NODE: c_int = 2;
pub(crate) const XML_TEXT_NODE: c_int = 3;
pub(crate) const XML_ENTITY_DECL: c_int = 17;
