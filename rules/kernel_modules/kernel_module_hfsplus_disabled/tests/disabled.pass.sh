#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install hfsplus /bin/false\nblacklist hfsplus\n' > /etc/modprobe.d/hfsplus.conf
