#!/usr/bin/env bash
# Run a benchmark against a throw-away PostgreSQL started as .ci/run starts one (initdb as the
# postgres user in a temporary directory, a free port, fsync=off), removed afterwards:
#   bash bench/with-postgres.sh .venv/bin/python bench/pages.py [options]
# appends --database-url postgres://…/dondoc_bench to the command. Needs root (runuser) and
# Debian's postgresql package (scripts/system-deps.sh test).
set -euo pipefail
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdata=$(mktemp -d /tmp/dondoc-benchpg.XXXXXX)
chown postgres "$pgdata"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 >/dev/null
pgport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/log" -w \
  -o "-p $pgport -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
trap 'runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null || true; rm -rf "$pgdata"' EXIT
"$@" --database-url "postgres://postgres@127.0.0.1:$pgport/dondoc_bench"
