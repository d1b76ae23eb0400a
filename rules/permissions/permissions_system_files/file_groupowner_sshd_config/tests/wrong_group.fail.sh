#!/bin/bash
# packages = openssh-server
touch /etc/ssh/sshd_config
# gid 1 is daemon
chgrp 1 /etc/ssh/sshd_config
