#!/bin/bash
# A blacklist line does not stop an explicit modprobe.
sed -i -E '/^[[:space:]]*install[[:space:]]+tipc[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
mkdir -p /etc/modprobe.d
echo 'blacklist tipc' > /etc/modprobe.d/tipc.conf
