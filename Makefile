# privforms -- a privacy request center for classic web stacks.
#
#   make            build lib/libprivforms.a, the FastCGI programs, tools/privforms
#                   and each language's catalogue, templates and mails
#   make run        install Debian packages if needed, build, serve on 127.0.0.1:$(PORT)
#   make check      install Debian packages if needed, build, run every test
#                   (first check-includes: no include cycle among lib/'s modules;
#                   then check-translations: every po/*.po complete; the
#                   integration tests on SQLite, then again on PostgreSQL:
#                   integration-pg below)
#   make check-fresh  make check as root in a new minimal Debian 12 chroot
#                   (debootstrap, cached; 9 to 12 minutes; see README.md)
#   make bench      measure throughput and latency (see README.md)
#   make fuzz       fuzz what reads untrusted input (tests/fuzz/fuzz.mk)
#   make pot        build/privforms.pot, the messages to translate; `make
#                   update-po` merges it into po/*.po (po/i18n.mk, README.md)
#   make install    copy into the directories below (and DESTDIR); see INSTALL
#   make uninstall  remove what make install copied; data and edited configs stay
#
# Set PRIVFORMS_NO_APT=1 to skip the Debian package step (packagers, CI images
# that are already provisioned).  SANITIZE=1 builds with ASan and UBSan.
# Site overrides go in Makefile.local.

# Installation directories.  The installed programs are built with these
# compiled in (build/install/), so set them for `make` and `make install`
# alike, e.g. in Makefile.local.
PREFIX		?= /usr/local
DESTDIR		?=
SBINDIR		?= $(PREFIX)/sbin
CGIBIN		?= $(PREFIX)/lib/cgi-bin/privforms
PKGLIBDIR	?= $(PREFIX)/lib/privforms
DATADIR		?= $(PREFIX)/share/privforms
HTDOCS		?= $(DATADIR)/htdocs
# The compiled catalogues (po/i18n.mk), LOCALEDIR/NAME/LC_MESSAGES/
# privforms.mo; in a source tree they are in build/locale.
LOCALEDIR	?= $(PREFIX)/share/locale
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
SYSCONFDIR	?= /etc
LOCALSTATEDIR	?= /var
RUNSTATEDIR	?= /run
CONFDIR		?= $(SYSCONFDIR)/privforms
STATEDIR	?= $(LOCALSTATEDIR)/lib/privforms
RUNDIR		?= $(RUNSTATEDIR)/privforms
PORT		?= 8080

-include Makefile.local

# Where tools/privforms and the programs look for privforms.conf when neither
# --config nor PRIVFORMS_CONFIG names one: in a source tree, the one that
# `make run` uses.
CONFIG_DEFAULT	?= $(CURDIR)/var/privforms.conf

CC		?= cc
CXX		?= c++
PKGS		 = fcgi libxml-2.0 sqlite3 libesmtp-1.0 libssl libcrypto json-c \
		   icu-uc icu-i18n
CFLAGS		?= -O2 -g
CXXFLAGS	?= -O2 -g
WARN		 = -Wall -Wextra -Werror
ifeq ($(SANITIZE),1)
SAN		 = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# LeakSanitizer now and then takes a dynamic TLS block of glibc's for the
# header glibc 2.19 had (google/sanitizers#1322) and crashes at exit
# ("Tracer caught signal 11"), which fails a command that did nothing
# wrong; without the interception it does not look at dynamic TLS, where
# nothing of ours lives.  The harness adds the same for the programs.
export ASAN_OPTIONS ?= intercept_tls_get_addr=0
endif
# Deferred (=), so pkg-config runs only once the packages are there.
PF_CPPFLAGS	 = -Ilib -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
		   $(shell pkg-config --cflags $(PKGS))
PF_CFLAGS	 = -std=c11 $(WARN) $(SAN) $(PF_CPPFLAGS) $(CPPFLAGS) $(CFLAGS)
PF_CXXFLAGS	 = -std=c++17 $(WARN) $(SAN) $(PF_CPPFLAGS) $(CPPFLAGS) $(CXXFLAGS)
# --as-needed: each program links only the libraries it calls (the form
# programs do not send mail, so they do not load libesmtp), which keeps
# start-up short for plain CGI and resident memory small.
PF_LDFLAGS	 = -Wl,--as-needed $(SAN) $(LDFLAGS)
PF_LIBS		 = $(shell pkg-config --libs $(PKGS)) $(LDLIBS)
# Only the phone module (phone_module.h) links libphonenumber: the programs
# open it when a request first reads a phone number, so that the others do
# not pay for loading it and ICU at every plain-CGI start.
PHONE_LIBS	 = -lphonenumber
PHONE_MODULE	 = lib/phone.so
# Only the PostgreSQL module (pg_module.h) links libpq, for the same reason:
# a site on SQLite never loads libpq and the score of libraries it brings.
# The programs export to it the few symbols it calls back (pg_module.syms).
PG_CPPFLAGS	 = $(shell pkg-config --cflags libpq)
PG_LIBS		 = $(shell pkg-config --libs libpq)
PG_MODULE	 = lib/pg.so
PF_EXE_LDFLAGS	 = $(PF_LDFLAGS) -Wl,--dynamic-list=lib/pg_module.syms
CHECK_LIBS	 = $(shell pkg-config --libs check)

LIB_C		 = $(filter-out lib/schema.c lib/countries.c lib/store_pg.c, \
		   $(wildcard lib/*.c)) \
		   lib/schema.c lib/countries.c
LIB_CXX		 = $(wildcard lib/*.cc)
LIB_OBJ		 = $(LIB_C:.c=.o)
SCHEMA		 = $(sort $(wildcard lib/schema/*.sql))
PG_SCHEMA	 = $(sort $(wildcard lib/schema/pg/*.sql))
PROGRAMS	 = $(patsubst %.c,%.fcgi,$(wildcard cgi-bin/*.c))
TOOLS		 = tools/privforms
# The same programs linked with the installation directories compiled in.
INSTALLED	 = $(patsubst cgi-bin/%,build/install/%,$(PROGRAMS)) \
		   build/install/privforms
INSTALL_PATHS	 = -DPF_CONFDIR='"$(CONFDIR)"' -DPF_DATADIR='"$(DATADIR)"' \
		   -DPF_HTDOCS='"$(HTDOCS)"' -DPF_STATEDIR='"$(STATEDIR)"' \
		   -DPF_PHONE_MODULE='"$(PKGLIBDIR)/phone.so"' \
		   -DPF_PG_MODULE='"$(PKGLIBDIR)/pg.so"' \
		   -DPF_LOCALEDIR='"$(LOCALEDIR)"'
TOOL_OBJ	 = $(patsubst %.c,%.o,$(wildcard tools/*.c))
UNIT_TESTS	 = $(patsubst %.c,%,$(wildcard tests/unit/test_*.c))
BENCH_PROGS	 = $(patsubst %.c,%,$(wildcard tests/bench/*.c))
# playwright-core for the headless-browser test, as the lockfile pins it.
BROWSER_DEPS	 = tests/browser/node_modules/.installed
FLAGS		 = .build-flags

.PHONY: all run check check-fresh unit integration bench deps install uninstall \
	clean FORCE

# `make` alone builds `all`, as the header says: without this, the first rule
# of an included file (fuzz.mk's library) would be the default goal.
.DEFAULT_GOAL := all

include tests/fuzz/fuzz.mk
include po/i18n.mk
.SECONDARY: $(UNIT_TESTS:=.o) tests/unit/fixture.o $(BENCH_PROGS:=.o) \
	    $(PROGRAMS:.fcgi=.o)

all: lib/libprivforms.a $(PHONE_MODULE) $(PG_MODULE) $(PROGRAMS) $(TOOLS) $(INSTALLED) \
    translations

# Rebuild everything when the flags change (SANITIZE=1 and back).
$(FLAGS): FORCE
	@echo '$(PF_CFLAGS) $(PF_CXXFLAGS) $(PF_LDFLAGS) $(CONFIG_DEFAULT)' | cmp -s - $@ || \
	    echo '$(PF_CFLAGS) $(PF_CXXFLAGS) $(PF_LDFLAGS) $(CONFIG_DEFAULT)' > $@

%.o: %.c lib/*.h lib/*.def $(FLAGS)
	$(CC) $(PF_CFLAGS) -c -o $@ $<

%.o: %.cc lib/*.h $(FLAGS)
	$(CXX) $(PF_CXXFLAGS) -c -o $@ $<

lib/config.o: PF_CPPFLAGS += -DPF_CONFIG_DEFAULT='"$(CONFIG_DEFAULT)"'

# The languages config.c offers by default: en and one per po/*.po (the
# gettext name pt_BR as the tag pt-BR); and where the catalogues are,
# LOCALEDIR (make run and the tests set locale_dir to build/locale, as
# they set templates: tools/stack.sh).  build/languages changes only when they do, so that adding a
# .po file rebuilds config.c.
LOCALEDIR	?= $(PREFIX)/share/locale
PF_LANG_LIST	 = en $(subst _,-,$(basename $(notdir $(wildcard po/*.po))))
LANG_FLAGS	 = -DPF_LANGUAGES='"$(strip $(PF_LANG_LIST))"'
build/languages: FORCE
	@mkdir -p build
	@echo '$(LANG_FLAGS)' | cmp -s - $@ || echo '$(LANG_FLAGS)' > $@
lib/config.o: build/languages
lib/config.o: PF_CPPFLAGS += $(LANG_FLAGS) -DPF_LOCALEDIR='"$(LOCALEDIR)"'
# test_config checks those defaults.
tests/unit/test_config.o: build/languages
tests/unit/test_config.o: PF_CPPFLAGS += $(LANG_FLAGS)
lib/phone_load.o: PF_CPPFLAGS += -DPF_PHONE_MODULE='"$(CURDIR)/$(PHONE_MODULE)"'

# The phone module: phone.cc and what it needs, one shared object that
# exports only its table (phone_module.h).
lib/phone.o: PF_CXXFLAGS += -fPIC -fvisibility=hidden

$(PHONE_MODULE): $(LIB_CXX:.cc=.o)
	$(CXX) -shared $(PF_LDFLAGS) -o $@ $^ $(PHONE_LIBS)

# The PostgreSQL module: store_pg.c alone, exporting only its table.
lib/pg_load.o: PF_CPPFLAGS += -DPF_PG_MODULE='"$(CURDIR)/$(PG_MODULE)"'
lib/store_pg.o: PF_CPPFLAGS += $(PG_CPPFLAGS)
lib/store_pg.o: PF_CFLAGS += -fPIC -fvisibility=hidden

$(PG_MODULE): lib/store_pg.o
	$(CC) -shared $(PF_LDFLAGS) -o $@ $^ $(PG_LIBS)

# The numbered migrations, embedded so that a program cannot run against a
# schema other than the one it was built with.
lib/schema.c: $(SCHEMA) $(PG_SCHEMA) tools/embed-schema.sh
	sh tools/embed-schema.sh $(SCHEMA) --pg $(PG_SCHEMA) > $@.tmp && \
	    mv $@.tmp $@

# The country and US state tables (country.h), from Debian's iso-codes: a
# new iso-codes release reaches the forms with a rebuild.
ISO_CODES	?= /usr/share/iso-codes/json
# The words of etc/'s tables that visitors read (consent categories, law
# names, regulators, mailing lists), as a catalogue template: `make pot` adds it to
# build/privforms.pot, and the code looks them up with gettext.
TABLES_POT	 = build/pot/tables.pot
$(POT).stamp: $(TABLES_POT)
$(TABLES_POT): tools/gen-table-pot.py etc/consent-categories.tsv \
    etc/privacy-laws.tsv etc/mailing-lists.tsv
	@mkdir -p $(@D)
	/usr/bin/python3 tools/gen-table-pot.py etc/consent-categories.tsv \
	    etc/privacy-laws.tsv etc/mailing-lists.tsv > $@.tmp && mv $@.tmp $@

lib/countries.c: tools/gen-countries.py \
    $(wildcard $(ISO_CODES)/iso_3166-1.json $(ISO_CODES)/iso_3166-2.json)
	/usr/bin/python3 tools/gen-countries.py $(ISO_CODES) > $@.tmp && mv $@.tmp $@

lib/libprivforms.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

cgi-bin/%.fcgi: cgi-bin/%.o lib/libprivforms.a
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $< lib/libprivforms.a $(PF_LIBS)

$(TOOL_OBJ): tools/cli.h

tools/privforms: $(TOOL_OBJ) lib/libprivforms.a
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $(TOOL_OBJ) lib/libprivforms.a $(PF_LIBS)

# Only config.o, phone_load.o and pg_load.o differ, so a change of
# directories relinks and compiles three files.  Linked before the library, they stand in for the
# library's.
build/install/paths: FORCE
	@mkdir -p build/install
	@echo '$(INSTALL_PATHS)' | cmp -s - $@ || echo '$(INSTALL_PATHS)' > $@

build/install/config.o: lib/config.c lib/*.h lib/*.def $(FLAGS) build/install/paths \
    build/languages
	$(CC) $(PF_CFLAGS) $(INSTALL_PATHS) $(LANG_FLAGS) -c -o $@ $<

build/install/phone_load.o: lib/phone_load.c lib/*.h $(FLAGS) build/install/paths
	$(CC) $(PF_CFLAGS) $(INSTALL_PATHS) -c -o $@ $<

build/install/pg_load.o: lib/pg_load.c lib/*.h $(FLAGS) build/install/paths
	$(CC) $(PF_CFLAGS) $(INSTALL_PATHS) -c -o $@ $<

INSTALL_OBJ	 = build/install/config.o build/install/phone_load.o \
		   build/install/pg_load.o

build/install/%.fcgi: cgi-bin/%.o $(INSTALL_OBJ) lib/libprivforms.a
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $< $(INSTALL_OBJ) lib/libprivforms.a $(PF_LIBS)

build/install/privforms: $(TOOL_OBJ) $(INSTALL_OBJ) lib/libprivforms.a
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $(TOOL_OBJ) $(INSTALL_OBJ) lib/libprivforms.a $(PF_LIBS)

# The test programs share the fixture's struct: recompile them when it changes.
$(UNIT_TESTS:=.o) tests/unit/fixture.o: tests/unit/fixture.h \
    tests/unit/check_main.h tests/mem_stream.h

tests/unit/test_%: tests/unit/test_%.o tests/unit/fixture.o lib/libprivforms.a \
    $(PHONE_MODULE) $(PG_MODULE)
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $< tests/unit/fixture.o lib/libprivforms.a $(PF_LIBS) $(CHECK_LIBS)

# test_cli checks the command's shared part, tools/cli.c, linked in.
tests/unit/test_cli.o: PF_CPPFLAGS += -Itools
tests/unit/test_cli.o: tools/cli.h
tests/unit/test_cli: tests/unit/test_cli.o tests/unit/fixture.o \
    tests/unit/check_main.h tools/cli.o lib/libprivforms.a
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $< tests/unit/fixture.o tools/cli.o \
	    lib/libprivforms.a $(PF_LIBS) $(CHECK_LIBS)

# The minimal store responders share their FastCGI loop (header-only).
tests/bench/store-responder.o tests/bench/pgstore-responder.o: tests/bench/responder.h
tests/bench/%: tests/bench/%.o lib/libprivforms.a
	$(CXX) $(PF_EXE_LDFLAGS) -o $@ $< lib/libprivforms.a $(PF_LIBS)

# The two that speak libpq themselves: the libpq responder, and the unit
# test that sets up roles and reads the server's own view.
tests/unit/test_store_pg.o tests/bench/pgstore-responder.o: \
    PF_CPPFLAGS += $(PG_CPPFLAGS)
tests/unit/test_store_pg tests/bench/pgstore-responder: PF_LIBS += $(PG_LIBS)

deps:
	@sh tools/deps.sh

run:
	@sh tools/deps.sh
	@$(MAKE) --no-print-directory all
	@bash tools/run.sh

check:
	@sh tools/deps.sh check
	@$(MAKE) --no-print-directory check-includes
	@$(MAKE) --no-print-directory all $(UNIT_TESTS)
	@$(MAKE) --no-print-directory check-translations
	@$(MAKE) --no-print-directory unit fuzz-regress integration
	@$(MAKE) --no-print-directory integration-pg

# The same, on a machine that has nothing but what Debian 12 installs
# (tools/check-fresh.sh); needs root or sudo.
check-fresh:
	@sh tools/deps.sh fresh
	@bash tools/check-fresh.sh

unit: $(UNIT_TESTS)
	@sh tests/unit/run.sh $(UNIT_TESTS)

# lib/'s modules form a graph without cycles (tools/check-includes.py).
.PHONY: check-includes
check-includes:
	@/usr/bin/python3 tools/check-includes.py lib

# The integration tests (tests/integration/run.py): TESTS="PATTERN..." picks
# files (all of them without); BACKEND=postgresql puts every site's data in
# PostgreSQL, on a private server the harness starts (tools/pgtest.sh).
BACKEND		?= sqlite
integration: all $(BROWSER_DEPS)
	PRIVFORMS_TEST_BACKEND=$(BACKEND) /usr/bin/python3 tests/integration/run.py $(TESTS)

# The PostgreSQL pass of `make check`: the integration tests again with
# BACKEND=postgresql, all but those that neither store nor read data, or
# reach the store only in a way the SQLite pass already covers (and leaving
# them out keeps make check well under 15 minutes):
#   test_browser.py       the widget and pages in chromium
#   test_c_strings.py test_js_strings.py test_docs.py test_man.py
#   test_routes.py test_includes.py
#                         the sources and documents; no site
#   test_lang.py test_js_lang.py test_form_errors_lang.py
#   test_mail_lang.py test_request_journey_lang.py test_pseudo_locale.py
#                         translations: which language a page or mail is in
#   test_nginx.py         nginx's own timeouts, limits and headers
#   test_deadline.py      the laws table through the command (a file)
#   test_audit_view.py    what an auditor reads: record files, pseudonyms
#   test_pg_schema.py     compares the two schemas, on a server of its own
#   test_install.py test_apache.py test_systemd.py test_run.py
#                         an installed tree, Apache, the systemd units, make
#                         run: the serving around the programs, each with a
#                         configuration of its own on SQLite
#   test_worker_heap.py   a worker's heap across requests: what grew and
#                         shrank it was SQLite's temporary index
# test_nodes.py (two web nodes on one database, a node killed and the
# server restarted mid-load) runs in this pass only: on SQLite it skips.
# `make integration-pg TESTS=test_mail.py` runs one file on PostgreSQL.
PG_SKIP		 = test_browser.py test_c_strings.py test_js_strings.py \
		   test_docs.py test_man.py test_routes.py test_includes.py \
		   test_lang.py test_js_lang.py test_form_errors_lang.py \
		   test_mail_lang.py test_request_journey_lang.py \
		   test_pseudo_locale.py test_install.py test_apache.py \
		   test_systemd.py test_run.py test_pg_schema.py test_nginx.py \
		   test_deadline.py test_audit_view.py test_worker_heap.py
PG_TESTS	 = $(filter-out $(PG_SKIP),$(notdir $(wildcard tests/integration/test_*.py)))

.PHONY: integration-pg
integration-pg:
	@$(MAKE) --no-print-directory integration BACKEND=postgresql \
	    TESTS="$(or $(TESTS),$(PG_TESTS))"

# Once, and again only when the lockfile changes.
$(BROWSER_DEPS): tests/browser/package-lock.json tests/browser/package.json
	cd tests/browser && npm ci --no-audit --no-fund
	touch $@

# tools/install.sh does the copying; it reads these from its environment.
INSTALL_ENV	 = DESTDIR='$(DESTDIR)' SBINDIR='$(SBINDIR)' CGIBIN='$(CGIBIN)' \
		   PKGLIBDIR='$(PKGLIBDIR)' \
		   DATADIR='$(DATADIR)' HTDOCS='$(HTDOCS)' MANDIR='$(MANDIR)' \
		   UNITDIR='$(UNITDIR)' CONFDIR='$(CONFDIR)' STATEDIR='$(STATEDIR)' \
		   RUNDIR='$(RUNDIR)' LOCALEDIR='$(LOCALEDIR)' LANGS='$(LANGS)' \
		   PSEUDO_LANGS='$(PSEUDO_LANGS)'

install: all
	@$(INSTALL_ENV) sh tools/install.sh install

uninstall:
	@$(INSTALL_ENV) sh tools/install.sh uninstall

bench:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCH_PROGS)
	/usr/bin/python3 tests/bench/bench.py

clean:
	rm -f lib/*.o lib/schema.c lib/countries.c lib/libprivforms.a $(PHONE_MODULE) $(PG_MODULE) \
	    cgi-bin/*.o $(PROGRAMS) tools/*.o $(TOOLS) tests/unit/*.o \
	    tests/unit/*.log $(UNIT_TESTS) tests/bench/*.o $(BENCH_PROGS) $(FLAGS)
	rm -rf build
	rm -rf tests/fuzz/build
