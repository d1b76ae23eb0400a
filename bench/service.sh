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
# Then, as root with sshd installed (else it says why it skips): SSH_TASKS
# tasks (default 200) against ssh://root@127.0.0.1 on a loopback sshd that
# this script starts with its own host key and an authorized client key,
# run by `scapc daemon --jobs SSH_JOBS` (default: the number of cores);
# it prints the throughput in tasks per minute. Each task copies scapc and
# a small data stream to the "remote" host, scans it, and brings the ARF
# back, as for any ssh target.
#
# Usage: [SCAPC_BIN=scapc] [SCAPC_BENCH_STORE=DIR] bench/service.sh [RUNS_TOTAL] [RULES] [REPEAT] [SSH_TASKS] [SSH_JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
TOTAL=${1:-10000}
RULES=${2:-500}
REPEAT=${3:-10}
SSH_TASKS=${4:-200}
SSH_JOBS=${5:-$(nproc)}
GOAL_MS=50
TARGETS=10

if [ -n "${SCAPC_BIN:-}" ]; then
    SCAPC=$SCAPC_BIN # a binary built before
else
    cargo build --release -q -p scapc
    SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc
fi
BASE=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && BASE=/dev/shm
TMP=$(mktemp -d "$BASE/scapc-bench-service.XXXXXX")
SSHD_PID=
DAEMON_PID=
cleanup() {
    [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
    [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
    rm -rf "$TMP"
}
trap cleanup EXIT
# SCAPC_BENCH_STORE: a store this script filled before (kept across runs:
# the fill takes minutes on a loaded machine); filled when it is missing.
STORE=${SCAPC_BENCH_STORE:-$TMP/store}

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
[ -f "$STORE/index.sqlite" ] && TARGETS=0
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

# Wall time, and CPU time (user + system, which load from other processes
# does not inflate), of each of REPEAT runs; min and median of both.
time_cmd() { # $1 label, rest: the command
    local label=$1
    shift
    local walls=() cpus=() TIMEFORMAT='%3R %3U %3S' r u s
    for ((k = 0; k < REPEAT; k++)); do
        { time "$@" > /dev/null 2>&1; } 2> "$TMP/time"
        read -r r u s < "$TMP/time"
        walls+=("$r")
        cpus+=("$(echo "$u + $s" | bc -l)")
    done
    local w c
    w=($(printf '%s\n' "${walls[@]}" | sort -n))
    c=($(printf '%s\n' "${cpus[@]}" | sort -n))
    local wmin=${w[0]} wmed=${w[$((REPEAT / 2))]} cmin=${c[0]} cmed=${c[$((REPEAT / 2))]}
    verdict() { awk -v t="$1" -v g="$GOAL_MS" 'BEGIN { print (t * 1000 <= g) ? "met" : "NOT met" }'; }
    printf '%-6s wall min %6.1f median %6.1f ms (goal %d ms: %s)   cpu min %6.1f median %6.1f ms (%s)\n' "$label" \
        "$(echo "$wmin * 1000" | bc -l)" "$(echo "$wmed * 1000" | bc -l)" "$GOAL_MS" "$(verdict "$wmed")" \
        "$(echo "$cmin * 1000" | bc -l)" "$(echo "$cmed * 1000" | bc -l)" "$(verdict "$cmed")"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
time_cmd list "$SCAPC" result list --store "$STORE"
time_cmd json "$SCAPC" result list --format json --store "$STORE"
time_cmd diff "$SCAPC" result diff 1 1 2 --store "$STORE"
"$SCAPC" result diff 1 1 2 --store "$STORE" | tail -1

# ---- ssh targets: SSH_TASKS tasks through the daemon ----
echo
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/sshd ] || ! command -v ssh >/dev/null; then
    echo "ssh: skipped (needs root, /usr/sbin/sshd and ssh: apt-get install openssh-server openssh-client)"
    exit 0
fi
KEYS=$TMP/ssh
mkdir -p "$KEYS"
chmod 755 "$TMP" "$KEYS"
ssh-keygen -q -t ed25519 -N '' -f "$KEYS/host"
ssh-keygen -q -t ed25519 -N '' -f "$KEYS/client"
cp "$KEYS/client.pub" "$KEYS/authorized_keys"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$KEYS/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $KEYS/host
AuthorizedKeysFile $KEYS/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
MaxStartups 100:30:200
MaxSessions 100
PidFile $KEYS/sshd.pid
EOF
mkdir -p /run/sshd
/usr/sbin/sshd -D -e -f "$KEYS/sshd_config" 2>"$KEYS/sshd.log" &
SSHD_PID=$!
for _ in $(seq 100); do
    (echo > "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
echo "[127.0.0.1]:$PORT $(cat "$KEYS/host.pub")" > "$KEYS/known_hosts"
# A small data stream: the xmlfilecontent probe fixture's benchmark.
"$SCAPC" ds compose tests/fixtures/eval-probes/xmlfilecontent/xccdf.xml -o "$TMP/ds.xml" > /dev/null 2>&1
SSTORE=$TMP/ssh-store
for ((i = 1; i <= SSH_TASKS; i++)); do
    "$SCAPC" task create --store "$SSTORE" --content "$TMP/ds.xml" --target "ssh://root@127.0.0.1:$PORT" \
        --ssh-option "IdentityFile=$KEYS/client" --ssh-option "UserKnownHostsFile=$KEYS/known_hosts" \
        --ssh-option StrictHostKeyChecking=yes --enable > /dev/null
done
finished() { "$SCAPC" result list --format json --store "$SSTORE" | grep -c '"status": "finished"' || true; }
t0=$(date +%s%N)
"$SCAPC" daemon --store "$SSTORE" --jobs "$SSH_JOBS" 2> "$TMP/daemon.log" &
DAEMON_PID=$!
while (($(finished) < SSH_TASKS)); do
    kill -0 "$DAEMON_PID" 2>/dev/null || { echo "the daemon stopped:"; tail -5 "$TMP/daemon.log"; exit 1; }
    sleep 0.5
done
t1=$(date +%s%N)
kill "$DAEMON_PID"
wait "$DAEMON_PID" || true
DAEMON_PID=
failed=$("$SCAPC" result list --format json --store "$SSTORE" | grep -c '"exit_code": [^02]' || true)
awk -v n="$SSH_TASKS" -v ns=$((t1 - t0)) -v j="$SSH_JOBS" -v f="$failed" -v c="$(nproc)" 'BEGIN {
    s = ns / 1e9
    printf "ssh: %d tasks against ssh://root@127.0.0.1 (loopback sshd), daemon --jobs %d, %d cores: %.1f s, %.0f tasks/min (%d failed)\n", n, j, c, s, n * 60 / s, f
}'
