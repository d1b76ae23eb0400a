#!/bin/bash
sed -i -E '\|^[[:space:]]*[^#[:space:]]+[[:space:]]+/tmp/?[[:space:]]|d' /etc/fstab
echo 'tmpfs /tmp tmpfs defaults,mode=1777,nosuid,noexec 0 0' >> /etc/fstab
