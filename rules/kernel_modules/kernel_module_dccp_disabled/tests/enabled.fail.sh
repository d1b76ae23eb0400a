#!/bin/bash
sed -i '/install[[:space:]]\+dccp[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
