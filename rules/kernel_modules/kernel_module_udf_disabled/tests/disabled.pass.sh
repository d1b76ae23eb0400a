#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install udf /bin/false\nblacklist udf\n' > /etc/modprobe.d/udf.conf
