#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install sctp /bin/false\nblacklist sctp\n' > /etc/modprobe.d/sctp.conf
