# platform = multi_platform_all
# reboot = false
# strategy = restrict
# complexity = low
# disruption = medium
# Lock every account whose password field in /etc/shadow is empty. A locked
# account has "!" in front of its (empty) hash, so running this again
# changes nothing.
awk -F: '$2 == "" { print $1 }' /etc/shadow | while read -r scapc_user; do
    passwd -l "$scapc_user"
done
