#!/bin/bash
sed -i '\# /tmp #d' /etc/fstab
echo 'tmpfs /tmp tmpfs defaults,noexec 0 0' >> /etc/fstab
