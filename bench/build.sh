#!/usr/bin/env bash
# Build benchmark: generates a synthetic content tree of RULES rules
# (default 2,000) with scapc-synth from this repository's templates,
# macros, platforms and product, and times `scapc build` on it.
#
#   cold:  the first build of the fresh tree (new process, no build/ dir)
#   warm:  RUNS further builds (default 5), build/ removed before each;
#          min and median wall time are printed
#
# Goal: a 2,000-rule tree builds in at most 1 s (median) on 2 cores.
# The figures are absolute: there is no reference compiler on this host
# to compare against. Nothing outside this repository is needed.
#
# Usage: bench/build.sh [RULES] [RUNS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${1:-2000}
RUNS=${2:-5}
SEED=${3:-1}
GOAL=1.0

cargo build --release -q -p scapc -p scapc-synth
SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc
SYNTH=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc-synth

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TREE=$TMP/tree

now() { date +%s%N; }
secs() { awk -v d="$1" 'BEGIN { printf "%.3f", d / 1e9 }'; }

t0=$(now)
"$SYNTH" --rules "$RULES" --seed "$SEED" --out "$TREE" --from . 2>"$TMP/synth.log" || { cat "$TMP/synth.log"; exit 1; }
t1=$(now)
echo "generated: $(cat "$TMP/synth.log")"
echo "generator wall time: $(secs $((t1 - t0)))s"

# One build: wall time in seconds on stdout; fails loudly on errors.
build() {
    local t0 t1 rc=0
    rm -rf "$TREE/build"
    t0=$(now)
    "$SCAPC" build -C "$TREE" -q >"$TMP/build.log" 2>&1 || rc=$?
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
        echo "scapc build failed (exit $rc):" >&2
        head -50 "$TMP/build.log" >&2
        exit 1
    fi
    secs $((t1 - t0))
}

sync
cold=$(build)
if [ -s "$TMP/build.log" ]; then
    echo "diagnostics of the first build (first 20 lines):"
    head -20 "$TMP/build.log"
fi
times=()
for _ in $(seq "$RUNS"); do
    times+=("$(build)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
best=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")

OUT=$TREE/build
rules=$(grep -c '<xccdf-1.2:Rule ' "$OUT/debian12-xccdf.xml" || true)
defs=$(grep -c '<definition ' "$OUT/debian12-oval.xml" || true)
size=$(stat -c %s "$OUT/debian12-ds.xml")
echo "synthetic tree: $RULES rules (seed $SEED) -> $rules XCCDF rules, $defs OVAL definitions, data stream $((size / 1024 / 1024)) MiB"
[ "$rules" -eq "$RULES" ] || { echo "rule count mismatch: expected $RULES, found $rules"; exit 1; }
echo "cores: $(nproc)"
printf 'scapc build: cold %ss; warm min %ss, median %ss over %d runs (goal: median <= %s s for 2,000 rules on 2 cores)\n' \
    "$cold" "$best" "$median" "$RUNS" "$GOAL"
if awk -v m="$median" -v g="$GOAL" 'BEGIN { exit !(m <= g) }'; then echo "goal met"; else echo "goal NOT met"; fi
