#!/bin/bash
# packages = auditd
export DEBIAN_FRONTEND=noninteractive
dpkg-query --show --showformat='${db:Status-Status}' auditd 2>/dev/null | grep -qx installed || apt-get install -y auditd
