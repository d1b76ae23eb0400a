#!/bin/bash
# packages = rsh-client
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' rsh-client 2>/dev/null | grep -qx installed || apt-get install -y rsh-client
