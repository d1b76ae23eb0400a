#!/bin/bash
touch /etc/security/opasswd
chown 0 /etc/security/opasswd
