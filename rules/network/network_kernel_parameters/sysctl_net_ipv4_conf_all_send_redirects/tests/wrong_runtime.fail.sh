#!/bin/bash
echo 'net.ipv4.conf.all.send_redirects = 0' > /etc/sysctl.d/90-test.conf
sysctl -w net.ipv4.conf.all.send_redirects=1
