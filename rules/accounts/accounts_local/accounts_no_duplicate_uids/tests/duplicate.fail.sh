#!/bin/bash
sed -i '/^scapc_dup:/d' /etc/passwd
nobody_uid=$(id -u nobody)
echo "scapc_dup:x:${nobody_uid}:${nobody_uid}:scapc test:/nonexistent:/usr/sbin/nologin" >> /etc/passwd
