//! Times XSD validation of one file: `cargo run --release --example xsd_time -- SCHEMA FILE`.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let t0 = std::time::Instant::now();
    let s = scapc_validator::xsd::Schema::load(std::path::Path::new(&a[1])).expect("schema");
    let t1 = std::time::Instant::now();
    let text = std::fs::read_to_string(&a[2]).unwrap();
    let errs = s.validate(&text, &a[2]);
    let t2 = std::time::Instant::now();
    println!("schema {:?} validate {:?} -> {:?}", t1 - t0, t2 - t1, errs.map(|e| e.len()));
}
