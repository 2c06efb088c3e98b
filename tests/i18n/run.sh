#!/bin/sh
# run.sh -- the translation checks' own tests (`make check-translations`).
#
#   sh tests/i18n/run.sh
#
# 1. tools/check-po.sh passes tests/i18n/de.po, a complete catalogue of
#    tests/i18n/test.pot, and fails each copy of it broken in one way,
#    saying what is wrong: a message missing, one fuzzy, a placeholder
#    dropped or renamed, an element dropped, a link's href changed, a
#    subject line translated,
#    a direction that is neither ltr nor rtl, a printf conversion lost.
# 2. The pseudo-locales made from test.pot pass the same checks (their
#    filter keeps placeholders, markup, conversions and Subject: lines),
#    every message is wrapped in ⟦ ⟧, and the direction is ltr for en_XA,
#    rtl for ar_XB.
# 3. The pseudo-locales' mails (etc/mail/en_XA, ar_XB, built by `make
#    translations`) keep every source mail's layout: as many lines, the
#    "Subject: " line first, and every line without a word (a URL, the
#    audit checkpoint's dash lines and indented digest, blank lines) as it
#    is, at the same place.
#
# Run from the top of the tree.  Prints one line per case; exits 1 if
# any fails.
set -u

dir=tests/i18n
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
pass=0

ok() { pass=$((pass + 1)); }
fail() { echo "FAIL: $*"; status=1; }

# expect NAME SED-SCRIPT WANT: de.po edited by SED-SCRIPT must fail
# check-po.sh with WANT in what it says ("" : must pass).
expect() {
	sed -e "$2" "$dir/de.po" > "$tmp/$1.po"
	if sh tools/check-po.sh "$dir/test.pot" "$tmp/$1.po" \
	    > "$tmp/$1.out" 2>&1; then
		[ -z "$3" ] && ok && return
		fail "$1: passed; want a failure saying \"$3\""
	elif [ -z "$3" ]; then
		fail "$1: failed; want a pass:"; cat "$tmp/$1.out"
	elif grep -qF -- "$3" "$tmp/$1.out"; then
		ok
	else
		fail "$1: failed without saying \"$3\":"; cat "$tmp/$1.out"
	fi
}

expect complete '' ''
expect missing '/^msgctxt "language-direction"/,/^msgstr/d' \
    '1 untranslated message(s)'
expect empty 's/^msgstr "Geben Sie.*/msgstr ""/' '1 untranslated message(s)'
expect fuzzy 's/^#, c-format/#, fuzzy, c-format/' '1 fuzzy message(s)'
expect placeholder-dropped 's/sie ({{id}})/sie (Nummer)/' \
    'the translation lacks {{id}}'
expect placeholder-renamed 's/bis {{verify_by}}/bis {{verify_until}}/' \
    'the translation adds what the msgid has not: {{verify_until}}'
expect element-dropped 's|<a href=\\"/privacy/\\">den Hinweis</a>|den Hinweis|' \
    'the translation lacks <a </a'
expect element-added 's|den Hinweis|<b>den</b> Hinweis|' \
    'the translation adds what the msgid has not: <b </b'
expect href-changed 's|<a href=\\"/privacy/\\">den|<a href=\\"/datenschutz/\\">den|' \
    'does not keep <a href="/privacy/"> as it is'
expect code-dropped 's|<_:code-1/> aus|es aus|' 'the translation lacks <_:code-1'
expect subject 's/^msgstr "Subject: /msgstr "Betreff: /' \
    "must begin with \"Subject: \""
expect direction 's/^msgstr "ltr"/msgstr "links"/' \
    'the language'"'"'s direction is "ltr" or "rtl"'
expect conversion 's/höchstens %d Zeichen/höchstens einige Zeichen/' \
    'format specifications'

# The pseudo-locales of test.pot: their filter keeps what the checker
# checks, wraps every message, and gives ar_XB its direction.
for l in en_XA:ltr ar_XB:rtl; do
	name=${l%:*} want=${l#*:}
	if ! sh tools/pseudo-locale.sh "$name" "$want" "$dir/test.pot" \
	    "$tmp/$name.po" || ! sh tools/check-po.sh "$dir/test.pot" \
	    "$tmp/$name.po"; then
		fail "$name: the pseudo-locale fails the checks"
		continue
	fi
	# As the programs will read it: gettext, the catalogue compiled.
	mkdir -p "$tmp/locale/$name/LC_MESSAGES"
	msgfmt -o "$tmp/locale/$name/LC_MESSAGES/privforms.mo" "$tmp/$name.po"
	got=$(LC_ALL=C.UTF-8 LANGUAGE=$name TEXTDOMAINDIR="$tmp/locale" \
	    gettext -d privforms -c language-direction ltr)
	[ "$got" = "$want" ] || fail "$name: direction \"$got\", want $want"
	unwrapped=$(msgattrib --no-wrap "$tmp/$name.po" |
	    grep '^msgstr "..*"$' | grep -v '^msgstr "ltr"$\|^msgstr "rtl"$' |
	    grep -v '⟦.*⟧' || true)
	[ -z "$unwrapped" ] || fail "$name: messages not wrapped: $unwrapped"
	ok
done

# The pseudo-locales' mails against their sources, line by line.
for l in en_XA ar_XB; do
	for src in etc/mail/*.txt; do
		out=etc/mail/$l/${src##*/}
		if [ ! -f "$out" ]; then
			fail "$out: not built (make translations)"
			continue
		fi
		if awk -v src="$src" '
			# A line with no letter but in a {{placeholder}}.
			function wordless(s) {
				gsub(/[{][{][A-Za-z0-9_]+[}][}]/, "", s)
				return s !~ /[A-Za-z]/
			}
			{
				if ((getline s < src) <= 0) {
					print FILENAME ": longer than " src; exit 1
				}
				if (FNR == 1 && $0 !~ /^Subject: ./) {
					print FILENAME ":1: no Subject: line"; exit 1
				}
				if (wordless(s) && $0 != s) {
					print FILENAME ":" FNR ": not as in " src; exit 1
				}
			}
			END {
				if ((getline s < src) > 0) {
					print FILENAME ": shorter than " src; exit 1
				}
			}' "$out"; then
			ok
		else
			status=1
		fi
	done
done

echo "i18n tests: $pass passed$([ "$status" = 0 ] || echo ", some failed")"
exit "$status"
