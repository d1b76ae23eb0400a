#!/bin/bash
# packages = openssh-server
mkdir -p /etc/ssh
touch /etc/ssh/sshd_config
sed -i -E '/^[[:space:]]*HostbasedAuthentication[[:space:]]/Id' /etc/ssh/sshd_config
echo 'HostbasedAuthentication no' >> /etc/ssh/sshd_config
