documentation_complete: true
title: Hardened Debian 12 Server
description: |-
  Everything in the standard baseline, every other rule of this guide, and stricter values: shorter SSH idle time,
  fewer authentication attempts, 60-day passwords and larger audit logs. The cron rule is left out: hardened
  hosts often schedule work with systemd timers instead.
extends: standard
selections:
  - services_ssh
  - permissions
  - software
  - services
  - network
  - kernel_hardening
  - accounts
  - auditing
  - mounts
  - kernel_modules
  - "!service_cron_enabled"
  - sshd_idle_timeout_value=5_minutes
  - var_sshd_max_auth_tries=3
  - var_accounts_maximum_age_login_defs=60_days
  - var_accounts_minimum_age_login_defs=1_day
  - var_auditd_max_log_file=32_mb
  - sshd_disable_root_login.severity=high
  - accounts_review_quarterly.weight=5
