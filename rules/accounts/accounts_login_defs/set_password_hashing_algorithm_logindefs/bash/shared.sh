# platform = multi_platform_all
# reboot = false
# strategy = restrict
# complexity = low
# disruption = low
{{{ bash_set_line_function() }}}
# The check accepts SHA512 and YESCRYPT. Leave the file alone when every
# setting already uses one of them; otherwise set SHA512 once.
scapc_strong='^[[:space:]]*ENCRYPT_METHOD[[:space:]]+(SHA512|YESCRYPT)[[:space:]]*$'
scapc_any='^[[:space:]]*ENCRYPT_METHOD([[:space:]]|$)'
if ! grep -Eq "$scapc_strong" /etc/login.defs 2>/dev/null \
    || grep -E "$scapc_any" /etc/login.defs | grep -Evq "$scapc_strong"; then
    scapc_set_line /etc/login.defs 'ENCRYPT_METHOD' 'ENCRYPT_METHOD SHA512'
fi
