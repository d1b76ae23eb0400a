#!/bin/bash
touch /etc/gshadow-
chmod 0640 /etc/gshadow-
