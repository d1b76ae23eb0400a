#!/bin/bash
# packages = audispd-plugins
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' audispd-plugins 2>/dev/null | grep -qx installed || apt-get install -y audispd-plugins
