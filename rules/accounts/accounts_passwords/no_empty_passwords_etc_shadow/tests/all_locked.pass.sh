#!/bin/bash
useradd -m scapc_test 2>/dev/null || true
passwd -l scapc_test
