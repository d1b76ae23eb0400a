#!/bin/bash
# Drop accounts that reuse the user id of an earlier entry.
awk -F: 'seen[$3]++ { print $1 }' /etc/passwd | while read -r user; do
    sed -i "/^${user}:/d" /etc/passwd
done
