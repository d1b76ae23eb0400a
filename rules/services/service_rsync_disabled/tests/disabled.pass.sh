#!/bin/bash
# packages = rsync
rm -f /etc/systemd/system/*.wants/rsync.service
rm -f /etc/systemd/system/rsync.service
