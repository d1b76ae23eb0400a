#!/bin/bash
# packages = cups
rm -f /etc/systemd/system/*.wants/cups.service
