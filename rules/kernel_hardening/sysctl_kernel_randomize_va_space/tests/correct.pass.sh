#!/bin/bash
sed -i '/^[[:space:]]*kernel[.]randomize_va_space[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'kernel.randomize_va_space = 2' > /etc/sysctl.d/90-test.conf
