// libxml2 is a system library on every scapc machine (Debian: libxml2 and
// libxml2-dev). It is linked directly; the FFI in src/ffi.rs is
// hand-written, so no bindgen or libclang is needed.
fn main() {
    println!("cargo:rustc-link-lib=dylib=xml2");
    println!("cargo:rerun-if-changed=build.rs");
}
