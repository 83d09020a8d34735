# fetch_test_lib.sh: sourced by the fpt_fetch integration scripts (fetch_weights.sh, fetch_data.sh).
# check DESCRIPTION COMMAND... counts failures; start_range_server ROOT [ARGS...] runs
# tests/tools/range_http_server.py on 127.0.0.1 (logging to $work/requests.log), sets $server_url
# and stops it on exit (or at stop_range_server); output_has REGEX greps the last run's $work/out;
# finish NAME exits 1 when any check failed. Needs $work and $source set.
failures=0
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT

check() {  # check DESCRIPTION COMMAND...: runs the command, counts a failure when it fails
  local description=$1
  shift
  if "$@"; then echo "ok: $description"; else echo "FAILED: $description" >&2; failures=$((failures + 1)); fi
}

start_range_server() {
  local root=$1
  shift
  python3 "$source/tests/tools/range_http_server.py" --root "$root" --log "$work/requests.log" "$@" \
    > "$work/port" &
  server_pid=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || { echo "range server did not start" >&2; exit 1; }
  server_url=http://127.0.0.1:$(cat "$work/port")
}

stop_range_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null
  server_pid=
}

output_has() { grep -Eq -- "$1" "$work/out" || { cat "$work/out" >&2; return 1; }; }

finish() {
  [ "$failures" = 0 ] || { echo "$1: $failures check(s) failed" >&2; exit 1; }
  echo "$1: all checks passed"
}
