#!/usr/bin/env bash
# Results-store benchmark: fills a store with RUNS_TOTAL runs (default
# 10,000: 10 targets x 1,000 imported ARFs of RULES rules each, default 500)
# and times, over REPEAT invocations (default 10), each a new process:
#   list:  scapc result list            (every run of the store)
#   json:  scapc result list --format json
#   diff:  scapc result diff 1 1 2      (drift between two runs of RULES rules)
# and prints min and median wall time against the goal (50 ms each).
# The figures are absolute: OpenSCAP has no results store to compare with.
# The store goes to /dev/shm when it exists (the fill is fsync-bound on
# disk; the timed commands only read).
#
# Usage: bench/service.sh [RUNS_TOTAL] [RULES] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL=${1:-10000}
RULES=${2:-500}
REPEAT=${3:-10}
GOAL_MS=50
TARGETS=10

cargo build --release -q -p scapc
SCAPC=$PWD/target/release/scapc
BASE=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && BASE=/dev/shm
TMP=$(mktemp -d "$BASE/scapc-bench-service.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
STORE=$TMP/store

# Two ARFs that differ in every tenth rule's result.
arf() { # $1 file, $2 variant
    {
        echo '<?xml version="1.0" encoding="UTF-8"?>'
        echo '<arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1" xmlns:x="http://checklists.nist.gov/xccdf/1.2"><arf:reports><arf:report id="r"><arf:content>'
        echo '<x:TestResult id="xccdf_bench_testresult_p" start-time="2026-12-01T10:00:00Z" end-time="2026-12-01T10:01:00Z"><x:profile idref="xccdf_bench_profile_p"/><x:target>bench</x:target>'
        for ((i = 0; i < RULES; i++)); do
            r=pass
            if [ "$2" = b ] && ((i % 10 == 0)); then r=fail; fi
            echo "<x:rule-result idref=\"xccdf_bench_rule_$i\" severity=\"medium\"><x:result>$r</x:result></x:rule-result>"
        done
        echo '<x:score system="urn:xccdf:scoring:default" maximum="100">90</x:score></x:TestResult></arf:content></arf:report></arf:reports></arf:asset-report-collection>'
    } > "$1"
}
arf "$TMP/a.xml" a
arf "$TMP/b.xml" b

per=$((TOTAL / TARGETS))
t0=$(date +%s%N)
for ((t = 1; t <= TARGETS; t++)); do
    files=()
    for ((i = 0; i < per; i++)); do
        if ((i % 2)); then files+=("$TMP/b.xml"); else files+=("$TMP/a.xml"); fi
    done
    "$SCAPC" result import "${files[@]}" --target "host$t" --store "$STORE" > /dev/null
done
t1=$(date +%s%N)
runs=$("$SCAPC" result list --format json --store "$STORE" | grep -c '"task"')
echo "store: $runs runs of $RULES rules each, filled in $(( (t1 - t0) / 1000000 )) ms ($STORE)"

time_cmd() { # $1 label, rest: the command
    local label=$1
    shift
    local ts=()
    for ((k = 0; k < REPEAT; k++)); do
        local s e
        s=$(date +%s%N)
        "$@" > /dev/null
        e=$(date +%s%N)
        ts+=($(( (e - s) / 1000 )))
    done
    local sorted
    sorted=($(printf '%s\n' "${ts[@]}" | sort -n))
    local min=${sorted[0]} med=${sorted[$((REPEAT / 2))]}
    local verdict=met
    ((med > GOAL_MS * 1000)) && verdict="NOT met"
    printf '%-6s min %6.1f ms  median %6.1f ms  (goal %d ms: %s)\n' "$label" \
        "$(echo "$min / 1000" | bc -l)" "$(echo "$med / 1000" | bc -l)" "$GOAL_MS" "$verdict"
}
time_cmd list "$SCAPC" result list --store "$STORE"
time_cmd json "$SCAPC" result list --format json --store "$STORE"
time_cmd diff "$SCAPC" result diff 1 1 2 --store "$STORE"
"$SCAPC" result diff 1 1 2 --store "$STORE" | tail -1
