#!/bin/bash
# check-import = stdout
# Only root may have user id 0.
others=$(awk -F: '$3 == 0 && $1 != "root" { print $1 }' /etc/passwd)
if [ -n "$others" ]; then
    echo "accounts with uid 0 besides root: $others"
    exit "$XCCDF_RESULT_FAIL"
fi
exit "$XCCDF_RESULT_PASS"
