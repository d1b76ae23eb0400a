#!/bin/bash
sed -i -E '/^[[:space:]]*UMASK[[:space:]]/d' /etc/login.defs
