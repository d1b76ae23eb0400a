#!/bin/bash
touch /etc/shadow
chgrp 42 /etc/shadow
