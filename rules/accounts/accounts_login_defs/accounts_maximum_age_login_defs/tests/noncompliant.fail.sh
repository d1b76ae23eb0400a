#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_MAX_DAYS[[:space:]]/d' /etc/login.defs
echo 'PASS_MAX_DAYS 99999' >> /etc/login.defs
