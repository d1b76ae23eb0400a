#!/bin/bash
# packages = vsftpd
rm -f /etc/systemd/system/*.wants/vsftpd.service
rm -f /etc/systemd/system/vsftpd.service
