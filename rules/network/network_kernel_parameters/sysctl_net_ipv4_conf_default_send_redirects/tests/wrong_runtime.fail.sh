#!/bin/bash
echo 'net.ipv4.conf.default.send_redirects = 0' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.conf.default.send_redirects=1
