#!/bin/bash
# Remove every account with user id 0 except root.
sed -i -E '/^root:/!{/^[^:]*:[^:]*:0+:/d}' /etc/passwd
