# pseudo-locale.awk -- msgfilter's filter for the pseudo-locales (po/i18n.mk):
# one message's text on stdin, its pseudo-translation on stdout.
#
#   msgfilter -i en.po --keep-header awk -v dir=ltr -f tools/pseudo-locale.awk
#
# The text is wrapped in "⟦" "⟧", so that a page or mail that shows any
# English without these marks shows a string the catalogue missed, and
# lengthened by about 40 % (each vowel doubled, then "·" up to the 40 %),
# so that a layout that breaks with longer text breaks here too.  What a
# program or a parser reads is kept as it is: markup (<a href="...">,
# itstool's <_:code-1/>), {{placeholders}}, printf conversions (%s, %1$d,
# %%), entity references, the leading white space and the "Subject: " of
# a mail template's first paragraph, and the trailing line feeds.  The
# message that says the language's direction (msgctxt language-direction)
# becomes dir ("ltr", or "rtl" for ar_XB).
BEGIN {
	RS = "\001"	# never in a message: the whole text is one record
	ORS = ""
	PROTECTED = "<[^>]*>|[{][{][A-Za-z0-9_]+[}][}]|&[A-Za-z0-9#]+;|" \
	    "%([0-9]+[$])?[-+ #0']*([0-9]+|[*])?([.]([0-9]+|[*]))?" \
	    "(hh|h|ll|l|L|q|j|z|t)?[diouxXeEfFgGaAcspn%]"
}

# Text between protected tokens: vowels doubled; counts what it added.
function lengthen(s,	n) {
	n = gsub(/[aeiouAEIOU]/, "&&", s)
	grown += n
	textlen += length(s) - n
	return s
}

{
	s = $0
	if (ENVIRON["MSGFILTER_MSGCTXT"] == "language-direction") {
		print dir
		exit
	}
	match(s, /^[ \t\n]*(Subject: )?/)
	head = substr(s, 1, RLENGTH)
	s = substr(s, RLENGTH + 1)
	match(s, /[ \t\n]*$/)
	tail = substr(s, RSTART)
	s = substr(s, 1, RSTART - 1)
	out = ""
	while (match(s, PROTECTED)) {
		out = out lengthen(substr(s, 1, RSTART - 1)) \
		    substr(s, RSTART, RLENGTH)
		s = substr(s, RSTART + RLENGTH)
	}
	out = out lengthen(s)
	pad = ""
	for (want = int(textlen * 0.4 + 0.5); grown < want; grown++)
		pad = pad "·"
	print head "⟦" out pad "⟧" tail
}
