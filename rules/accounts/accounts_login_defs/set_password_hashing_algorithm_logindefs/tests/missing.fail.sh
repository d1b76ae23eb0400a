#!/bin/bash
sed -i -E '/^[[:space:]]*ENCRYPT_METHOD[[:space:]]/d' /etc/login.defs
