#!/bin/bash
# Lock every account with an empty password field, as the fix does.
awk -F: '$2 == "" { print $1 }' /etc/shadow | while read -r user; do
    passwd -l "$user"
done
