#!/bin/bash
# packages = apparmor
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' apparmor 2>/dev/null | grep -qx installed || apt-get install -y apparmor
