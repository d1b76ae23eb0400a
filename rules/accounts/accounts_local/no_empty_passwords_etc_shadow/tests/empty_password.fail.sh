#!/bin/bash
useradd -M -s /bin/bash scapc_empty 2>/dev/null || true
usermod -p '' scapc_empty
