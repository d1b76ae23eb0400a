#!/usr/bin/env bash
# Times `scapc validate` (XSD layer plus every requirement check) against
# the reference tools on one data stream, in the same run, and prints the
# ratios:
#   full validation:  scapc validate      vs  oscap ds sds-validate (XSD only)
#   requirements:     scapc validate      vs  xsltproc with OpenSCAP's SP 800-126 Schematron XSL
# Goal: scapc's full validation in at most 2 s on 2 cores and no slower
# than oscap's XSD-only check (ratio <= 1).
# Usage: bench/validate.sh [DATA_STREAM] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
DS=${1:-/usr/share/xml/scap/ssg/content/ssg-rhel8-ds.xml}
RUNS=${2:-5}
XSL=/usr/share/openscap/schemas/sds/1.3/source-data-stream-1.3.xsl
[ -f "$DS" ] || { echo "missing $DS (apt-get install ssg-nondebian)"; exit 2; }
command -v oscap >/dev/null || { echo "oscap is missing (apt-get install openscap-scanner)"; exit 2; }
command -v xsltproc >/dev/null || { echo "xsltproc is missing (apt-get install xsltproc)"; exit 2; }
cargo build --release -q -p scapc
SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc

# best-of-N and median wall time in seconds of a command that must succeed
times() {
    local t0 t1 all=()
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        if ! "$@" >/dev/null 2>&1; then echo "FAILED: $*" >&2; exit 1; fi
        t1=$(date +%s%N)
        all+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${all[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f %.3f", a[1] / 1e6, a[int((NR + 1) / 2)] / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

size=$(stat -c %s "$DS")
printf 'data stream: %s (%.1f MB), %d runs, %d cores\n' "$DS" "$(awk -v s="$size" 'BEGIN{print s/1e6}')" "$RUNS" "$(nproc)"
# What each tool found, so the figures compare tools that did their work.
"$SCAPC" validate "$DS" | tail -1
oscap ds sds-validate "$DS" && echo "oscap ds sds-validate: valid"
echo
printf '%-28s %16s %18s %8s\n' "" "scapc best/median" "reference best/median" ratio
read -r sb sm <<<"$(times "$SCAPC" validate "$DS")"
read -r ob om <<<"$(times oscap ds sds-validate "$DS")"
printf '%-28s %7ss/%6ss %9ss/%6ss %8s   %s\n' "full vs oscap XSD only" "$sb" "$sm" "$ob" "$om" "$(ratio "$sm" "$om")" "goal <= 1 and scapc <= 2 s"
read -r xb xm <<<"$(times xsltproc -o /dev/null "$XSL" "$DS")"
printf '%-28s %7ss/%6ss %9ss/%6ss %8s\n' "full vs OpenSCAP XSL" "$sb" "$sm" "$xb" "$xm" "$(ratio "$sm" "$xm")"
read -r nb nm <<<"$(times "$SCAPC" validate --no-xsd "$DS")"
printf '%-28s %7ss/%6ss %9ss/%6ss %8s\n' "requirements only vs XSL" "$nb" "$nm" "$xb" "$xm" "$(ratio "$nm" "$xm")"
awk -v s="$sm" -v o="$om" 'BEGIN { if (s <= 2.0 && s <= o) print "goal met"; else print "goal NOT met" }'
