#!/bin/bash
# check-import = stdout
# Passes when no user id appears twice in /etc/passwd. Prints the accounts
# that share an id.
if [ ! -r /etc/passwd ]; then
    echo "/etc/passwd cannot be read"
    exit "$XCCDF_RESULT_ERROR"
fi
dups=$(awk -F: 'NF >= 3 && $3 != "" { n[$3]++; who[$3] = who[$3] (who[$3] == "" ? "" : ",") $1 }
    END { for (u in n) if (n[u] > 1) print "user id " u " is shared by " who[u] }' /etc/passwd)
if [ -n "$dups" ]; then
    printf '%s\n' "$dups"
    exit "$XCCDF_RESULT_FAIL"
fi
exit "$XCCDF_RESULT_PASS"
