#!/bin/bash
echo 'net.ipv4.conf.all.rp_filter = 1' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.conf.all.rp_filter=0
