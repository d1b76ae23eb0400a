#!/bin/bash
# A blacklist line does not stop an explicit modprobe.
sed -i -E '/^[[:space:]]*install[[:space:]]+hfs[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
mkdir -p /etc/modprobe.d
echo 'blacklist hfs' > /etc/modprobe.d/hfs.conf
