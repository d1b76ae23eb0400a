#!/bin/bash
# packages = dovecot-core
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/dovecot.service /etc/systemd/system/multi-user.target.wants/dovecot.service
ln -sfn /dev/null /etc/systemd/system/dovecot.service
