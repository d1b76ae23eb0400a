#!/bin/bash
touch /etc/security/opasswd
chmod 0600 /etc/security/opasswd
