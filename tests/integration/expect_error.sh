#!/usr/bin/env bash
# expect_error.sh PATTERN COMMAND...: passes when COMMAND exits non-zero and its output (stdout and
# stderr) matches the extended regular expression PATTERN; prints the output either way.
set -u
pattern=$1
shift
output=$("$@" 2>&1)
code=$?
printf '%s\n' "$output"
if [ $code -eq 0 ]; then
  echo "expect_error: command succeeded but should have failed: $*" >&2
  exit 1
fi
if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then
  echo "expect_error: output does not match /$pattern/" >&2
  exit 1
fi
echo "expect_error: failed as expected (exit $code)"
