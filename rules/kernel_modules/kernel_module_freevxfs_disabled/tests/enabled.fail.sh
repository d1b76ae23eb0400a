#!/bin/bash
sed -i '/install[[:space:]]\+freevxfs[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
