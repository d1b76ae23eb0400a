#!/bin/bash
sed -i '/install[[:space:]]\+udf[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
