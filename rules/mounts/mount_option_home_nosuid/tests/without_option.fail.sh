#!/bin/bash
sed -i -E '\|^[[:space:]]*[^#[:space:]]+[[:space:]]+/home/?[[:space:]]|d' /etc/fstab
echo 'LABEL=scapc-home /home ext4 defaults,nofail,nodev 0 2' >> /etc/fstab
