#!/bin/bash
# packages = apache2
rm -f /etc/systemd/system/apache2.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/apache2.service /etc/systemd/system/multi-user.target.wants/apache2.service
