#!/bin/sh
# pseudo-locale.sh -- a pseudo-locale's catalogue from a catalogue
# template, with GNU gettext's own tools (po/i18n.mk, tests/i18n/run.sh):
#
#   sh tools/pseudo-locale.sh NAME DIR POT OUT
#
# msginit gives NAME's header (language, plural forms), msgen a
# translation equal to each msgid, and msgfilter runs each through
# pseudo-locale.awk (wrapped, lengthened; the language-direction message
# made DIR, "ltr" or "rtl").  OUT is written whole or not at all.
set -eu

name=$1 dir=$2 pot=$3 out=$4
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# msginit says "Created ..." on standard error: shown only on failure.
msginit --no-translator --locale="$name" -i "$pot" -o "$tmp/init.po" \
    2> "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
# A pseudo-locale counts as English does: msginit knows no plural rule
# for a made-up name such as ar_XB, and msgfmt refuses its placeholder.
sed 's/^"Plural-Forms: nplurals=INTEGER; plural=EXPRESSION;\\n"$/"Plural-Forms: nplurals=2; plural=(n != 1);\\n"/' \
    "$tmp/init.po" > "$tmp/plural.po"
msgen -o "$tmp/en.po" "$tmp/plural.po"
msgfilter --keep-header -i "$tmp/en.po" -o "$tmp/out.po" \
    awk -v dir="$dir" -f "$here/pseudo-locale.awk"
cp "$tmp/out.po" "$out.tmp"
mv "$out.tmp" "$out"
