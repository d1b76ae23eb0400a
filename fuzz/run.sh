#!/usr/bin/env bash
# Runs scapc's fuzz targets for a given time and prints, per target, the
# wall time, executions, executions per second and the crashes, timeouts
# and out-of-memory inputs found.
#
#   fuzz/run.sh [TARGET|all] SECONDS
#
# Each target's seeds (fuzz/seeds/TARGET) are copied into its working
# corpus (fuzz/corpus/TARGET, not committed), the targets are built once
# with `cargo +nightly fuzz build`, and each runs for SECONDS of wall time
# (`all`: every target at the same time, each for SECONDS). When libFuzzer
# stops on a crash it is started again with the time left, so a target
# always gets its full time; every failing input is kept in
# fuzz/artifacts/TARGET/. Logs: fuzz/logs/TARGET.log.
#
# Environment: NICE (default 19; BUILD_NICE, default 10, for the build), SANITIZER (default none; address for
# ASan), RSS_LIMIT_MB (2048), TIMEOUT (10 seconds per input), and
# FUZZ_ARGS for extra libFuzzer flags.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
targets=(datastream_read xml_tree yaml_jinja oval_engine dsig_verify)
usage() { echo "usage: fuzz/run.sh [$(IFS='|'; echo "${targets[*]}")|all] SECONDS" >&2; exit 2; }
[ $# -eq 2 ] || usage
[[ $2 =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || usage
secs=$2
if [ "$1" = all ]; then
    run=("${targets[@]}")
else
    printf '%s\n' "${targets[@]}" | grep -qx -- "$1" || usage
    run=("$1")
fi
nice_level=${NICE:-19}
sanitizer=${SANITIZER:-none}
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=$here/target

echo "building ${run[*]} (sanitizer: $sanitizer)" >&2
for t in "${run[@]}"; do
    nice -n "${BUILD_NICE:-10}" cargo +nightly fuzz build -s "$sanitizer" "$t" >&2
done
bin_dir=$CARGO_TARGET_DIR/$triple/release

# Extra libFuzzer flags per target.
max_len() {
    case $1 in
        oval_engine) echo 8192 ;;
        yaml_jinja) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

# fuzz_one TARGET: runs TARGET for $secs seconds, restarting after a crash.
fuzz_one() {
    local t=$1 corpus=$here/corpus/$1 art=$here/artifacts/$1 log=$here/logs/$1.log
    mkdir -p "$corpus" "$art" "$here/logs"
    [ -d "$here/seeds/$t" ] && cp -n "$here/seeds/$t"/* "$corpus/" 2>/dev/null || true
    local dict=()
    [ -f "$here/dicts/$t.dict" ] && dict=("-dict=$here/dicts/$t.dict")
    : >"$log"
    local start now left runs=0
    start=$(date +%s)
    touch "$art/.run-start"
    while :; do
        now=$(date +%s)
        left=$((secs - (now - start)))
        [ "$left" -gt 0 ] || break
        runs=$((runs + 1))
        echo "=== run $runs: $left s left" >>"$log"
        # shellcheck disable=SC2086
        # libFuzzer's timeout handler can deadlock in malloc when the target
        # is built without a sanitizer; `timeout` ends such a run.
        timeout --kill-after=30 $((left + 120)) nice -n "$nice_level" "$bin_dir/$t" "$corpus" "${dict[@]}" \
            -artifact_prefix="$art/" -max_total_time="$left" -print_final_stats=1 \
            -rss_limit_mb="${RSS_LIMIT_MB:-2048}" -timeout="${TIMEOUT:-10}" \
            -max_len="$(max_len "$t")" ${FUZZ_ARGS:-} >>"$log" 2>&1 || true
        # A run that ended before its time stopped on a failing input (kept
        # in $art); one that stopped without leaving one cannot run at all.
        if tail -n 40 "$log" | grep -q 'Done [0-9]* runs in'; then
            break
        fi
        if [ -z "$(find "$art" -newer "$art/.run-start" -type f | head -n 1)" ]; then
            echo "run.sh: $t stopped without a failing input; see $log" >&2
            break
        fi
        now=$(date +%s)
        [ $((secs - (now - start))) -gt 5 ] || break
    done
    local wall=$(($(date +%s) - start))
    local execs
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | awk '{s += $1} END {print s + 0}')
    local crashes timeouts ooms
    crashes=$(find "$art" -newer "$art/.run-start" -name 'crash-*' | wc -l)
    timeouts=$(find "$art" -newer "$art/.run-start" -name 'timeout-*' | wc -l)
    ooms=$(find "$art" -newer "$art/.run-start" \( -name 'oom-*' -o -name 'leak-*' \) | wc -l)
    local corpus_n
    corpus_n=$(find "$corpus" -type f | wc -l)
    printf '%-16s %7ss %12s %8s %8s %8s %5s %7s\n' "$t" "$wall" "$execs" "$((execs / (wall > 0 ? wall : 1)))" \
        "$crashes" "$timeouts" "$ooms" "$corpus_n" >"$here/logs/$t.summary"
}

for t in "${run[@]}"; do
    fuzz_one "$t" &
done
wait

printf '%-16s %8s %12s %8s %8s %8s %5s %7s\n' target wall executions exec/s crashes timeouts ooms corpus
for t in "${run[@]}"; do
    cat "$here/logs/$t.summary"
done
echo "failing inputs: fuzz/artifacts/<target>/ (reproduce: cargo +nightly fuzz run <target> <file>)"
