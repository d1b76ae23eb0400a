#!/bin/bash
sed -i '\# /dev/shm #d' /etc/fstab
echo 'tmpfs /dev/shm tmpfs defaults 0 0' >> /etc/fstab
