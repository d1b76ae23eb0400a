#!/bin/bash
# A blacklist line does not stop an explicit modprobe.
sed -i -E '/^[[:space:]]*install[[:space:]]+rds[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
mkdir -p /etc/modprobe.d
echo 'blacklist rds' > /etc/modprobe.d/rds.conf
