#!/bin/bash
# packages = xinetd
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' xinetd 2>/dev/null | grep -qx installed || apt-get install -y xinetd
