#!/usr/bin/env bash
# Scenario benchmark: runs `scapc test` on the bundled tree (every scenario
# of every rule, bash remediation included) with the release binary and
# prints the wall and CPU time per scenario (CPU: user + system of scapc
# and every process it started, from /usr/bin/time), overall and by kind
# (pass scenarios, fail scenarios with fix + recheck + second fix +
# recheck), with the load average at the start and the end.
#
# Goal: at most 0.5 s per scenario, remediation included, on 2 cores.
# Automatus, the reference, needs a container or VM per scenario and takes
# seconds to minutes each; it is not installed here, so the figures are
# absolute. The first run also builds the cached package layers
# (`# packages =`, apt-get, network): that run is reported but not the
# figure that counts; the timed run follows it.
#
# Needs root and a base root filesystem (default /var/tmp/scapc-bookworm,
# as scripts/test makes it).
#
# Usage: bench/test.sh [JOBS] [extra scapc test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-$(nproc)}
shift || true
GOAL=0.5
ROOTFS=${SCAPC_TEST_ROOTFS:-/var/tmp/scapc-bookworm}

cargo build --release -q -p scapc
SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s%N; }

echo "warm-up run (builds the package layers once; they stay cached)"
t0=$(now)
"$SCAPC" test --rootfs "$ROOTFS" --jobs "$JOBS" --format json "$@" >"$TMP/warm.json" 2>"$TMP/warm.err" || true
t1=$(now)
echo "  $(( (t1 - t0) / 1000000 )) ms"

load0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(now)
status=0
/usr/bin/time -f '%U %S' -o "$TMP/cpu" \
    "$SCAPC" test --rootfs "$ROOTFS" --jobs "$JOBS" --format json "$@" >"$TMP/run.json" 2>"$TMP/run.err" || status=$?
t1=$(now)
load1=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$TMP/run.json" "$(( t1 - t0 ))" "$JOBS" "$GOAL" "$(tail -1 "$TMP/cpu")" "$load0" "$load1" <<'PY'
import json, sys, collections
reports = json.load(open(sys.argv[1]))["scenarios"]
wall = int(sys.argv[2]) / 1e9
jobs, goal = int(sys.argv[3]), float(sys.argv[4])
cpu = sum(float(x) for x in sys.argv[5].split())
print(f"load average: {sys.argv[6]} at the start, {sys.argv[7]} at the end (1, 5, 15 min)")
ran = [r for r in reports if r["status"] != "skipped"]
by = collections.Counter(r["status"] for r in reports)
kinds = collections.defaultdict(list)
for r in ran:
    kinds[r["expect"]].append(r["seconds"])
print(f"scenarios: {len(reports)} ({', '.join(f'{v} {k}' for k, v in sorted(by.items()))})")
print(f"wall time: {wall:.1f} s with {jobs} jobs")
if ran:
    per = wall / len(ran)
    print(f"per scenario (wall / scenarios run): {per:.3f} s   goal <= {goal} s: {'met' if per <= goal else 'NOT met'}")
    print(f"CPU (user + system, children included): {cpu:.1f} s, {cpu / len(ran):.3f} s per scenario")
for k, v in sorted(kinds.items()):
    v.sort()
    print(f"  {k:14} {len(v):4} scenarios, each in its sandbox: median {v[len(v)//2]:.3f} s, max {v[-1]:.3f} s")
bad = [r for r in reports if r["status"] in ("failed", "error")]
for r in bad[:40]:
    print(f"  {r['status'].upper()}: {r['rule']} / {r['scenario']}: {'; '.join(r['findings'])[:200]}")
if len(bad) > 40:
    print(f"  ... and {len(bad) - 40} more")
PY
exit "$status"
