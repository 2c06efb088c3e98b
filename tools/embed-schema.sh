#!/bin/sh
# embed-schema.sh -- turn lib/schema/NNN-name.sql files into lib/schema.c.
# Each file is one migration; NNN is the schema version it brings the
# database to.  Output: a table { version, sql } in version order.
set -eu
echo '/* Generated from lib/schema/NNN-name.sql by tools/embed-schema.sh: do not edit. */'
echo '#include "nitems.h"'
echo '#include "schema.h"'
echo 'const struct pf_migration pf_migrations[] = {'
for f in "$@"; do
	v=$(basename "$f" | sed 's/^0*\([0-9][0-9]*\)-.*/\1/')
	printf '\t{ %s, "%s",\n' "$v" "$(basename "$f")"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$/\\n"/' "$f"
	printf '\t},\n'
done
echo '};'
echo 'const unsigned pf_nmigrations = nitems(pf_migrations);'
