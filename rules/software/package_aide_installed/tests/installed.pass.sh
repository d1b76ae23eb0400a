#!/bin/bash
# packages = aide
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' aide 2>/dev/null | grep -qx installed || apt-get install -y aide
