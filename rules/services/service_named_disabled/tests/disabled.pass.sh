#!/bin/bash
# packages = bind9
rm -f /etc/systemd/system/*.wants/named.service
rm -f /etc/systemd/system/named.service
