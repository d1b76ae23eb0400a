#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*MaxSessions[[:space:]]/Id' /etc/ssh/sshd_config
echo 'MaxSessions 100' >> /etc/ssh/sshd_config
