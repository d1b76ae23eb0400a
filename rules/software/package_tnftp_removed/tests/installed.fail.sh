#!/bin/bash
# packages = tnftp
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' tnftp 2>/dev/null | grep -qx installed || apt-get install -y tnftp
