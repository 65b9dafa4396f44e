#!/bin/sh
# Run as root on a VM after its folder from `deno task build` is copied to / (docs/deploy.md):
#   tar -C dist/cs0 -cf - . | ssh root@10.0.0.20 tar -C / --no-same-owner --no-overwrite-dir -xf -
#   ssh root@10.0.0.20 sh /opt/fleetmon/install.sh
# Creates the unprivileged user the units run as, sets owners and modes, and reloads systemd.
# It starts nothing: docs/deploy.md gives the order. Safe to run again.
set -eu
umask 022
if ls /etc/systemd/system/fleetmon-mongod@.service >/dev/null 2>&1 \
  || ls /etc/systemd/system/fleetmon-mongos.service >/dev/null 2>&1; then
  command -v mongod >/dev/null || command -v mongos >/dev/null || {
    echo "install.sh: install MongoDB 7 (mongodb-org) first: docs/deploy.md, step 1" >&2; exit 1; }
  install -d -o root -g mongodb -m 0750 /etc/mongodb /etc/mongodb/tls
  for f in /etc/mongodb/keyfile /etc/mongodb/tls/member.pem; do
    if [ -e "$f" ]; then chown mongodb:mongodb "$f"; chmod 0400 "$f"; fi
  done
fi
if ls /opt/fleetmon/fleetmon-*.js >/dev/null 2>&1; then
  command -v deno >/dev/null || [ -x /usr/local/bin/deno ] || {
    echo "install.sh: install Deno 2.9.6 as /usr/local/bin/deno first: docs/deploy.md, step 1" >&2
    exit 1; }
  id fleetmon >/dev/null 2>&1 \
    || useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin fleetmon
  chown -R root:root /opt/fleetmon
  chmod 0755 /opt/fleetmon
  # Config is readable by the service user; secrets stay root-only (systemd hands them over).
  install -d -o root -g fleetmon -m 0750 /etc/fleetmon
  find /etc/fleetmon -maxdepth 1 -type f \( -name '*.env' -o -name '*.json' -o -name '*.pem' \) \
    -exec chown root:fleetmon {} + -exec chmod 0640 {} +
  for secret in /etc/fleetmon/mongodb-password /etc/fleetmon/lb-*-admin.env; do
    if [ -e "$secret" ]; then chown root:root "$secret"; chmod 0600 "$secret"; fi
  done
  # web reads the LBs' admin tokens itself, on each refresh of the cluster page (step 10).
  for token in /etc/fleetmon/*.admin-token; do
    if [ -e "$token" ]; then chown root:fleetmon "$token"; chmod 0640 "$token"; fi
  done
  # web re-reads its certificate on `systemctl reload`, as the fleetmon user: the key is 0640.
  if [ -d /opt/fleetmon/certs ]; then
    chown -R root:fleetmon /opt/fleetmon/certs
    chmod 0750 /opt/fleetmon/certs
    chmod 0640 /opt/fleetmon/certs/*.pem
  fi
fi
# web VMs: a certificate reload hands queued connections to the new listener (web/handover.ts).
if [ -e /etc/sysctl.d/60-fleetmon-web.conf ]; then
  sysctl -q -p /etc/sysctl.d/60-fleetmon-web.conf
fi
systemctl daemon-reload
echo "install.sh: installed; start the units in the order docs/deploy.md gives"
