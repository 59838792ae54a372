# Source this file: pg_throwaway_start starts a private PostgreSQL cluster on loopback and
# exports FACET_TEST_PG_URL; pg_throwaway_stop stops it and removes its files.
# Uses the newest PostgreSQL under /usr/lib/postgresql (Debian's `postgresql` package).

pg_throwaway_start() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
    return 1
  fi
  PG_THROWAWAY_DIR=$(mktemp -d /tmp/facet-pg.XXXXXX)
  PG_THROWAWAY_PORT=$(( 40000 + RANDOM % 20000 ))
  local as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$PG_THROWAWAY_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$PG_THROWAWAY_DIR/data" -U facet --auth=trust -E UTF8 >"$PG_THROWAWAY_DIR/initdb.log" 2>&1 || {
    cat "$PG_THROWAWAY_DIR/initdb.log" >&2
    return 1
  }
  "${as[@]}" "$bin/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -l "$PG_THROWAWAY_DIR/log" -w \
    -o "-p $PG_THROWAWAY_PORT -k $PG_THROWAWAY_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  PG_THROWAWAY_BIN=$bin
  PG_THROWAWAY_AS=("${as[@]}")
  export FACET_TEST_PG_URL="postgresql://facet@127.0.0.1:$PG_THROWAWAY_PORT/postgres"
  echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') started for tests on 127.0.0.1:$PG_THROWAWAY_PORT"
}

pg_throwaway_stop() {
  [ -n "${PG_THROWAWAY_DIR:-}" ] || return 0
  "${PG_THROWAWAY_AS[@]}" "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_THROWAWAY_DIR"
  PG_THROWAWAY_DIR=
}
