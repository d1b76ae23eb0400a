#!/bin/bash
# A blacklist line does not stop an explicit modprobe.
sed -i -E '/^[[:space:]]*install[[:space:]]+freevxfs[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
mkdir -p /etc/modprobe.d
echo 'blacklist freevxfs' > /etc/modprobe.d/freevxfs.conf
