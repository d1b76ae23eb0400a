#!/bin/bash
# packages = cron
touch /etc/crontab
chgrp 0 /etc/crontab
