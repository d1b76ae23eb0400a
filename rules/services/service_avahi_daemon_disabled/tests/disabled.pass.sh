#!/bin/bash
# packages = avahi-daemon
rm -f /etc/systemd/system/*.wants/avahi-daemon.service
