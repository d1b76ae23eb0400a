#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*X11Forwarding[[:space:]]/Id' /etc/ssh/sshd_config
echo 'X11Forwarding no' >> /etc/ssh/sshd_config
