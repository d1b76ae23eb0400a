#!/bin/bash
touch /etc/shadow-
chown 0 /etc/shadow-
