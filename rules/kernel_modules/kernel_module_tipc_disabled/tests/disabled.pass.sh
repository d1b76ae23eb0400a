#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install tipc /bin/false\nblacklist tipc\n' > /etc/modprobe.d/tipc.conf
