#!/bin/bash
# packages = cron
rm -f /etc/systemd/system/*.wants/cron.service
