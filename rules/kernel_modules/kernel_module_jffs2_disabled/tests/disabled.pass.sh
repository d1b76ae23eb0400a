#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install jffs2 /bin/false\nblacklist jffs2\n' > /etc/modprobe.d/jffs2.conf
