#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_WARN_AGE[[:space:]]/d' /etc/login.defs
echo 'PASS_WARN_AGE 14' >> /etc/login.defs
