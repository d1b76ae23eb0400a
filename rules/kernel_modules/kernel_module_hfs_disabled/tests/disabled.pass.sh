#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install hfs /bin/false\nblacklist hfs\n' > /etc/modprobe.d/hfs.conf
