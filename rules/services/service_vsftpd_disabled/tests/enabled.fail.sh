#!/bin/bash
# packages = vsftpd
rm -f /etc/systemd/system/vsftpd.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/vsftpd.service /etc/systemd/system/multi-user.target.wants/vsftpd.service
