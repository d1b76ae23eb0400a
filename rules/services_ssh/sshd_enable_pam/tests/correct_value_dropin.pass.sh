#!/bin/bash
# packages = openssh-server
shopt -s nullglob
mkdir -p /etc/ssh/sshd_config.d
touch /etc/ssh/sshd_config
# Remove every line that sets UsePAM, from the main file and the drop-ins.
sed -i -E '/^[[:space:]]*UsePAM[[:space:]]/Id' /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf
# Set in a drop-in file only.
echo 'UsePAM yes' > /etc/ssh/sshd_config.d/50-scenario.conf
