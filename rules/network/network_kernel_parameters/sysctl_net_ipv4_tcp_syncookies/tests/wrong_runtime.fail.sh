#!/bin/bash
echo 'net.ipv4.tcp_syncookies = 1' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.tcp_syncookies=0
