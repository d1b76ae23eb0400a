#!/bin/bash
# packages = samba
rm -f /etc/systemd/system/*.wants/smbd.service
rm -f /etc/systemd/system/smbd.service
