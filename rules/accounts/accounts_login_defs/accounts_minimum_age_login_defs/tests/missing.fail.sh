#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_MIN_DAYS[[:space:]]/d' /etc/login.defs
