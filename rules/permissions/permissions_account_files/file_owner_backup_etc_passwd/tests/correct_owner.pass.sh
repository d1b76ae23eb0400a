#!/bin/bash
touch /etc/passwd-
chown 0 /etc/passwd-
