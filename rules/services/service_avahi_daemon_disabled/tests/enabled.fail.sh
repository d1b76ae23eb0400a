#!/bin/bash
# packages = avahi-daemon
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /lib/systemd/system/avahi-daemon.service /etc/systemd/system/multi-user.target.wants/avahi-daemon.service
