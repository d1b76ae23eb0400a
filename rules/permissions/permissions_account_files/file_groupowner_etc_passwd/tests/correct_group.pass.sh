#!/bin/bash
touch /etc/passwd
chgrp 0 /etc/passwd
