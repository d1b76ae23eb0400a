#!/bin/bash
touch /etc/security/opasswd
# uid 1 is daemon
chown 1 /etc/security/opasswd
