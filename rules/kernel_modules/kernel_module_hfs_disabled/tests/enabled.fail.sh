#!/bin/bash
sed -i '/install[[:space:]]\+hfs[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
