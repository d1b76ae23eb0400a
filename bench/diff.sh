#!/usr/bin/env bash
# Times `scapc diff` on two large SSG data streams and on a stream against
# an edited copy of itself (one OVAL id renumbered, one severity changed).
# There is no reference tool for a semantic diff: the goal is at most 0.5 s
# per comparison, and `diff -u` of the same files is printed for scale.
# Usage: bench/diff.sh [A] [B] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:-/usr/share/xml/scap/ssg/content/ssg-rhel8-ds.xml}
B=${2:-/usr/share/xml/scap/ssg/content/ssg-rhel9-ds.xml}
RUNS=${3:-5}
GOAL=0.5
for f in "$A" "$B"; do [ -f "$f" ] || { echo "missing $f (apt-get install ssg-nondebian)"; exit 2; }; done
cargo build --release -q -p scapc
SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# An edited copy of A: renumber the first OVAL definition id everywhere
# (no change in meaning) and raise one severity (one change).
def=$(grep -m1 -o 'oval:[A-Za-z0-9_.-]*:def:[0-9]*' "$A" | head -1)
sed -e "s/$def\"/${def%:*}:99999\"/g" -e '0,/severity="low"/s//severity="high"/' "$A" > "$TMP/edited.xml"

# best-of-N and median wall time in seconds; exit status 0 or 1 is success
# (diff and scapc diff say 1 for "different").
times() {
    local t0 t1 rc all=()
    for _ in $(seq "$RUNS"); do
        t0=$(date +%s%N)
        rc=0
        "$@" >/dev/null 2>&1 || rc=$?
        t1=$(date +%s%N)
        [ "$rc" -le 1 ] || { echo "FAILED ($rc): $*" >&2; exit 1; }
        all+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${all[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f %.3f", a[1] / 1e6, a[int((NR + 1) / 2)] / 1e6 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

printf '%d runs, %d cores\n' "$RUNS" "$(nproc)"
row() {
    local label=$1 x=$2 y=$3 s d
    s=$(times "$SCAPC" diff "$x" "$y")
    d=$(times diff -u "$x" "$y")
    local best=${s% *}
    printf '%-22s scapc diff %s / %s s (goal %s s: %s)   diff -u %s / %s s   ratio to diff -u %s\n' \
        "$label" "${s% *}" "${s#* }" "$GOAL" \
        "$(awk -v a="$best" -v g="$GOAL" 'BEGIN { print (a <= g) ? "met" : "NOT met" }')" \
        "${d% *}" "${d#* }" "$(ratio "$best" "${d% *}")"
}
echo "times are best / median"
row "A vs B" "$A" "$B"
row "A vs edited copy" "$A" "$TMP/edited.xml"
echo
echo "scapc diff A edited-copy says:"
"$SCAPC" diff "$A" "$TMP/edited.xml" | head -8 || true
