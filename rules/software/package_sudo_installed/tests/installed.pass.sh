#!/bin/bash
# packages = sudo
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' sudo 2>/dev/null | grep -qx installed || apt-get install -y sudo
