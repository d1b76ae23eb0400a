#!/bin/bash
export DEBIAN_FRONTEND=noninteractive
if dpkg-query --show --showformat='${db:Status-Status}' apparmor 2>/dev/null | grep -qx installed; then
    apt-get purge -y apparmor
fi
