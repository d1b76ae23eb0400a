#!/bin/bash
mkdir -p /etc/modprobe.d
echo 'install usb-storage /bin/false' > /etc/modprobe.d/usb_storage.conf
