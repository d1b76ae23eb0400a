#!/bin/bash
# packages = nginx-common
rm -f /etc/systemd/system/*.wants/nginx.service
rm -f /etc/systemd/system/nginx.service
