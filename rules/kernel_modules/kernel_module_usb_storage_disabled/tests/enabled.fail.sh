#!/bin/bash
sed -i '/install[[:space:]]\+usb-storage[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
