#!/bin/sh
# check-po-message.sh -- msgexec's command for tools/check-po.sh: one
# message of a catalogue, its msgid in MSGEXEC_MSGID (and MSGEXEC_MSGCTXT,
# MSGEXEC_LOCATION), its translation on standard input.  Says on standard
# error what the translation breaks, and exits 1 if it breaks anything:
#
# - every {{placeholder}} of the msgid, as often as there (lib/mail.c fills
#   them; a mail that lost one loses a link or a date);
# - every XML element of the msgid, start and end tags as often as there
#   (itstool's messages carry the template's inline markup, and
#   <_:code-1/> for what is not translated; a template's elements are
#   found by id, so one lost or added is a broken page), and each start
#   tag as written, attributes and all (a link's href), unless it has an
#   attribute that is itself translated (title, alt, aria-label,
#   placeholder);
# - a mail template's "Subject: " line keeps "Subject: " (lib/mail.c
#   reads it);
# - the language-direction message is "ltr" or "rtl".
#
# msgexec starts this once per message (some 400 per language), so it
# uses nothing but the shell's builtins.  An empty translation is the
# caller's to count (untranslated), as is a fuzzy one.
set -f	# tokens are split on blanks, never globbed

msgid=$MSGEXEC_MSGID
[ -n "$msgid" ] || exit 0	# the header
nl='
'
msgstr=
while IFS= read -r line; do
	msgstr=$msgstr$line$nl
done
msgstr=$msgstr$line
[ -n "$msgstr" ] || exit 0

# tokens TEXT: sets $tokens to TEXT's placeholders ("{{name}}") and tag
# names ("<a", "</a", "<_:code-1"), blank-separated, in order.
tokens() {
	tokens=
	s=$1
	while :; do
		case $s in *"{{"*"}}"*) ;; *) break;; esac
		s=${s#*"{{"}
		tokens="$tokens {{${s%%"}}"*}}}"
		s=${s#*"}}"}
	done
	s=$1
	while :; do
		case $s in *"<"*) ;; *) break;; esac
		s=${s#*"<"}
		case $s in
		/*) t=${s#/}; t=${t%%[!A-Za-z0-9_:.-]*}; [ -z "$t" ] || t=/$t;;
		*) t=${s%%[!A-Za-z0-9_:.-]*};;
		esac
		[ -z "$t" ] || tokens="$tokens <$t"
	done
}

bad=0
say() {
	echo "${MSGEXEC_LOCATION:-?}: $*" >&2
	bad=1
}

tokens "$msgid"
want=$tokens
tokens "$msgstr"
left=" $tokens "
missing=
for t in $want; do
	case $left in
	*" $t "*) left="${left%%" $t "*} ${left#*" $t "}";;
	*) missing="$missing $t";;
	esac
done
set -- $left
extra=$*
[ -z "$missing" ] || say "the translation lacks$missing"
[ -z "$extra" ] || say "the translation adds what the msgid has not: $extra"

# Each start tag as written, attributes and all (a link's href, an id the
# code finds), unless it has an attribute a translator translates.
s=$msgid
while :; do
	case $s in *"<"*">"*) ;; *) break;; esac
	s=${s#*"<"}
	tag="<${s%%">"*}>"
	s=${s#*">"}
	case $tag in
	"</"*|*" title="*|*" alt="*|*" aria-label="*|*" placeholder="*) continue;;
	esac
	case $msgstr in
	*"$tag"*) ;;
	*) say "the translation does not keep $tag as it is";;
	esac
done

case $msgid in
"Subject: "*)
	case $msgstr in
	"Subject: "?*) ;;
	*) say "a mail's subject line must begin with \"Subject: \"";;
	esac;;
esac
if [ "${MSGEXEC_MSGCTXT-}" = language-direction ]; then
	case $msgstr in
	ltr|rtl) ;;
	*) say "the language's direction is \"ltr\" or \"rtl\", not \"$msgstr\"";;
	esac
fi
[ "$bad" = 0 ] || echo "  msgid: $msgid$nl  msgstr: $msgstr" >&2
exit "$bad"
