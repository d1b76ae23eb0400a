#!/bin/bash
touch /etc/gshadow-
chmod 0400 /etc/gshadow-
