#!/bin/bash
# packages = cups-daemon
rm -f /etc/systemd/system/*.wants/cups.service
rm -f /etc/systemd/system/cups.service
