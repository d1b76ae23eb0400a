#!/bin/bash
sed -i -E '/^[[:space:]]*ENCRYPT_METHOD[[:space:]]/d' /etc/login.defs
echo 'ENCRYPT_METHOD YESCRYPT' >> /etc/login.defs
