#!/bin/bash
# packages = ldap-utils
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' ldap-utils 2>/dev/null | grep -qx installed || apt-get install -y ldap-utils
