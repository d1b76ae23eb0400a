#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install hfs /bin/false' > /etc/modprobe.d/hfs.conf
