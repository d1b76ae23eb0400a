#!/bin/bash
# packages = avahi-daemon
rm -f /etc/systemd/system/*.wants/avahi-daemon.service
rm -f /etc/systemd/system/avahi-daemon.service
