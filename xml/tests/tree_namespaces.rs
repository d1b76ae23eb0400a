//! The tree's namespace interning: a prefix rebound in a nested scope, the
//! default namespace changing, attributes with and without a prefix, and
//! elements alternating between namespaces all resolve to the namespace in
//! scope (the reader keeps the last namespace it found, and must not reuse
//! it where another one applies).

use scapc_xml::tree::Tree;

#[test]
fn rebound_prefixes_and_default_namespaces_resolve_in_scope() {
    let src = r#"<a:r xmlns:a="urn:1" xmlns:b="urn:b">
  <a:x a:k="1" k="2"/>
  <a:y xmlns:a="urn:2"><a:z/><b:e/><a:z2/></a:y>
  <a:w/>
  <q xmlns="urn:3" b:k="3"><inner/><a:back/></q>
  <plain/>
</a:r>"#;
    let t = Tree::parse(src).unwrap();
    let find = |local: &str| (0..t.nodes.len() as u32).find(|&n| t.local(n) == local).unwrap();
    let expect = [
        ("r", "urn:1"),
        ("x", "urn:1"),
        ("y", "urn:2"),
        ("z", "urn:2"),
        ("e", "urn:b"),
        ("z2", "urn:2"),
        ("w", "urn:1"),
        ("q", "urn:3"),
        ("inner", "urn:3"),
        ("back", "urn:1"),
        ("plain", ""),
    ];
    for (local, ns) in expect {
        assert_eq!(t.ns(find(local)), ns, "namespace of <{local}>");
    }
    let x = find("x");
    assert_eq!(t.attr(x, "k"), Some("2"));
    assert_eq!(t.attr_ns(x, "urn:1", "k"), Some("1"));
    assert_eq!(t.attr_ns(find("q"), "urn:b", "k"), Some("3"));
    assert_eq!(t.all("urn:2", "z").len(), 1);
    assert_eq!(t.all("urn:1", "z").len(), 0);
}

#[test]
fn an_undeclared_prefix_is_still_an_error_after_a_rebinding_ends() {
    let e = Tree::parse(r#"<r><p:a xmlns:p="urn:p"/><p:b/></r>"#).unwrap_err();
    assert!(e.message.contains("prefix `p`"), "{e:?}");
    let e = Tree::parse(r#"<r xmlns:p="urn:p"><x p:k="1" q:k="2"/></r>"#).unwrap_err();
    assert!(e.message.contains("prefix `q`"), "{e:?}");
}
