#!/bin/bash
# Only a commented-out line has the value.
sed -i -E '/^[[:space:]]*UMASK[[:space:]]/d' /etc/login.defs
echo '#UMASK 027' >> /etc/login.defs
