#!/bin/bash
export DEBIAN_FRONTEND=noninteractive
if dpkg-query --show --showformat='${db:Status-Status}' avahi-daemon 2>/dev/null | grep -qx installed; then
    apt-get purge -y avahi-daemon
fi
