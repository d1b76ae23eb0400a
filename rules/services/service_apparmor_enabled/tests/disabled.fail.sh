#!/bin/bash
# packages = apparmor
rm -f /etc/systemd/system/*.wants/apparmor.service
