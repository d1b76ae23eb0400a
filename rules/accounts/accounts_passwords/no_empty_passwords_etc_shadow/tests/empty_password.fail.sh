#!/bin/bash
useradd -m scapc_test 2>/dev/null || true
usermod -p '' scapc_test
