#!/bin/bash
echo 'net.ipv4.conf.all.log_martians = 1' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.conf.all.log_martians=0
