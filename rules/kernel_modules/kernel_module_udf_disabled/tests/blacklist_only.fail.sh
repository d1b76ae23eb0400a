#!/bin/bash
# A blacklist line does not stop an explicit modprobe.
sed -i -E '/^[[:space:]]*install[[:space:]]+udf[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
mkdir -p /etc/modprobe.d
echo 'blacklist udf' > /etc/modprobe.d/udf.conf
