#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install cramfs /bin/false\nblacklist cramfs\n' > /etc/modprobe.d/cramfs.conf
