#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install rds /bin/false\nblacklist rds\n' > /etc/modprobe.d/rds.conf
