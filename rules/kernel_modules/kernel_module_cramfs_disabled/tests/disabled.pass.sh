#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install cramfs /bin/false' > /etc/modprobe.d/cramfs.conf
