#!/usr/bin/env bash
# Lint benchmark: generates a synthetic content tree of RULES rules
# (default 2,000) with scapc-synth from this repository's templates,
# macros, platforms and product (as bench/build.sh does), and times
# `scapc lint` on it: one cold run, then RUNS warm runs (default 5);
# min and median wall time are printed.
#
# Goal: a 2,000-rule tree lints in at most 0.5 s (median) on 2 cores.
#
# Usage: bench/lint.sh [RULES] [RUNS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${1:-2000}
RUNS=${2:-5}
SEED=${3:-1}
GOAL=0.5

cargo build --release -q -p scapc -p scapc-synth
BIN=${CARGO_TARGET_DIR:-$PWD/target}/release
SCAPC=$BIN/scapc
SYNTH=$BIN/scapc-synth

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TREE=$TMP/tree

now() { date +%s%N; }
secs() { awk -v d="$1" 'BEGIN { printf "%.3f", d / 1e9 }'; }

"$SYNTH" --rules "$RULES" --seed "$SEED" --out "$TREE" --from . 2>"$TMP/synth.log" || { cat "$TMP/synth.log"; exit 1; }
echo "generated: $(cat "$TMP/synth.log")"

# One run: wall time in seconds on stdout. Exit 0 (clean) or 1 (findings
# at error level) are both runs; 2 is a failure.
run() {
    local t0 t1 rc=0
    t0=$(now)
    "$SCAPC" lint "$TREE" --format json >"$TMP/lint.json" 2>"$TMP/lint.err" || rc=$?
    t1=$(now)
    if [ "$rc" -ge 2 ]; then
        echo "scapc lint failed (exit $rc):" >&2
        head -20 "$TMP/lint.err" >&2
        exit 1
    fi
    secs $((t1 - t0))
}

sync
cold=$(run)
findings=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); print(len(v["diagnostics"]), "findings:", v["errors"], "errors,", v["warnings"], "warnings")' "$TMP/lint.json" 2>/dev/null || echo "?")
times=()
for _ in $(seq "$RUNS"); do
    times+=("$(run)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
best=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "synthetic tree: $RULES rules (seed $SEED); $findings"
echo "cores: $(nproc)"
printf 'scapc lint: cold %ss; warm min %ss, median %ss over %d runs (goal: median <= %s s for 2,000 rules on 2 cores)\n' \
    "$cold" "$best" "$median" "$RUNS" "$GOAL"
if awk -v m="$median" -v g="$GOAL" 'BEGIN { exit !(m <= g) }'; then echo "goal met"; else echo "goal NOT met"; fi
