#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_WARN_AGE[[:space:]]/d' /etc/login.defs
