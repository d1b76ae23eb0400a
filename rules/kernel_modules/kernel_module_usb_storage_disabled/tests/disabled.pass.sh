#!/bin/bash
mkdir -p /etc/modprobe.d
printf 'install usb-storage /bin/false\nblacklist usb-storage\n' > /etc/modprobe.d/usb-storage.conf
