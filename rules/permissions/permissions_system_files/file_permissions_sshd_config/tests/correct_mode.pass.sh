#!/bin/bash
# packages = openssh-server
touch /etc/ssh/sshd_config
chmod 0600 /etc/ssh/sshd_config
