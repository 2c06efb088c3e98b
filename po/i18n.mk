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
#   make translations  (part of `make all`) for each language NAME, real or
#                   pseudo: build/locale/NAME/LC_MESSAGES/privforms.mo
#                   (msgfmt --check), htdocs/NAME/*.xhtml (itstool -m,
#                   which fails on a translation that is not well-formed
#                   XML) and etc/mail/NAME/*.txt (po4a-translate)
#   make check-translations  (part of `make check`) the build above
#                   succeeded, and every po/*.po is complete against the
#                   pot and keeps its msgids' placeholders and markup
#                   (tools/check-po.sh; its tests: tests/i18n/run.sh)
#
# The pseudo-locales en_XA and ar_XB (tools/pseudo-locale.sh) are made
# from the pot by GNU gettext's msginit, msgen and msgfilter, built like
# the real languages for the tests, and never installed.
#
# Every translated file depends only on its source, its language's .mo
# (and for a mail its .po) and the rules, so editing a template rebuilds
# that template in each language, and editing po/de.po rebuilds German.
# The pot is rewritten only when a message or a location changed, so a
# C change that touches no message rebuilds no pseudo-locale.

POT		 = build/privforms.pot
LANGS		 = $(sort $(basename $(notdir $(wildcard po/*.po))))
PSEUDO_LANGS	 = en_XA ar_XB
I18N_LANGS	 = $(LANGS) $(PSEUDO_LANGS)
ITS		 = po/privforms.its
# The C sources of what a visitor or a person's mail reads: the library
# (its headers and .def tables hold messages too), the programs, and the
# team's command where it writes to a person (tools/cmd_request.c).
I18N_C		 = $(filter-out lib/schema.c lib/countries.c, \
		   $(wildcard lib/*.c lib/*.cc lib/*.h cgi-bin/*.c)) \
		   tools/cmd_request.c
I18N_C_DEF	 = $(wildcard lib/*.def)
# The company's own texts: not ours to translate (I18N.md).
COMPANY_PAGES	 = request-notice.xhtml consent-notice.xhtml
I18N_PAGES	 = $(filter-out $(COMPANY_PAGES),$(notdir $(wildcard htdocs/*.xhtml)))
I18N_MAILS	 = $(notdir $(wildcard etc/mail/*.txt))
# The snippet a company pastes into its help pages: HTML written as
# well-formed XML so that itstool reads it, written back as HTML
# (tools/snippet-html.py) into htdocs/snippets/NAME/.  (consent.html is
# an example page for the sysadmin, not a text a visitor reads.)
I18N_SNIPPETS	 = article-vote.html subscribe.html
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
PSEUDO_DIR_en_XA = ltr
PSEUDO_DIR_ar_XB = rtl

# The catalogue of language $(1): po/ for a real one, build/ for a pseudo.
po_of		 = $(if $(filter $(1),$(PSEUDO_LANGS)),build/pseudo/$(1).po,po/$(1).po)
mo_of		 = build/locale/$(1)/LC_MESSAGES/privforms.mo
I18N_OUT	 = $(foreach l,$(I18N_LANGS),$(call mo_of,$(l)) \
		   $(I18N_PAGES:%=htdocs/$(l)/%) $(I18N_MAILS:%=etc/mail/$(l)/%) \
		   $(I18N_SNIPPETS:%=htdocs/snippets/$(l)/%))

.PHONY: pot update-po translations check-translations clean-translations

pot: $(POT)
translations: $(I18N_OUT)

# The stamp is the pot's rule; the pot itself changes only with its text.
# Messages from another source join with one line anywhere in the
# Makefile, "$(POT).stamp: build/pot/NAME.pot", and a rule to make that.
$(POT): $(POT).stamp ;
$(POT).stamp: $(I18N_C) $(I18N_C_DEF) $(I18N_PAGES:%=htdocs/%) $(I18N_MAILS:%=etc/mail/%) \
    $(I18N_SNIPPETS:%=htdocs/snippets/%) \
    $(ITS) po/i18n.mk
	@mkdir -p build/pot
	@echo "xgettext lib/ cgi-bin/ tools/cmd_request.c > build/pot/c.pot"
	@xgettext $(XGETTEXT_FLAGS) -o build/pot/c.pot $(I18N_C)
	@xgettext $(XGETTEXT_FLAGS) -L C -j -o build/pot/c.pot $(I18N_C_DEF)
	@echo "itstool htdocs/*.xhtml > build/pot/xhtml.pot"
	@itstool -i $(ITS) -o build/pot/xhtml.pot $(I18N_PAGES:%=htdocs/%) \
	    $(I18N_SNIPPETS:%=htdocs/snippets/%)
	@echo "po4a-updatepo etc/mail/*.txt > build/pot/mail.pot"
	@rm -f build/pot/mail.pot
	@po4a-updatepo $(PO4A_FLAGS) $(I18N_MAILS:%=-m etc/mail/%) \
	    -p build/pot/mail.pot >/dev/null
	msgcat --use-first -o build/pot/all.pot build/pot/c.pot build/pot/xhtml.pot \
	    build/pot/mail.pot $(filter %.pot,$^)
	@grep -v '^"POT-Creation-Date:' build/pot/all.pot > build/pot/new.cmp
	@grep -sv '^"POT-Creation-Date:' $(POT) > build/pot/old.cmp || true
	@cmp -s build/pot/new.cmp build/pot/old.cmp || \
	    cp build/pot/all.pot $(POT)
	@touch $@

# Every output there (a language whose build failed stopped make before),
# the checker's own tests (tests/i18n/run.sh), then the catalogues, the
# pseudo-locales' too (their filter must keep what the checker checks).
check-translations: translations
	@for f in $(I18N_OUT); do \
	    [ -s $$f ] || { echo "i18n: $$f was not built" >&2; exit 1; }; \
	done
	@sh tests/i18n/run.sh
	@sh tools/check-po.sh $(POT) $(wildcard po/*.po) \
	    $(PSEUDO_LANGS:%=build/pseudo/%.po)
	@echo "i18n: $(if $(LANGS),complete: $(LANGS),no po/*.po yet: nothing to check)"

update-po: $(POT)
	@for po in $(wildcard po/*.po); do \
	    echo "msgmerge $$po"; \
	    msgmerge --quiet --update --backup=none $$po $(POT) || exit 1; \
	done

build/pseudo/%.po: $(POT) tools/pseudo-locale.sh tools/pseudo-locale.awk
	@mkdir -p $(@D)
	sh tools/pseudo-locale.sh $* $(PSEUDO_DIR_$*) $(POT) $@

# The rules of one language $(1): its .mo, its templates, its mails.
define I18N_RULES
$(call mo_of,$(1)): $(call po_of,$(1))
	@mkdir -p $$(@D)
	msgfmt --check -o $$@.tmp $$< || { rm -f $$@.tmp; exit 1; }
	@mv $$@.tmp $$@

htdocs/$(1)/%.xhtml: htdocs/%.xhtml $(call mo_of,$(1)) $(ITS)
	@mkdir -p $$(@D)
	@echo "itstool --strict -m $(call mo_of,$(1)) $$< > $$@"
	@itstool --strict -i $(ITS) -l $(subst _,-,$(1)) -m $(call mo_of,$(1)) \
	    -o $$@.tmp $$< || { rm -f $$@.tmp; exit 1; }
	@mv $$@.tmp $$@

htdocs/snippets/$(1)/%.html: htdocs/snippets/%.html $(call mo_of,$(1)) $(ITS) \
    tools/snippet-html.py
	@mkdir -p $$(@D) build/snippets/$(1)
	@echo "itstool --strict -m $(call mo_of,$(1)) $$< > $$@"
	@itstool --strict -i $(ITS) -l $(subst _,-,$(1)) -m $(call mo_of,$(1)) \
	    -o build/snippets/$(1)/$$*.xml $$< && \
	    /usr/bin/python3 tools/snippet-html.py $$< build/snippets/$(1)/$$*.xml \
	    $(subst _,-,$(1)) > $$@.tmp || { rm -f $$@.tmp; exit 1; }
	@mv $$@.tmp $$@

# po4a reads only the mails' messages: its own parser knows no msgctxt,
# and reading the whole catalogue for each mail would be most of the time.
build/mailpo/$(1).po: $(call po_of,$(1)) $(call mo_of,$(1))
	@mkdir -p $$(@D)
	@msggrep -N 'etc/mail/*' -o $$@.tmp $$< && mv $$@.tmp $$@

etc/mail/$(1)/%.txt: etc/mail/%.txt build/mailpo/$(1).po
	@mkdir -p $$(@D)
	@echo "po4a-translate -p $(call po_of,$(1)) $$< > $$@"
	@po4a-translate $(PO4A_FLAGS) -L UTF-8 -k 0 -m $$< -p build/mailpo/$(1).po \
	    -l $$@.tmp >/dev/null || { rm -f $$@.tmp; exit 1; }
	@mv $$@.tmp $$@
endef
$(foreach l,$(I18N_LANGS),$(eval $(call I18N_RULES,$(l))))

# Only what this file built: a company's own htdocs/NAME/request-notice.xhtml
# stays.
clean: clean-translations
clean-translations:
	rm -f $(I18N_OUT) $(POT) $(POT).stamp
	rm -rf build/pot build/pseudo build/locale
	for l in $(I18N_LANGS); do \
	    rmdir htdocs/$$l etc/mail/$$l 2>/dev/null || true; done
