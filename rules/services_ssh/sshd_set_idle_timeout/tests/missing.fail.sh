#!/bin/bash
# packages = openssh-server
shopt -s nullglob
mkdir -p /etc/ssh/sshd_config.d
touch /etc/ssh/sshd_config
# Remove every line that sets ClientAliveInterval, from the main file and the drop-ins.
sed -i -E '/^[[:space:]]*ClientAliveInterval[[:space:]]/Id' /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf
