#!/bin/sh
# check-po.sh -- `make check-translations` (po/i18n.mk): every catalogue
# is complete and keeps what programs read.
#
#   sh tools/check-po.sh POT PO...
#
# Each PO, merged with the current POT as `make update-po` would merge it
# (msgmerge, in a temporary file: po/ is not touched), must have
#
# - no untranslated and no fuzzy message: a msgid that changed since the
#   translator's last pass comes out of the merge fuzzy or untranslated;
# - msgfmt --check's blessing (printf conversions, header, line feeds at
#   both ends alike);
# - in each message, the msgid's {{placeholders}} and XML elements, the
#   "Subject: " of a mail and a valid direction (tools/check-po-message.sh,
#   run by msgexec on each message).
#
# Prints what is wrong, file and line, and exits 1 if anything is.  No PO
# at all passes: there is nothing to check.
set -eu

pot=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
status=0

for po in "$@"; do
	name=$(basename "$po" .po)
	merged=$tmp/$name.po
	if ! msgfmt --check -o /dev/null "$po" ||
	    ! msgmerge --quiet -o "$merged" "$po" "$pot"; then
		echo "$po: not a valid catalogue (above)" >&2
		status=1
		continue
	fi
	for kind in untranslated fuzzy; do
		msgattrib --"$kind" --no-obsolete --no-wrap --force-po \
		    -o "$tmp/$kind.po" "$merged"
		# The header is one of them, and no other has an empty msgid.
		n=$(grep -c '^msgid "' "$tmp/$kind.po" || true)
		[ "$n" -le 1 ] && continue
		echo "$po: $((n - 1)) $kind message(s) against $pot:" >&2
		grep -E '^(#: |msgid "|msgctxt )' "$tmp/$kind.po" |
		    grep -v '^msgid ""$' | sed 's/^/  /' >&2
		status=1
	done
	# The file itself, so that what is said names its lines.
	msgexec -i "$po" sh "$here/check-po-message.sh" || status=1
done
exit "$status"
