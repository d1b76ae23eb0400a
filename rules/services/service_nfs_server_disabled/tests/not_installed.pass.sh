#!/bin/bash
DEBIAN_FRONTEND=noninteractive apt-get remove -y nfs-kernel-server || true
