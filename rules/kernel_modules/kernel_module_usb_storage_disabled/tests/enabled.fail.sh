#!/bin/bash
sed -i -E '/^[[:space:]]*install[[:space:]]+usb[-_]storage[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
