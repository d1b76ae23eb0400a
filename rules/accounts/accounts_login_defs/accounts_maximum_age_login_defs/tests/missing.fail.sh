#!/bin/bash
sed -i -E '/^[[:space:]]*PASS_MAX_DAYS[[:space:]]/d' /etc/login.defs
