#!/bin/bash
sed -i '\# /home #d' /etc/fstab
echo 'tmpfs /home tmpfs defaults,nodev 0 0' >> /etc/fstab
