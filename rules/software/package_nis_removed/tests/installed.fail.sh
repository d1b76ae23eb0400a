#!/bin/bash
# packages = nis
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' nis 2>/dev/null | grep -qx installed || apt-get install -y nis
