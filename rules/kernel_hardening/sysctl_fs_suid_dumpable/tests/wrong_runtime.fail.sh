#!/bin/bash
echo 'fs.suid_dumpable = 0' > /etc/sysctl.d/90-test.conf
sysctl -w fs.suid_dumpable=2
