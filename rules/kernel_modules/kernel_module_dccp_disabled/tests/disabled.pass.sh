#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install dccp /bin/false\nblacklist dccp\n' > /etc/modprobe.d/dccp.conf
