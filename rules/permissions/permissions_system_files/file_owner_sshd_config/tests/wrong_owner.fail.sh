#!/bin/bash
# packages = openssh-server
touch /etc/ssh/sshd_config
# uid 1 is daemon
chown 1 /etc/ssh/sshd_config
