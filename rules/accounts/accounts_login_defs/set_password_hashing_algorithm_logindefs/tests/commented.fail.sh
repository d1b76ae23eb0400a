#!/bin/bash
# Only a commented-out line has the value.
sed -i -E '/^[[:space:]]*ENCRYPT_METHOD[[:space:]]/d' /etc/login.defs
echo '#ENCRYPT_METHOD SHA512' >> /etc/login.defs
