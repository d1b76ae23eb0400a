#!/bin/bash
# Nothing sets the parameter for the next boot (the running kernel may
# have the right value: an offline root has none to look at).
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]default[.]accept_source_route[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
