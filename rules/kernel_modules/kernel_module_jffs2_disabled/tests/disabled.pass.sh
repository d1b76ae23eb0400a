#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install jffs2 /bin/false' > /etc/modprobe.d/jffs2.conf
