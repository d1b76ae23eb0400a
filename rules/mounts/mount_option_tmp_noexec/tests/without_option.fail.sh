#!/bin/bash
sed -i '\# /tmp #d' /etc/fstab
echo 'tmpfs /tmp tmpfs defaults 0 0' >> /etc/fstab
