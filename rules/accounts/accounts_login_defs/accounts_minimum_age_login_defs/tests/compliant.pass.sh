#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_MIN_DAYS[[:space:]]/d' /etc/login.defs
echo 'PASS_MIN_DAYS 1' >> /etc/login.defs
