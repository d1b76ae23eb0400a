#!/bin/bash
export DEBIAN_FRONTEND=noninteractive
if dpkg-query --show --showformat='${db:Status-Status}' nginx-common 2>/dev/null | grep -qx installed; then
    apt-get purge -y nginx-common
fi
