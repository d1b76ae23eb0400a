#!/bin/bash
# packages = openssh-server
shopt -s nullglob
mkdir -p /etc/ssh/sshd_config.d
touch /etc/ssh/sshd_config
# Remove every line that sets UsePAM, from the main file and the drop-ins.
sed -i -E '/^[[:space:]]*UsePAM[[:space:]]/Id' /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf
# Put the line first, where no Match block can capture it.
if [ -s /etc/ssh/sshd_config ]; then
    sed -i '1i UsePAM yes' /etc/ssh/sshd_config
else
    echo 'UsePAM yes' > /etc/ssh/sshd_config
fi
# A drop-in file overrides the main file.
echo 'UsePAM no' > /etc/ssh/sshd_config.d/50-scenario.conf
