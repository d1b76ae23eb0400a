#!/bin/bash
# The option appears only in a commented-out entry.
sed -i -E '\|^[[:space:]]*[^#[:space:]]+[[:space:]]+/var/tmp/?[[:space:]]|d' /etc/fstab
echo '#tmpfs /var/tmp tmpfs defaults,mode=1777,nodev,noexec,nosuid 0 0' >> /etc/fstab
echo 'tmpfs /var/tmp tmpfs defaults,mode=1777,nodev,noexec 0 0' >> /etc/fstab
