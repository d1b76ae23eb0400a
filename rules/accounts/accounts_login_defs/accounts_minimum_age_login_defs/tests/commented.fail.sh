#!/bin/bash
# Only a commented-out line has the value.
sed -i -E '/^[[:space:]]*PASS_MIN_DAYS[[:space:]]/d' /etc/login.defs
echo '#PASS_MIN_DAYS 7' >> /etc/login.defs
