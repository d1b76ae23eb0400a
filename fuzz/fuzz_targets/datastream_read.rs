//! Fuzz target `datastream_read`: the streaming data stream reader of
//! scapc-datastream, then everything that works on what it read in memory:
//! the split plan and files, the manifest, and the info summary.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scapc_datastream::{info, manifest, read, split};

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(c) = read::read(src) else { return };
    for comp in &c.components {
        let _ = c.content(comp);
        let _ = c.component(&comp.id);
    }
    let names = split::names(&c);
    if let Ok(files) = split::split(&c, None) {
        for f in &files {
            assert!(split::safe_name(&f.name).is_ok(), "split planned an unsafe name {:?}", f.name);
        }
    }
    if let Some(first) = c.components.first() {
        let _ = split::split(&c, Some(&first.id));
    }
    let _ = manifest::write(&c, &names);
    let i = info::info(&c);
    let _ = info::render_text(&i);
});
