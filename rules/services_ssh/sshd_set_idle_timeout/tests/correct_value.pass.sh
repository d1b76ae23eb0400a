#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*ClientAliveInterval[[:space:]]/Id' /etc/ssh/sshd_config
echo 'ClientAliveInterval 300' >> /etc/ssh/sshd_config
