#!/bin/bash
sed -i -E '/^[[:space:]]*UMASK[[:space:]]/d' /etc/login.defs
echo 'UMASK 027' >> /etc/login.defs
