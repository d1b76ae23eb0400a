#!/usr/bin/env bash
# Times `scapc eval` against OpenSCAP on the same content, in the same run,
# and prints the ratios:
#   host:    ssg-debian11-ds.xml (Debian 11 platform line removed),
#            --profile '(all)', this host:  scapc eval  vs  oscap xccdf eval
#   offline: the same against a debootstrap minbase bookworm root filesystem:
#            scapc eval --target dir:ROOT  vs  oscap-chroot ROOT xccdf eval
#   rhel8:   ssg-rhel8-ds.xml --profile standard on this (non-RHEL) host:
#            every rule notapplicable, so only the platform checks may run
# Goals: scapc <= 0.2x oscap on the host and for rhel8, <= 0.5x offline.
# Usage: bench/eval.sh [ROOTFS] [PROFILE]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-${SCAPC_TEST_ROOTFS:-/var/tmp/scapc-bookworm}}
PROFILE=${2:-(all)}
SRC=/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml
[ -f "$SRC" ] || { echo "missing $SRC (apt-get install ssg-debian)"; exit 2; }
command -v oscap >/dev/null || { echo "oscap is missing (apt-get install openscap-scanner)"; exit 2; }
[ -f "$ROOT/var/lib/dpkg/status" ] || { echo "no root filesystem at $ROOT (debootstrap --variant=minbase bookworm $ROOT)"; exit 2; }
cargo build --release -q -p scapc
SCAPC=${CARGO_TARGET_DIR:-$PWD/target}/release/scapc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '<xccdf-1.2:platform idref="cpe:/o:debian:debian_linux:11"/>' "$SRC" > "$tmp/d11.xml"

# wall time in seconds of a command whose exit code is 0 or 2 (rules
# failed); its CPU time (user + system, children included) is appended to
# $tmp/cpu.
t() {
    local rc TIMEFORMAT='%3R %3U %3S' r u s
    set +e
    { time "$@" >/dev/null 2>&1; } 2> "$tmp/time"
    rc=$?
    set -e
    if [ "$rc" != 0 ] && [ "$rc" != 2 ]; then echo "FAILED ($rc): $*" >&2; exit 1; fi
    read -r r u s < "$tmp/time"
    echo "$u $s" | awk '{ printf "%.2f\n", $1 + $2 }' >> "$tmp/cpu"
    printf '%.2f' "$r"
}
cpu() { sed -n "${1}p" "$tmp/cpu"; } # the CPU time of the Nth timed command

# Warm the filesystem caches once, so that neither tool pays for a cold
# directory cache (the first tool to walk / would otherwise).
find / -xdev >/dev/null 2>&1 || true
find "$ROOT" >/dev/null 2>&1 || true

echo "content: $SRC (platform line removed), profile $PROFILE, $(nproc) cores"
s_host=$(t "$SCAPC" eval "$tmp/d11.xml" --profile "$PROFILE" --results-arf "$tmp/s1.xml" -q)
o_host=$(t oscap xccdf eval --profile "$PROFILE" --results-arf "$tmp/o1.xml" "$tmp/d11.xml")
s_off=$(t "$SCAPC" eval "$tmp/d11.xml" --profile "$PROFILE" --target "dir:$ROOT" --results-arf "$tmp/s2.xml" -q)
o_off=$(t oscap-chroot "$ROOT" xccdf eval --profile "$PROFILE" --results-arf "$tmp/o2.xml" "$tmp/d11.xml")
RHEL8=/usr/share/xml/scap/ssg/content/ssg-rhel8-ds.xml
s_r8=$(t "$SCAPC" eval "$RHEL8" --profile standard --results-arf "$tmp/s3.xml" -q)
o_r8=$(t oscap xccdf eval --profile standard --results-arf "$tmp/o3.xml" "$RHEL8")

printf '\nwall time, load average %s on %s cores (cpu = user + system)\n' "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)"
printf '%-30s %10s %10s %8s   %9s %9s %8s\n' "" scapc oscap ratio "cpu scapc" "cpu oscap" ratio
ok=1
row() {
    local r c
    r=$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.3f", a / b }')
    c=$(awk -v a="$5" -v b="$6" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "-" }')
    printf '%-30s %9ss %9ss %8s   %8ss %8ss %8s   goal <= %s\n' "$1" "$2" "$3" "$r" "$5" "$6" "$c" "$4"
    awk -v r="$r" -v g="$4" 'BEGIN { exit !(r <= g) }' || ok=0
}
row "host, (all)" "$s_host" "$o_host" 0.2 "$(cpu 1)" "$(cpu 2)"
row "offline root filesystem" "$s_off" "$o_off" 0.5 "$(cpu 3)" "$(cpu 4)"
row "rhel8 standard (notapplicable)" "$s_r8" "$o_r8" 0.2 "$(cpu 5)" "$(cpu 6)"
# the results must agree for the timing to mean anything
for pair in "s1 o1" "s2 o2" "s3 o3"; do
    set -- $pair
    python3 - "$tmp/$1.xml" "$tmp/$2.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
NS = '{http://checklists.nist.gov/xccdf/1.2}'
def res(p):
    return {r.get('idref'): r.find(NS + 'result').text for r in ET.parse(p).getroot().iter(NS + 'rule-result')}
a, b = res(sys.argv[1]), res(sys.argv[2])
d = [k for k in a if a[k] != b.get(k)]
print(f"  {len(a)} rules, {len(d)} differ between scapc and oscap" + (": " + ", ".join(d[:10]) if d else ""))
PY
done
[ "$ok" = 1 ] && echo "goals met" || echo "goals NOT met"
