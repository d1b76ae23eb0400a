#!/bin/bash
touch /etc/security/opasswd
# gid 1 is daemon
chgrp 1 /etc/security/opasswd
