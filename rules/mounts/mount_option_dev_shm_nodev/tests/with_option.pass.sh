#!/bin/bash
sed -i -E '\|^[[:space:]]*[^#[:space:]]+[[:space:]]+/dev/shm/?[[:space:]]|d' /etc/fstab
echo 'tmpfs /dev/shm tmpfs defaults,nosuid,noexec,nodev 0 0' >> /etc/fstab
