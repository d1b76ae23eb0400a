#!/bin/bash
# packages = dovecot-core
rm -f /etc/systemd/system/*.wants/dovecot.service
rm -f /etc/systemd/system/dovecot.service
