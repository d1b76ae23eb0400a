#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*MaxAuthTries[[:space:]]/Id' /etc/ssh/sshd_config
echo 'MaxAuthTries 10' >> /etc/ssh/sshd_config
