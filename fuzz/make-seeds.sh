#!/usr/bin/env bash
# Regenerates the seed corpora in fuzz/seeds/<target>/ from the SSG data
# streams, the bundled content tree, the xmldsig test data and OpenSCAP's
# signed data stream tests. Run from anywhere; needs python3, openssl and
# a built scapc (SCAPC, default target/debug/scapc of the main workspace).
#
#   fuzz/make-seeds.sh
#
# Each seed stays small (SSG streams are trimmed by trim.py to the first
# element of each name inside every component); the whole set is well
# under 2 MB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
seeds=$here/seeds
ssg=${SSG_CONTENT:-/usr/share/xml/scap/ssg/content}
oscap_tests=${OSCAP_TESTS:-/work/shared/reference/openscap-tests-9f2c4a6.tar.xz}
scapc=${SCAPC:-${CARGO_TARGET_DIR:-$repo/target}/debug/scapc}
[ -x "$scapc" ] || { echo "make-seeds: no scapc at $scapc (build it, or set SCAPC)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rm -rf "$seeds"
mkdir -p "$seeds"/{datastream_read,xml_tree,yaml_jinja,oval_engine,dsig_verify}

# --- data streams: trimmed SSG streams, the bundled tree's build, test data
for p in debian11 rhel8 ubuntu2204 sle15 fedora chromium ocp4 macos1015; do
    python3 "$here/trim.py" "$ssg/ssg-$p-ds.xml" "$seeds/datastream_read/ssg-$p-ds.xml" 1
done
python3 "$here/trim.py" "$ssg/ssg-rhel8-ds-1.2.xml" "$seeds/datastream_read/ssg-rhel8-ds-1.2.xml" 1
SOURCE_DATE_EPOCH=1700000000 "$scapc" build -C "$repo" -o "$tmp/build" -q --no-validate >/dev/null
python3 "$here/trim.py" "$tmp/build/debian12-ds.xml" "$seeds/datastream_read/bundled-debian12-ds.xml" 2
cp "$repo/xmldsig/tests/data/demo-ds.xml" "$repo/xmldsig/tests/data/edge-ds.xml" "$seeds/datastream_read/"

# --- XML documents: each component of two trimmed streams on its own, the
# bundled tree's OVAL fragments, and hand-written corner cases
for ds in ssg-rhel8-ds.xml bundled-debian12-ds.xml edge-ds.xml; do
    "$scapc" ds split "$seeds/datastream_read/$ds" -o "$tmp/split-$ds" >/dev/null
    for f in "$tmp/split-$ds"/*.xml; do
        cp "$f" "$seeds/xml_tree/${ds%.xml}-$(basename "$f")"
    done
done
find "$repo/rules" -path '*/oval/*.xml' | sort | head -n 12 | while read -r f; do
    cp "$f" "$seeds/xml_tree/bundled-$(basename "$(dirname "$(dirname "$f")")")-oval.xml"
done
printf '<?xml version="1.0"?>\n<!-- c --><?pi x?><a xmlns="urn:a" xmlns:b="urn:b" b:x="1&amp;2" xml:lang="en"><b:c><![CDATA[<x>]]></b:c>t&#x41;&lt;<d/></a>\n' >"$seeds/xml_tree/corner-mixed.xml"
printf '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>' >"$seeds/xml_tree/corner-entity.xml"
printf '<a:b xmlns:a="urn:a"><a:c a:d="&quot;&#10;"/>\r\n</a:b>' >"$seeds/xml_tree/corner-crlf.xml"

# --- YAML with Jinja: every kind of source file of the bundled tree
find "$repo/rules" -name rule.yml | sort | awk 'NR % 6 == 1' | while read -r f; do
    cp "$f" "$seeds/yaml_jinja/rule-$(basename "$(dirname "$f")").yml"
done
for f in "$repo"/rules/*/group.yml "$repo"/profiles/*.profile "$repo"/products/*/product.yml \
    "$repo"/applicability/*.yml "$repo"/templates/*/template.yml; do
    [ -f "$f" ] && cp "$f" "$seeds/yaml_jinja/$(basename "$(dirname "$f")")-$(basename "$f")"
done
for f in "$repo"/templates/*/oval.template "$repo"/templates/*/bash.template; do
    cp "$f" "$seeds/yaml_jinja/$(basename "$(dirname "$f")")-$(basename "$f")"
done
printf 'a: &x [1, 2]\nb: *x\nc: {{{ product }}}\n{{%% for i in range(3) %%}}k{{{ i }}}: v\n{{%% endfor %%}}\n' >"$seeds/yaml_jinja/corner-alias-loop.yml"

# --- OVAL generator input: random bytes (the target builds the document)
python3 - "$seeds/oval_engine" <<'PY'
import random, sys
r = random.Random(12)
for i in range(24):
    open(f"{sys.argv[1]}/random-{i:02}", "wb").write(bytes(r.randrange(256) for _ in range(r.choice([64, 256, 1024]))))
PY

# --- signed data streams: scapc sign with an EC and an RSA key, and OpenSCAP's
keys=$here/keys
if [ ! -f "$keys/signer.pem" ]; then
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/signer.pem" 2>/dev/null
    openssl pkey -in "$keys/signer.pem" -pubout -out "$keys/signer-pub.pem"
fi
[ -f "$keys/signer-rsa.pem" ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/signer-rsa.pem" 2>/dev/null
for ds in demo-ds.xml edge-ds.xml ssg-debian11-ds.xml; do
    "$scapc" sign "$seeds/datastream_read/$ds" --key "$keys/signer.pem" -o "$seeds/dsig_verify/ec-$ds" >/dev/null
    "$scapc" sign "$seeds/datastream_read/$ds" --key "$keys/signer-rsa.pem" -o "$seeds/dsig_verify/rsa-$ds" >/dev/null
done
tar -xJf "$oscap_tests" -C "$tmp" --wildcards '*/tests/DS/signed/*.xml'
for f in "$tmp"/*/tests/DS/signed/*.xml; do
    cp "$f" "$seeds/dsig_verify/openscap-$(basename "$f")"
done

du -sh "$seeds"/*
