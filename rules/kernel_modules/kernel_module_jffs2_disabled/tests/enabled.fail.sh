#!/bin/bash
sed -i -E '/^[[:space:]]*install[[:space:]]+jffs2[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
