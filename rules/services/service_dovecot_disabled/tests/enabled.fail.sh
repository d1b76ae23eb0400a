#!/bin/bash
# packages = dovecot-core
rm -f /etc/systemd/system/dovecot.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/dovecot.service /etc/systemd/system/multi-user.target.wants/dovecot.service
