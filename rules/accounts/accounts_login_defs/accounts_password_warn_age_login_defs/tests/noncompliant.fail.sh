#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_WARN_AGE[[:space:]]/d' /etc/login.defs
echo 'PASS_WARN_AGE 0' >> /etc/login.defs
