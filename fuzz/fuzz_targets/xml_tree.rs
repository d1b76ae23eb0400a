//! Fuzz target `xml_tree`: scapc-xml's two readers, the small DOM
//! (`scapc_xml::parse`) and the namespace-aware arena tree
//! (`scapc_xml::tree::Tree`), and the DOM writer. Whatever the DOM reads,
//! its serialization must read again and serialize to the same text.
//! (`write_pretty` is left out: it indents each line by its depth, so its
//! output grows with the square of the nesting, by design, and it only
//! writes the compiler's own fragments.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use scapc_xml::tree::Tree;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(root) = scapc_xml::parse(src) {
        let out = root.to_xml();
        let again =
            scapc_xml::parse(&out).unwrap_or_else(|e| panic!("the writer's output does not read back: {e:?}\n{out}"));
        assert_eq!(again.to_xml(), out, "writing is not stable across a read");
        let _ = root.inner_xml();
        let _ = root.text();
        root.walk(&mut |e| {
            let _ = (e.local_name(), e.prefix());
        });
    }
    let _ = scapc_xml::line_col(src, data.len() / 2);
    if let Ok(t) = Tree::parse(src) {
        // `path` walks up to the root: a few thousand nodes are enough.
        for id in 0..t.nodes.len().min(4096) as u32 {
            let _ = t.path(id);
            let _ = t.pos(id);
            let _ = t.text(id);
            let _ = t.parent(id);
            let _ = t.subtree_end(id);
            let ns = t.ns(id).to_owned();
            let local = t.local(id).to_owned();
            let _ = t.all(&ns, &local);
            let _ = t.all_in(t.root(), &ns, &local);
            let _ = t.child(id, &ns, &local);
        }
    }
});
