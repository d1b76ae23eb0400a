#!/bin/bash
echo 'net.ipv4.icmp_echo_ignore_broadcasts = 1' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.icmp_echo_ignore_broadcasts=0
