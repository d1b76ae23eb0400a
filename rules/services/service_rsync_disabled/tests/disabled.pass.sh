#!/bin/bash
# packages = rsync
rm -f /etc/systemd/system/*.wants/rsync.service
