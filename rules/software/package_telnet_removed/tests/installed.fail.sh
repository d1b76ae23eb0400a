#!/bin/bash
# packages = telnet
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' telnet 2>/dev/null | grep -qx installed || apt-get install -y telnet
