#!/bin/bash
DEBIAN_FRONTEND=noninteractive apt-get install -y auditd
