#!/bin/bash
# packages = apache2
rm -f /etc/systemd/system/*.wants/apache2.service
rm -f /etc/systemd/system/apache2.service
