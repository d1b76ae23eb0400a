#!/bin/bash
export DEBIAN_FRONTEND=noninteractive
if dpkg-query --show --showformat='${db:Status-Status}' sudo 2>/dev/null | grep -qx installed; then
    SUDO_FORCE_REMOVE=yes apt-get purge -y sudo
fi
