// libxml2 (Debian: libxml2 and libxml2-dev) evaluates XPath for the
// xmlfilecontent probe. The FFI in src/probes/xpath.rs is hand-written, so
// no bindgen or libclang is needed.
fn main() {
    println!("cargo:rustc-link-lib=dylib=xml2");
    println!("cargo:rerun-if-changed=build.rs");
}
