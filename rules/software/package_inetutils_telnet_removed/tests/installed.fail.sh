#!/bin/bash
# packages = inetutils-telnet
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' inetutils-telnet 2>/dev/null | grep -qx installed || apt-get install -y inetutils-telnet
