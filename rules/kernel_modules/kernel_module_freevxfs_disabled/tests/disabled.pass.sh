#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install freevxfs /bin/false\nblacklist freevxfs\n' > /etc/modprobe.d/freevxfs.conf
