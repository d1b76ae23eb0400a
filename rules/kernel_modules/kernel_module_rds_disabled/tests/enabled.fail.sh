#!/bin/bash
sed -i -E '/^[[:space:]]*install[[:space:]]+rds[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
