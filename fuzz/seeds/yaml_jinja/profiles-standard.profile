documentation_complete: true

title: Standard Security Baseline for Debian 12 Servers

description: |-
  A baseline that suits nearly every Debian 12 server and rarely gets in the way
  of its work: no direct or password-less root access over SSH, protected account
  files, no legacy clear-text clients, host (not router) network settings, sane
  password ageing and hashing, no unneeded file system and storage drivers, the
  usual restrictions on world-writable file systems, and auditing of the account
  and sudo files where <tt>auditd</tt> is installed.
  Rules that often need site-specific exceptions (<tt>noexec</tt> on temporary
  directories, rarely used network protocols, disk-full actions of
  <tt>auditd</tt>) are left to the hardened profile.

selections:
  # SSH server (where openssh-server is installed)
  - sshd_disable_root_login
  - sshd_disable_empty_passwords
  - sshd_disable_host_auth
  - sshd_ignore_rhosts
  - sshd_disable_x11_forwarding
  - sshd_do_not_permit_user_env
  - sshd_enable_pam
  - sshd_set_max_auth_tries
  - sshd_set_max_sessions
  - sshd_set_login_grace_time
  - sshd_set_idle_timeout
  - sshd_set_keepalive
  - sshd_set_loglevel_info

  # Ownership and permissions of account, SSH and cron files
  - permissions

  # Software
  - package_sudo_installed
  - package_apparmor_installed
  - package_telnet_removed
  - package_inetutils_telnet_removed
  - package_rsh_client_removed
  - package_nis_removed
  - package_talk_removed
  - package_tnftp_removed
  - package_xinetd_removed

  # Services
  - service_cron_enabled
  - service_apparmor_enabled
  - service_avahi_daemon_disabled
  - service_cups_disabled
  - service_rsync_disabled

  # Kernel hardening
  - sysctl_kernel_randomize_va_space
  - sysctl_fs_suid_dumpable

  # Network: a host, not a router
  - sysctl_net_ipv4_ip_forward
  - sysctl_net_ipv4_conf_all_send_redirects
  - sysctl_net_ipv4_conf_default_send_redirects
  - sysctl_net_ipv4_conf_all_accept_redirects
  - sysctl_net_ipv4_conf_default_accept_redirects
  - sysctl_net_ipv4_conf_all_accept_source_route
  - sysctl_net_ipv4_conf_default_accept_source_route
  - sysctl_net_ipv4_icmp_echo_ignore_broadcasts
  - sysctl_net_ipv4_icmp_ignore_bogus_error_responses
  - sysctl_net_ipv4_tcp_syncookies

  # Accounts and passwords
  - accounts_maximum_age_login_defs
  - accounts_password_warn_age_login_defs
  - set_password_hashing_algorithm_logindefs
  - no_empty_passwords_etc_shadow
  - accounts_no_uid_except_zero
  - accounts_no_duplicate_uids
  - accounts_review_quarterly

  # Mount options (where the mount point is a separate file system)
  - mount_option_tmp_nodev
  - mount_option_tmp_nosuid
  - mount_option_dev_shm_nodev
  - mount_option_dev_shm_nosuid
  - mount_option_var_tmp_nodev
  - mount_option_var_tmp_nosuid
  - mount_option_home_nodev

  # Kernel modules
  - kernel_module_cramfs_disabled
  - kernel_module_freevxfs_disabled
  - kernel_module_hfs_disabled
  - kernel_module_hfsplus_disabled
  - kernel_module_jffs2_disabled
  - kernel_module_usb_storage_disabled

  # Auditing (where auditd is installed)
  - auditd_data_retention_max_log_file_action
  - auditd_data_retention_space_left_action
  - auditd_data_retention_action_mail_acct
  - audit_rules_watch_etc_passwd
  - audit_rules_watch_etc_shadow
  - audit_rules_watch_etc_group
  - audit_rules_watch_etc_gshadow
  - audit_rules_watch_etc_sudoers
  - audit_rules_watch_etc_sudoers_d
