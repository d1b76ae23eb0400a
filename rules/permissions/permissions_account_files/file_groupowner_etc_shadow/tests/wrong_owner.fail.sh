#!/bin/bash
touch /etc/shadow
chgrp 1 /etc/shadow
