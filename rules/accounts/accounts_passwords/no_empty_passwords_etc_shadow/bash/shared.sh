# platform = multi_platform_all
# reboot = false
# strategy = restrict
# complexity = low
# disruption = medium
# Lock every account whose password field is empty.
awk -F: '$2 == "" { print $1 }' /etc/shadow | while read -r user; do
    passwd -l "$user"
done
