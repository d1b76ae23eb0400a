#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*LogLevel[[:space:]]/Id' /etc/ssh/sshd_config
echo 'LogLevel QUIET' >> /etc/ssh/sshd_config
