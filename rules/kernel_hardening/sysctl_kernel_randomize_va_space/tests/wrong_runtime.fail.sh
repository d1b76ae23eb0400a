#!/bin/bash
echo 'kernel.randomize_va_space = 2' > /etc/sysctl.d/90-test.conf
sysctl -w kernel.randomize_va_space=0
