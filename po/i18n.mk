# i18n.mk -- the translations (README.md, "Translations"), for inclusion
# by the top-level Makefile, whose variables it uses.  One text domain,
# "privforms", holds every message a visitor or a mail reader sees; each
# po/NAME.po translates it into the language NAME (gettext name: "de",
# "pt_BR"), and adding a language is adding such a file.
#
#   make pot        build/privforms.pot from the C messages (xgettext: _,
#                   N_, C_), the XHTML templates (itstool, po/privforms.its;
#                   not the company's own request-notice.xhtml and
#                   consent-notice.xhtml) and the mail templates (po4a,
#                   the text format, every line kept as written)
#   make update-po  msgmerge every po/*.po with that pot
#
# The pot is rewritten only when a message or a location changed, so a
# C change that touches no message rebuilds no pseudo-locale.

POT		 = build/privforms.pot
ITS		 = po/privforms.its
I18N_C		 = $(filter-out lib/schema.c lib/countries.c, \
		   $(wildcard lib/*.c lib/*.cc cgi-bin/*.c))
# The company's own texts: not ours to translate (I18N.md).
COMPANY_PAGES	 = request-notice.xhtml consent-notice.xhtml
I18N_PAGES	 = $(filter-out $(COMPANY_PAGES),$(notdir $(wildcard htdocs/*.xhtml)))
I18N_MAILS	 = $(notdir $(wildcard etc/mail/*.txt))
XGETTEXT_FLAGS	 = --from-code=UTF-8 --add-comments=TRANSLATORS: \
		   --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
		   --package-name=privforms --force-po
# po4a's text format: neverwrap keeps each line as written (a paragraph's
# msgid is its lines, and its translation's lines are the mail's);
# nobullets keeps an indented list one message; a line with no letter
# but in a {{placeholder}} (a URL, "  {{head}}", a line of dashes) is a
# break, copied as it is, so no message asks to translate nothing.
PO4A_FLAGS	 = -f text -M UTF-8 -o neverwrap -o nobullets \
		   -o 'breaks=[^A-Za-z{]*(\{\{\w+\}\}[^A-Za-z{]*)*'

.PHONY: pot update-po

pot: $(POT)

# The stamp is the pot's rule; the pot itself changes only with its text.
$(POT): $(POT).stamp ;
$(POT).stamp: $(I18N_C) $(I18N_PAGES:%=htdocs/%) $(I18N_MAILS:%=etc/mail/%) \
    $(ITS) po/i18n.mk
	@mkdir -p build/pot
	@echo "xgettext lib/*.c lib/*.cc cgi-bin/*.c > build/pot/c.pot"
	@xgettext $(XGETTEXT_FLAGS) -o build/pot/c.pot $(I18N_C)
	@echo "itstool htdocs/*.xhtml > build/pot/xhtml.pot"
	@itstool -i $(ITS) -o build/pot/xhtml.pot $(I18N_PAGES:%=htdocs/%)
	@echo "po4a-updatepo etc/mail/*.txt > build/pot/mail.pot"
	@rm -f build/pot/mail.pot
	@po4a-updatepo $(PO4A_FLAGS) $(I18N_MAILS:%=-m etc/mail/%) \
	    -p build/pot/mail.pot >/dev/null
	msgcat -o build/pot/all.pot build/pot/c.pot build/pot/xhtml.pot \
	    build/pot/mail.pot
	@grep -v '^"POT-Creation-Date:' build/pot/all.pot > build/pot/new.cmp
	@grep -sv '^"POT-Creation-Date:' $(POT) > build/pot/old.cmp || true
	@cmp -s build/pot/new.cmp build/pot/old.cmp || \
	    cp build/pot/all.pot $(POT)
	@touch $@

update-po: $(POT)
	@for po in $(wildcard po/*.po); do \
	    echo "msgmerge $$po"; \
	    msgmerge --quiet --update --backup=none $$po $(POT) || exit 1; \
	done
