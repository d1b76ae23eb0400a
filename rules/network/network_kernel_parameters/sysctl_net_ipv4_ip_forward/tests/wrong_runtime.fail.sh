#!/bin/bash
echo 'net.ipv4.ip_forward = 0' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.ip_forward=1
