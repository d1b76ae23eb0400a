#!/bin/bash
sed -i '\# /var/tmp #d' /etc/fstab
echo 'tmpfs /var/tmp tmpfs defaults 0 0' >> /etc/fstab
