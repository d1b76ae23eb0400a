#!/bin/bash
sed -i '/install[[:space:]]\+cramfs[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
