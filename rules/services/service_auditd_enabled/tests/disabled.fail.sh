#!/bin/bash
# packages = auditd
rm -f /etc/systemd/system/*.wants/auditd.service
