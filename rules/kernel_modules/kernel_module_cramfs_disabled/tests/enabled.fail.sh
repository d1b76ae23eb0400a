#!/bin/bash
sed -i -E '/^[[:space:]]*install[[:space:]]+cramfs[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
