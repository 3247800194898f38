#!/bin/sh
# Run each cmocka binary; print one closing line with the totals.
pass=0 fail=0
for t in "$@"; do
	if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAILED: $t" >&2; fi
done
echo "unit binaries: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
