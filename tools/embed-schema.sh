#!/bin/sh
# embed-schema.sh -- turn lib/schema/NNN-name.sql files into lib/schema.c.
#
#   sh tools/embed-schema.sh SQLITE-FILES... [--pg PG-FILES...]
#
# Each file is one migration; NNN is the schema version it brings the
# database to.  Output: the tables { version, name, sql } in version order,
# pf_migrations (SQLite's) and pf_pg_migrations (lib/schema/pg/'s); a table
# with no file gets one unused entry, since C has no empty array.
set -eu

# One table: its name, its count's name, then its files.
table() {
	name=$1
	count=$2
	shift 2
	echo "const struct pf_migration $name[] = {"
	for f in "$@"; do
		v=$(basename "$f" | sed 's/^0*\([0-9][0-9]*\)-.*/\1/')
		printf '\t{ %s, "%s",\n' "$v" "$(basename "$f")"
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' \
		    -e 's/$/\\n"/' "$f"
		printf '\t},\n'
	done
	[ $# -gt 0 ] || printf '\t{ 0, "", "" },\n'
	echo '};'
	echo "const unsigned $count = $#;"
}

lite=""
while [ $# -gt 0 ] && [ "$1" != --pg ]; do
	lite="$lite $1"
	shift
done
[ $# -gt 0 ] && shift
echo '/* Generated from lib/schema/NNN-name.sql and lib/schema/pg/ by tools/embed-schema.sh: do not edit. */'
echo '#include "schema.h"'
# shellcheck disable=SC2086 # the file names have no spaces
table pf_migrations pf_nmigrations $lite
table pf_pg_migrations pf_pg_nmigrations "$@"
