#!/bin/bash
# packages = openssh-server
shopt -s nullglob
mkdir -p /etc/ssh/sshd_config.d
touch /etc/ssh/sshd_config
# Remove every line that sets MaxSessions, from the main file and the drop-ins.
sed -i -E '/^[[:space:]]*MaxSessions[[:space:]]/Id' /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf
# Put the line first, where no Match block can capture it.
if [ -s /etc/ssh/sshd_config ]; then
    sed -i '1i MaxSessions 100' /etc/ssh/sshd_config
else
    echo 'MaxSessions 100' > /etc/ssh/sshd_config
fi
