#!/bin/bash
touch /etc/shells
chown 0 /etc/shells
