#!/bin/bash
touch /etc/shadow
chown 1 /etc/shadow
