#!/bin/bash
sed -i -E '/^[[:space:]]*UMASK[[:space:]]/d' /etc/login.defs
echo 'UMASK 022' >> /etc/login.defs
