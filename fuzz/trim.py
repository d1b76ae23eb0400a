#!/usr/bin/env python3
"""Shrinks an SCAP document into a small fuzzing seed.

Usage: trim.py IN OUT [KEEP]

Inside the data stream components, each element keeps only the first KEEP
(default 2) children of every element name, recursively; the data stream
frame (collection, data-streams, component-refs, catalogs, signatures) is
kept whole so that every component-ref still resolves. Namespace prefixes
are kept as declared.
"""
import sys
import xml.etree.ElementTree as ET

SDS = "{http://scap.nist.gov/schema/scap/source/1.2}"
FRAME = {SDS + "data-stream-collection", SDS + "component", SDS + "extended-component"}


def trim(el, keep):
    seen = {}
    for child in list(el):
        if not isinstance(child.tag, str):
            continue
        n = seen.get(child.tag, 0)
        if n >= keep:
            el.remove(child)
        else:
            seen[child.tag] = n + 1
            trim(child, keep)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    keep = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    for _, (prefix, uri) in ET.iterparse(src, events=["start-ns"]):
        try:
            ET.register_namespace(prefix, uri)
        except ValueError:
            pass
    root = ET.parse(src).getroot()
    if root.tag in FRAME:
        # A data stream collection: trim inside each component only.
        for comp in list(root):
            if comp.tag in (SDS + "component", SDS + "extended-component"):
                for doc in list(comp):
                    trim(doc, keep)
    else:
        trim(root, keep)
    ET.ElementTree(root).write(dst, encoding="UTF-8", xml_declaration=True)


if __name__ == "__main__":
    main()
