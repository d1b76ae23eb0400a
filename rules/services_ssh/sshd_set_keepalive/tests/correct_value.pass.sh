#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*ClientAliveCountMax[[:space:]]/Id' /etc/ssh/sshd_config
echo 'ClientAliveCountMax 1' >> /etc/ssh/sshd_config
