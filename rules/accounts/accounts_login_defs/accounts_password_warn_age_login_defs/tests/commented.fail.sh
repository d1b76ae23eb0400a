#!/bin/bash
# Only a commented-out line has the value.
sed -i -E '/^[[:space:]]*PASS_WARN_AGE[[:space:]]/d' /etc/login.defs
echo '#PASS_WARN_AGE 14' >> /etc/login.defs
