#!/bin/bash
# packages = talk
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' talk 2>/dev/null | grep -qx installed || apt-get install -y talk
