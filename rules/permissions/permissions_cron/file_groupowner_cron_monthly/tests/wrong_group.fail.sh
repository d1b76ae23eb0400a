#!/bin/bash
# packages = cron
mkdir -p /etc/cron.monthly
# gid 1 is daemon
chgrp 1 /etc/cron.monthly
