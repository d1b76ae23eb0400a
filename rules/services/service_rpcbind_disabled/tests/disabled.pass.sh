#!/bin/bash
# packages = rpcbind
rm -f /etc/systemd/system/*.wants/rpcbind.service
rm -f /etc/systemd/system/rpcbind.service
