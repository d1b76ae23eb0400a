#!/bin/bash
# Only a commented-out line has the value.
sed -i -E '/^[[:space:]]*PASS_MAX_DAYS[[:space:]]/d' /etc/login.defs
echo '#PASS_MAX_DAYS 60' >> /etc/login.defs
