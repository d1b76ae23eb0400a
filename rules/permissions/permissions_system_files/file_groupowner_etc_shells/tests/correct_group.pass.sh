#!/bin/bash
touch /etc/shells
chgrp 0 /etc/shells
