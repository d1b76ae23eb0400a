#!/bin/bash
export DEBIAN_FRONTEND=noninteractive
if dpkg-query --show --showformat='${db:Status-Status}' nfs-kernel-server 2>/dev/null | grep -qx installed; then
    apt-get purge -y nfs-kernel-server
fi
