#!/bin/bash
touch /etc/crontab
chmod 0600 /etc/crontab
