#!/bin/bash
sed -i '/^scapc_uid0:/d' /etc/passwd
echo 'scapc_uid0:x:0:0:scapc test:/root:/usr/sbin/nologin' >> /etc/passwd
