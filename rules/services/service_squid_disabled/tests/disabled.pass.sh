#!/bin/bash
# packages = squid
rm -f /etc/systemd/system/*.wants/squid.service
rm -f /etc/systemd/system/squid.service
