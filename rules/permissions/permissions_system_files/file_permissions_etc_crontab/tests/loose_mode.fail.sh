#!/bin/bash
touch /etc/crontab
chmod 0644 /etc/crontab
