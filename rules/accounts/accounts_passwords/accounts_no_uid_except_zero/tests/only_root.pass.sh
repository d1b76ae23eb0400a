#!/bin/bash
sed -i '/^scapc_uid0:/d' /etc/passwd
