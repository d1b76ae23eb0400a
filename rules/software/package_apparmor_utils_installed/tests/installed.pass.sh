#!/bin/bash
# packages = apparmor-utils
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' apparmor-utils 2>/dev/null | grep -qx installed || apt-get install -y apparmor-utils
