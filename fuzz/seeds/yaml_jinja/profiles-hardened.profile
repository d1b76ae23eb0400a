documentation_complete: true

title: Hardened Debian 12 Server

description: |-
  For servers that hold sensitive data or face untrusted networks. Everything in
  the standard baseline, every other rule of this guide, and stricter values:
  a shorter SSH idle timeout, fewer authentication attempts, 60-day passwords
  with a 14-day warning, larger audit logs, and a system that stops rather than
  runs on when audit records can no longer be written.
  Before applying it, read the warnings of the rules: <tt>noexec</tt> on temporary
  directories, disabled protocol modules and strict reverse path filtering can
  break some workloads.
  It also disables every network service this guide knows (web, mail, DNS, file
  and print servers, proxies, SNMP): tailor out the rules for the services the
  server exists to provide. Unlike the standard baseline, it does not require
  <tt>cron</tt> to run: a hardened host runs no daemon it has no use for, and
  whether it needs scheduled jobs is for its owner to decide.

extends: standard

selections:
  # Every rule of every group ...
  - services_ssh
  - permissions
  - software
  - services
  - kernel_hardening
  - network
  - accounts
  - mounts
  - kernel_modules
  - auditing

  # ... except these.
  - '!service_cron_enabled'

  # Stricter values.
  - sshd_idle_timeout_value=5_minutes
  - var_sshd_max_auth_tries=3
  - var_accounts_maximum_age_login_defs=60_days
  - var_accounts_minimum_age_login_defs=1_day
  - var_accounts_password_warn_age_login_defs=14_days
  - var_auditd_max_log_file=32_mb
  - var_auditd_admin_space_left_action=single
  - var_auditd_disk_full_action=halt
  - var_auditd_disk_error_action=single

  # Findings that weigh more on a hardened host.
  - sshd_disable_root_login.severity=high
  - kernel_module_usb_storage_disabled.severity=high
  - mount_option_tmp_noexec.severity=high
  - accounts_review_quarterly.weight=5
