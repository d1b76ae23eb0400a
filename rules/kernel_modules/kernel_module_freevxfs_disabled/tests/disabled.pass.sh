#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install freevxfs /bin/false' > /etc/modprobe.d/freevxfs.conf
