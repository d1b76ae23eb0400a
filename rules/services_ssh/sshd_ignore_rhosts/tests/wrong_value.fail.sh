#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*IgnoreRhosts[[:space:]]/Id' /etc/ssh/sshd_config
echo 'IgnoreRhosts no' >> /etc/ssh/sshd_config
