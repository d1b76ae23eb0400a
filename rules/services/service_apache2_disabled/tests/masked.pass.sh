#!/bin/bash
# packages = apache2
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/apache2.service /etc/systemd/system/multi-user.target.wants/apache2.service
ln -sfn /dev/null /etc/systemd/system/apache2.service
