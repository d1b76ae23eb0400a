#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*action_mail_acct[[:space:]]*=/Id' /etc/audit/auditd.conf
echo 'action_mail_acct = nobody' >> /etc/audit/auditd.conf
