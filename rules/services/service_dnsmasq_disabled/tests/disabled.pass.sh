#!/bin/bash
# packages = dnsmasq
rm -f /etc/systemd/system/*.wants/dnsmasq.service
rm -f /etc/systemd/system/dnsmasq.service
