#!/usr/bin/env bash
# Builds a synthetic content tree of N rules (default 2,000) with scapc and
# prints the wall time: the first (cold) run and the best and median of the
# following runs. Goal: at most 1 s for 2,000 rules on 2 cores.
# Usage: bench/build.sh [RULES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${1:-2000}
RUNS=${2:-7}
cargo build --release -q -p scapc -p scapc-synth
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
./target/release/scapc-synth --rules "$RULES" --out "$TMP/tree" --from . 2>/dev/null
SCAPC=$PWD/target/release/scapc

secs() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }'; }

sync
cold=$(secs "$SCAPC" build -C "$TMP/tree" -q)
times=()
for _ in $(seq "$RUNS"); do
    rm -rf "$TMP/tree/build"
    times+=("$(secs "$SCAPC" build -C "$TMP/tree" -q)")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
best=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
rules=$(grep -c '<xccdf-1.2:Rule ' "$TMP/tree/build/debian12-xccdf.xml")
defs=$(grep -c '<definition ' "$TMP/tree/build/debian12-oval.xml")
size=$(stat -c %s "$TMP/tree/build/debian12-ds.xml")
echo "synthetic tree: $RULES rules -> $rules XCCDF rules, $defs OVAL definitions, data stream $((size / 1024 / 1024)) MiB"
echo "cores: $(nproc)"
printf 'scapc build: cold %ss, best %ss, median %ss over %d runs (goal: <= 1 s)\n' "$cold" "$best" "$median" "$RUNS"
awk -v m="$median" 'BEGIN { exit !(m <= 1.0) }' && echo "goal met" || echo "goal NOT met"
