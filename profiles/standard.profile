documentation_complete: true
title: Standard Security Baseline for Debian 12
description: |-
  A baseline for any Debian 12 server: no direct root or password-less SSH access, protected account files, no legacy
  clear-text clients, safe network defaults, sane password ageing and a few restrictions that rarely get in the way.
selections:
  - sshd_disable_root_login
  - sshd_disable_empty_passwords
  - sshd_disable_host_auth
  - sshd_ignore_rhosts
  - sshd_set_max_auth_tries
  - sshd_set_idle_timeout
  - file_permissions_etc_passwd
  - file_owner_etc_passwd
  - file_groupowner_etc_passwd
  - file_permissions_etc_shadow
  - file_owner_etc_shadow
  - file_groupowner_etc_shadow
  - file_permissions_etc_group
  - file_groupowner_etc_group
  - file_permissions_etc_gshadow
  - file_groupowner_etc_gshadow
  - package_sudo_installed
  - package_telnet_removed
  - package_rsh_client_removed
  - package_nis_removed
  - service_cron_enabled
  - service_avahi_daemon_disabled
  - service_cups_disabled
  - sysctl_net_ipv4_ip_forward
  - sysctl_net_ipv4_conf_all_accept_redirects
  - sysctl_net_ipv4_tcp_syncookies
  - sysctl_kernel_randomize_va_space
  - accounts_maximum_age_login_defs
  - set_password_hashing_algorithm_logindefs
  - no_empty_passwords_etc_shadow
  - accounts_no_uid_except_zero
  - mount_option_tmp_nodev
  - mount_option_tmp_nosuid
  - kernel_module_cramfs_disabled
  - kernel_module_usb_storage_disabled
