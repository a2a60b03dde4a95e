#!/usr/bin/env bash
# Prépare ce dont les tests ont besoin sur la machine : Chromium (tests de pages),
# Redis (serveur addok), PostgreSQL, pango (PDF par WeasyPrint) et pdftoppm (rendu des pages). Ne fait qu'essayer : chaque test absent
# de son service est ignoré avec sa raison, jamais masqué.
set -u
say() { echo "[services] $*"; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  missing=""
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
  command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
  command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
  for lib in libpango-1.0-0 libpangoft2-1.0-0; do
    dpkg -s "$lib" >/dev/null 2>&1 || missing="$missing $lib"
  done
  if [ -n "$missing" ]; then
    say "installation de :$missing"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
      || say "installation impossible de :$missing (les tests concernés seront ignorés)"
  fi
fi
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null 2>&1; then
    mkdir -p /tmp/quartiers-redis
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp/quartiers-redis --logfile /tmp/quartiers-redis/redis.log && sleep 1
  fi
fi
if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "Redis répond sur 127.0.0.1:6379"
else
  say "Redis ne répond pas : les tests addok seront ignorés"
fi
if command -v pg_lsclusters >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  for v in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
  done
  sleep 2
fi
if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  say "PostgreSQL répond sur 127.0.0.1:5432"
else
  say "PostgreSQL ne répond pas : les tests PostgreSQL seront ignorés"
fi
exit 0
