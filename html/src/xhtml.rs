//! XCCDF prose to safe HTML: the XHTML of a description, rationale,
//! warning or fix text, copied element by element from the source bytes
//! (so `<tt>`, `<pre>`, `<code>`, lists, tables and links keep their
//! meaning), with `xccdf:sub` replaced by the Value it names (or the
//! title of the item it names) and `xccdf:instance` shown as a variable.
//!
//! Only a fixed set of presentational elements and attributes is kept;
//! links keep only `http`, `https` and `mailto` targets; `script`,
//! `style` and the like are dropped with their content; everything else
//! keeps its text. Input that is not well-formed yields the text read so
//! far, never a panic.

use quick_xml::events::Event;
use quick_xml::Reader;
use scapc_xml::escape_text;

/// What a `<sub idref>` becomes: the Value's text for the profile, or a
/// title. `None` leaves the id, marked as unresolved.
pub trait Subst {
    fn sub(&self, idref: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> Subst for F {
    fn sub(&self, idref: &str) -> Option<String> {
        self(idref)
    }
}

const KEEP: &[&str] = &[
    "p",
    "br",
    "pre",
    "code",
    "tt",
    "kbd",
    "samp",
    "var",
    "em",
    "strong",
    "b",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "span",
    "div",
    "abbr",
    "a",
    "small",
    "sup",
    "caption",
];
const DROP: &[&str] =
    &["script", "style", "iframe", "object", "embed", "form", "input", "button", "textarea", "select"];
const VOID: &[&str] = &["br", "hr"];

fn local(name: &[u8]) -> String {
    let n = String::from_utf8_lossy(name);
    n.rsplit(':').next().unwrap_or("").to_ascii_lowercase()
}

fn esc_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

fn safe_href(h: &str) -> bool {
    let l = h.trim().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("mailto:")
}

fn entity(name: &str) -> String {
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        n => n.strip_prefix('#').and_then(|num| {
            let v = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                Some(h) => u32::from_str_radix(h, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(v)
        }),
    };
    c.map(String::from).unwrap_or_default()
}

/// The inside of `raw` (one element, start tag to end tag) as safe HTML.
pub fn html(raw: &str, subs: &dyn Subst) -> String {
    walk(raw, subs, true)
}

/// The text inside `raw`, subs replaced, tags removed (fix scripts).
pub fn text(raw: &str, subs: &dyn Subst) -> String {
    walk(raw, subs, false)
}

fn walk(raw: &str, subs: &dyn Subst, markup: bool) -> String {
    // Skip the element's own start tag: its content is what is rendered.
    let mut r = Reader::from_str(raw);
    let start = loop {
        match r.read_event() {
            Ok(Event::Start(_)) => break r.buffer_position() as usize,
            Ok(Event::Empty(_) | Event::Eof) | Err(_) => return String::new(),
            Ok(_) => {}
        }
    };
    walk_inner(raw.get(start..).unwrap_or(""), subs, markup, &mut None, &mut Vec::new())
}

fn walk_inner(
    inner: &str,
    subs: &dyn Subst,
    markup: bool,
    dropping: &mut Option<usize>,
    open: &mut Vec<Option<String>>,
) -> String {
    let mut r = Reader::from_str(inner);
    r.config_mut().trim_text(false);
    r.config_mut().check_end_names = false;
    let mut out = String::new();
    loop {
        let ev = match r.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = local(e.name().as_ref());
                if dropping.is_some() {
                    if !empty {
                        open.push(None);
                    }
                    continue;
                }
                let attr = |k: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| local(a.key.as_ref()) == k)
                        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                };
                if name == "sub" && attr("idref").is_some() {
                    let idref = attr("idref").unwrap_or_default();
                    match subs.sub(&idref) {
                        Some(v) if markup => out.push_str(&format!("<span class=\"value\">{}</span>", escape_text(&v))),
                        Some(v) => out.push_str(&v),
                        None if markup => out.push_str(&format!(
                            "<span class=\"unresolved\" title=\"no such Value in the benchmark\">{}</span>",
                            escape_text(idref.rsplit("_value_").next().unwrap_or(&idref))
                        )),
                        None => out.push_str(idref.rsplit("_value_").next().unwrap_or(&idref)),
                    }
                    if !empty {
                        open.push(None);
                    }
                    continue;
                }
                if name == "instance" {
                    let ctx = attr("context").unwrap_or_else(|| "undefined".into());
                    if markup {
                        out.push_str(&format!("<var>{}</var>", escape_text(&ctx)));
                    } else {
                        out.push_str(&format!("${{{ctx}}}"));
                    }
                    if !empty {
                        open.push(None);
                    }
                    continue;
                }
                if DROP.contains(&name.as_str()) {
                    if !empty {
                        *dropping = Some(open.len());
                        open.push(None);
                    }
                    continue;
                }
                if !markup || !KEEP.contains(&name.as_str()) {
                    if !empty {
                        open.push(None);
                    }
                    if !markup && matches!(name.as_str(), "br" | "p" | "li") && !out.ends_with('\n') && !out.is_empty()
                    {
                        out.push('\n');
                    }
                    continue;
                }
                out.push('<');
                out.push_str(&name);
                if name == "a" {
                    if let Some(h) = attr("href").filter(|h| safe_href(h)) {
                        out.push_str(&format!(" href=\"{}\" rel=\"noopener noreferrer\"", esc_attr(&h)));
                    }
                }
                for k in ["title", "colspan", "rowspan"] {
                    if let Some(v) = attr(k) {
                        out.push_str(&format!(" {k}=\"{}\"", esc_attr(&v)));
                    }
                }
                out.push('>');
                if empty {
                    if !VOID.contains(&name.as_str()) {
                        out.push_str(&format!("</{name}>"));
                    }
                } else {
                    open.push(Some(name));
                }
            }
            Event::End(_) => {
                let Some(top) = open.pop() else { break };
                if let Some(d) = *dropping {
                    if open.len() == d {
                        *dropping = None;
                    }
                    continue;
                }
                if let Some(name) = top {
                    if !VOID.contains(&name.as_str()) {
                        out.push_str(&format!("</{name}>"));
                    }
                }
            }
            Event::Text(t) if dropping.is_none() => {
                let s = t.decode().map(|c| c.into_owned()).unwrap_or_default();
                if markup {
                    out.push_str(&escape_text(&s));
                } else {
                    out.push_str(&s);
                }
            }
            Event::CData(t) if dropping.is_none() => {
                let s = String::from_utf8_lossy(&t.into_inner()).into_owned();
                if markup {
                    out.push_str(&escape_text(&s));
                } else {
                    out.push_str(&s);
                }
            }
            Event::GeneralRef(g) if dropping.is_none() => {
                let s = entity(&g.decode().map(|c| c.into_owned()).unwrap_or_default());
                if markup {
                    out.push_str(&escape_text(&s));
                } else {
                    out.push_str(&s);
                }
            }
            _ => {}
        }
    }
    // close what the input left open (the outer element's end tag ends
    // the walk with `open` empty)
    while let Some(top) = open.pop() {
        if let (Some(name), true, None) = (top, markup, *dropping) {
            out.push_str(&format!("</{name}>"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(id: &str) -> Option<String> {
        (id == "xccdf_x_value_age").then(|| "365".to_owned())
    }

    #[test]
    fn keeps_markup_and_substitutes_values() {
        let raw = "<x:description xmlns:x=\"urn:x\" xmlns:h=\"http://www.w3.org/1999/xhtml\">Set <h:tt>PASS_MAX_DAYS</h:tt> to <x:sub idref=\"xccdf_x_value_age\" use=\"value\"/> &amp; <h:pre>a &lt; b</h:pre><h:ul><h:li>one</h:li></h:ul><h:a href=\"https://e.org/?a=1&amp;b\">link</h:a><h:a href=\"javascript:alert(1)\">bad</h:a><h:script>alert(1)</h:script>end</x:description>";
        let h = html(raw, &vals);
        assert_eq!(
            h,
            "Set <tt>PASS_MAX_DAYS</tt> to <span class=\"value\">365</span> &amp; <pre>a &lt; b</pre><ul><li>one</li></ul><a href=\"https://e.org/?a=1&amp;b\" rel=\"noopener noreferrer\">link</a><a>bad</a>end"
        );
        assert!(!h.contains("xccdf_x_value"));
    }

    #[test]
    fn fix_text_gets_values_and_no_tags() {
        let raw = "<fix system=\"urn:xccdf:fix:script:sh\">var=\"<sub idref=\"xccdf_x_value_age\"/>\"\nif [ a &lt; b ]; then <instance context=\"user\"/>; fi</fix>";
        assert_eq!(text(raw, &vals), "var=\"365\"\nif [ a < b ]; then ${user}; fi");
    }

    #[test]
    fn unknown_values_and_broken_input_do_not_panic() {
        let h = html("<d><sub idref=\"xccdf_x_value_nope\"/><p>open", &vals);
        assert!(h.contains("class=\"unresolved\""), "{h}");
        assert!(!h.contains("xccdf_x_value_nope"), "{h}");
        assert!(h.ends_with("</p>"), "{h}");
        assert_eq!(html("<d/>", &vals), "");
        assert_eq!(html("", &vals), "");
        assert_eq!(html("<d>&#x41;&#66;&bogus;</d>", &vals), "AB");
    }
}
