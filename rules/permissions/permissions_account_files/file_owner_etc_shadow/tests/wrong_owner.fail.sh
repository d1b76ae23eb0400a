#!/bin/bash
touch /etc/shadow
# uid 1 is daemon
chown 1 /etc/shadow
