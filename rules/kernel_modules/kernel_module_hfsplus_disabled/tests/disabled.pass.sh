#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install hfsplus /bin/false' > /etc/modprobe.d/hfsplus.conf
