#!/bin/bash
# packages = vsftpd
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/vsftpd.service /etc/systemd/system/multi-user.target.wants/vsftpd.service
ln -sfn /dev/null /etc/systemd/system/vsftpd.service
