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

# best-of-N and median wall time in seconds, then best and median CPU time
# (user + system: what load from other processes does not inflate); exit
# status 0 or 1 is success (diff and scapc diff say 1 for "different").
times() {
    local rc all=() cpu=() TIMEFORMAT='%3R %3U %3S' r u s
    for _ in $(seq "$RUNS"); do
        rc=0
        { time "$@" >/dev/null 2>&1; } 2> "$TMP/time" || rc=$?
        [ "$rc" -le 1 ] || { echo "FAILED ($rc): $*" >&2; exit 1; }
        read -r r u s < "$TMP/time"
        all+=("$r")
        cpu+=("$(echo "$u + $s" | bc -l)")
    done
    local w c
    w=$(printf '%s\n' "${all[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f %.3f", a[1], a[int((NR + 1) / 2)] }')
    c=$(printf '%s\n' "${cpu[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f %.3f", a[1], a[int((NR + 1) / 2)] }')
    echo "$w $c"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }

printf '%d runs, %d cores, load average %s\n' "$RUNS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
row() {
    local label=$1 x=$2 y=$3 s d
    s=($(times "$SCAPC" diff "$x" "$y"))
    d=($(times diff -u "$x" "$y"))
    local best=${s[0]}
    printf '%-22s scapc diff %s / %s s (goal %s s: %s), cpu %s / %s s   diff -u %s / %s s   ratio to diff -u %s\n' \
        "$label" "${s[0]}" "${s[1]}" "$GOAL" \
        "$(awk -v a="$best" -v g="$GOAL" 'BEGIN { print (a <= g) ? "met" : "NOT met" }')" \
        "${s[2]}" "${s[3]}" "${d[0]}" "${d[1]}" "$(ratio "$best" "${d[0]}")"
}
echo "times are best / median (wall, then cpu = user + system)"
row "A vs B" "$A" "$B"
row "A vs edited copy" "$A" "$TMP/edited.xml"
echo
echo "scapc diff A edited-copy says:"
"$SCAPC" diff "$A" "$TMP/edited.xml" | head -8 || true
