#!/bin/bash
touch /etc/security/opasswd
chmod 0400 /etc/security/opasswd
