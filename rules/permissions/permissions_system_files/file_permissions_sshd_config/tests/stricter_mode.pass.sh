#!/bin/bash
# packages = openssh-server
touch /etc/ssh/sshd_config
chmod 0400 /etc/ssh/sshd_config
