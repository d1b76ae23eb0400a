#!/usr/bin/env bash
# ComplianceAsCode benchmark: times `scapc build` of the CaC tree at commit
# b3a2cca (../shared/reference/cac/content-b3a2cca.tar.xz, unpacked once
# under target/) for debian12, rhel9 (with its SCE checks, as CaC builds
# it) and the whole tree (all 38 products):
# RUNS runs each (default 5), median and min wall time, and the peak
# memory over the runs (/usr/bin/time -v, maximum resident set size).
#
# The figures are printed beside those of CaC's own Python build measured
# on a 2-core machine like this one (clean builds: debian12 37-53 s and
# 185-190 MB, rhel9 45-75 s and 254 MB). When CAC_CHECKOUT names a CaC
# checkout with its build system (build_product, CMakeLists.txt), CaC's
# build of each product is run here too, once, and the ratio printed.
#
# Goals on 2 cores: debian12 <= 1.0 s, rhel9 <= 1.5 s, all 38 <= 15 s,
# peak memory no more than CaC's.
#
# Usage: bench/cac.sh [RUNS]
#   CAC_TREE=DIR      use this CaC tree instead of the tarball
#   CAC_CHECKOUT=DIR  also run CaC's build there (./build_product P)
#   SCAPC_BUILD_ARGS  extra arguments for every `scapc build` (e.g. --no-validate)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}

cargo build --release -q -p scapc
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
SCAPC=$TARGET/release/scapc

TREE=${CAC_TREE:-}
if [ -z "$TREE" ]; then
    tarball=../shared/reference/cac/content-b3a2cca.tar.xz
    if [ ! -f "$tarball" ]; then
        echo "NOTICE: $tarball is absent and CAC_TREE is not set; nothing to measure" >&2
        exit 0
    fi
    TREE=$TARGET/bench-cac-b3a2cca/content
    if [ ! -d "$TREE/products" ]; then
        rm -rf "$TARGET/bench-cac-b3a2cca.partial"
        mkdir -p "$TARGET/bench-cac-b3a2cca.partial"
        tar -xJf "$tarball" -C "$TARGET/bench-cac-b3a2cca.partial"
        rm -rf "$TARGET/bench-cac-b3a2cca"
        mv "$TARGET/bench-cac-b3a2cca.partial" "$TARGET/bench-cac-b3a2cca"
    fi
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s%N; }
secs() { awk -v d="$1" 'BEGIN { printf "%.3f", d / 1e9 }'; }

# One build: "wall-seconds peak-MB cpu-seconds" on stdout (CPU: user +
# system, which a loaded machine does not inflate as it does wall time) (peak resident memory from
# /usr/bin/time -v); fails loudly on errors. $@: -p options (none: every
# product).
build() {
    local t0 t1 rc=0
    rm -rf "$TMP/out"
    t0=$(now)
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$TMP/time.log" "$SCAPC" build -C "$TREE" -o "$TMP/out" -q ${SCAPC_BUILD_ARGS:-} "$@" \
        >"$TMP/build.log" 2>&1 || rc=$?
    t1=$(now)
    if [ "$rc" -ne 0 ]; then
        echo "scapc build $* failed (exit $rc):" >&2
        grep -m 20 'error' "$TMP/build.log" >&2 || tail -20 "$TMP/build.log" >&2
        exit 1
    fi
    echo "$(secs $((t1 - t0))) $(awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }
        /User time|System time/ { cpu += $2 } END { printf " %.2f", cpu }' "$TMP/time.log")"
}

# CaC's own build of one product, once, in seconds (empty when there is
# no checkout).
cac_build() {
    [ -n "${CAC_CHECKOUT:-}" ] && [ -x "$CAC_CHECKOUT/build_product" ] || return 0
    local t0 t1
    rm -rf "$CAC_CHECKOUT/build"
    t0=$(now)
    (cd "$CAC_CHECKOUT" && ./build_product "$1" >"$TMP/cac-$1.log" 2>&1) || {
        echo "CaC's build of $1 failed; see its log:" >&2
        tail -20 "$TMP/cac-$1.log" >&2
        return 0
    }
    t1=$(now)
    secs $((t1 - t0))
}

echo "tree: $TREE"
echo "cores: $(nproc); runs: $RUNS"
printf '%-10s %9s %9s %9s %9s   %-22s %s\n' "what" "median s" "min s" "cpu s" "peak MB" "CaC's build (2 cores)" "goal"
met=1
# what | scapc args | CaC's time | CaC's memory | goal in s | CaC product
for row in "debian12|-p debian12|37-53 s|185-190 MB|1.0|debian12" \
           "rhel9|-p rhel9 --sce|45-75 s|254 MB|1.5|rhel9" \
           "all 38||-|-|15|"; do
    IFS='|' read -r what args cac_time cac_mem goal cac_product <<<"$row"
    times=()
    cpus=()
    mem=0
    for _ in $(seq "$RUNS"); do
        # shellcheck disable=SC2086
        out=$(build $args) || exit 1
        read -r t m c <<<"$out"
        times+=("$t")
        cpus+=("$c")
        if [ "$m" -gt "$mem" ]; then mem=$m; fi
    done
    cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    best=$(echo "$sorted" | head -1)
    median=$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")
    ok=$(awk -v m="$median" -v g="$goal" 'BEGIN { print (m <= g) ? "met" : "NOT met" }')
    [ "$ok" = met ] || met=0
    printf '%-10s %9s %9s %9s %9s   %-22s <= %s s: %s\n' "$what" "$median" "$best" "$cpu" "$mem" "$cac_time, $cac_mem" "$goal" "$ok"
    if [ -n "$cac_product" ]; then
        theirs=$(cac_build "$cac_product")
        if [ -n "$theirs" ]; then
            ratio=$(awk -v a="$theirs" -v b="$median" 'BEGIN { printf "%.1f", a / b }')
            echo "           CaC's build here: ${theirs}s; scapc is ${ratio}x faster"
        fi
    fi
done
[ -n "${CAC_CHECKOUT:-}" ] || echo "(set CAC_CHECKOUT to a CaC checkout to run its build here for a ratio)"
if [ "$met" = 1 ]; then echo "goals met"; else echo "goals NOT met"; fi
