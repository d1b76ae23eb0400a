#!/bin/bash
touch /etc/security/opasswd
chgrp 0 /etc/security/opasswd
