#!/bin/bash
sed -i -E '\|^[[:space:]]*[^#[:space:]]+[[:space:]]+/var/tmp/?[[:space:]]|d' /etc/fstab
echo 'tmpfs /var/tmp tmpfs defaults,mode=1777,nodev,nosuid 0 0' >> /etc/fstab
