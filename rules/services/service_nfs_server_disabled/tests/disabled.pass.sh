#!/bin/bash
# packages = nfs-kernel-server
rm -f /etc/systemd/system/*.wants/nfs-server.service
rm -f /etc/systemd/system/nfs-server.service
