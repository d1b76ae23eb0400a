#!/bin/bash
# The option appears only in a commented-out entry.
sed -i -E '\|^[[:space:]]*[^#[:space:]]+[[:space:]]+/dev/shm/?[[:space:]]|d' /etc/fstab
echo '#tmpfs /dev/shm tmpfs defaults,nosuid,noexec,nodev 0 0' >> /etc/fstab
echo 'tmpfs /dev/shm tmpfs defaults,nosuid,noexec 0 0' >> /etc/fstab
