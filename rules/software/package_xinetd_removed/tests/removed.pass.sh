#!/bin/bash
DEBIAN_FRONTEND=noninteractive apt-get remove -y xinetd || true
