#!/bin/bash
touch /etc/shells
chmod 0644 /etc/shells
