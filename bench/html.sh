#!/usr/bin/env bash
# Times scapc's HTML pages against OpenSCAP's on one data stream, in the
# same run, and prints the ratios:
#   guide:   scapc guide --profile P        vs  oscap xccdf generate guide --profile P
#   guide (all rules): scapc guide --profile '(all)'  (no oscap equivalent; goal <= 2 s)
#   report:  scapc report ARF               vs  oscap xccdf generate report ARF
#            (the ARF is oscap's own, from `oscap xccdf eval --results-arf`)
# Usage: bench/html.sh [DATA_STREAM] [PROFILE] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
DS=${1:-/usr/share/xml/scap/ssg/content/ssg-rhel8-ds.xml}
PROFILE=${2:-xccdf_org.ssgproject.content_profile_ospp}
RUNS=${3:-3}
[ -f "$DS" ] || { echo "missing $DS (apt-get install ssg-nondebian)"; exit 2; }
command -v oscap >/dev/null || { echo "oscap is missing (apt-get install openscap-scanner)"; exit 2; }
cargo build --release -q -p scapc
SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# best-of-N wall time in seconds of a command
best() {
    local best=999999999999 t0 t1 dt
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        if ! "$@" >/dev/null 2>&1; then echo "FAILED: $*" >&2; exit 1; fi
        t1=$(date +%s%N)
        dt=$(( (t1 - t0) / 1000 ))
        (( dt < best )) && best=$dt
    done
    awk -v u="$best" 'BEGIN { printf "%.3f", u / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

size=$(stat -c %s "$DS")
printf 'data stream: %s (%.1f MB), profile %s, best of %d runs\n\n' "$DS" "$(awk -v s="$size" 'BEGIN{print s/1e6}')" "$PROFILE" "$RUNS"
printf '%-18s %10s %12s %8s   %s\n' step scapc oscap ratio goal

a=$(best "$SCAPC" guide "$DS" --profile "$PROFILE" -o "$TMP/g1.html")
b=$(best bash -c "oscap xccdf generate guide --profile '$PROFILE' '$DS' > $TMP/g2.html")
printf '%-18s %9ss %11ss %8s   %s\n' guide "$a" "$b" "$(ratio "$a" "$b")" "< 1 s"
a=$(best "$SCAPC" guide "$DS" --profile '(all)' -o "$TMP/g3.html")
printf '%-18s %9ss %12s %8s   %s\n' "guide (all rules)" "$a" "-" "-" "<= 2 s"

# oscap's ARF of this host (rules mostly notapplicable off their platform)
oscap xccdf eval --profile "$PROFILE" --results-arf "$TMP/arf.xml" "$DS" >/dev/null 2>&1 || true
[ -s "$TMP/arf.xml" ] || { echo "oscap wrote no ARF" >&2; exit 1; }
a=$(best "$SCAPC" report "$TMP/arf.xml" -o "$TMP/r1.html")
b=$(best oscap xccdf generate report --output "$TMP/r2.html" "$TMP/arf.xml")
printf '%-18s %9ss %11ss %8s   %s\n' report "$a" "$b" "$(ratio "$a" "$b")" "< oscap"
