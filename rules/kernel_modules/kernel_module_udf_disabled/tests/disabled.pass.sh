#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install udf /bin/false' > /etc/modprobe.d/udf.conf
