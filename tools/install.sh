#!/bin/sh
# install.sh -- `make install` and `make uninstall`.
#
#   sh tools/install.sh install|uninstall
#
# The directories come from the environment (the Makefile's INSTALL_ENV):
# DESTDIR SBINDIR CGIBIN PKGLIBDIR DATADIR HTDOCS MANDIR UNITDIR CONFDIR
# STATEDIR RUNDIR LOCALEDIR, and the languages: LANGS (po/*.po's names,
# installed) and PSEUDO_LANGS (the test languages, never installed).
# Files under etc/ and man/ name the default directories (/usr/local/...,
# /etc/privforms, /var/lib/privforms, /run/privforms); they are installed
# with the real ones put in.
#
# What a sysadmin edits (privforms.conf, the mail templates, the law table,
# the httpd snippets) is never overwritten once edited (see conf below),
# and uninstall keeps an edited one.  Nothing under
# STATEDIR (the data) is ever touched: `privforms init` makes it.
set -eu

mode=$1
src=$(cd "$(dirname "$0")/.." && pwd)
: "${DESTDIR=}" "${LANGS=}" "${PSEUDO_LANGS=}"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# Directories go into httpd and systemd files unquoted.
for d in "$SBINDIR" "$CGIBIN" "$PKGLIBDIR" "$DATADIR" "$HTDOCS" "$MANDIR" "$UNITDIR" \
    "$CONFDIR" "$STATEDIR" "$RUNDIR" "$LOCALEDIR"; do
	case $d in
	/*[!A-Za-z0-9._+@:/-]*|[!/]*)
		echo "privforms: $d: give directories as absolute paths of" \
		    "letters, digits and . _ + @ : - only" >&2
		exit 1;;
	esac
done

# The file with the installation directories put in, on standard output.
subst() {
	sed -e "s|/usr/local/lib/cgi-bin/privforms|$CGIBIN|g" \
	    -e "s|/usr/local/lib/privforms|$PKGLIBDIR|g" \
	    -e "s|/usr/local/share/privforms/htdocs|$HTDOCS|g" \
	    -e "s|/usr/local/share/locale|$LOCALEDIR|g" \
	    -e "s|/usr/local/share/privforms|$DATADIR|g" \
	    -e "s|/usr/local/sbin/privforms|$SBINDIR/privforms|g" \
	    -e "s|/etc/privforms|$CONFDIR|g" \
	    -e "s|/var/lib/privforms|$STATEDIR|g" \
	    -e "s|/run/privforms|$RUNDIR|g" "$1"
}

# install -d, but an existing directory keeps the mode its owner gave it.
mkdirs() {
	for d in "$@"; do
		[ -d "$d" ] || install -d -m 0755 "$d"
	done
}

# put MODE SRC DIR [NAME]: a file of ours, replaced on every install.
put() {
	dest=$DESTDIR$3/${4:-$(basename "$2")}
	if [ "$mode" = install ]; then
		mkdirs "$DESTDIR$3"
		install -m "$1" "$2" "$dest"
	else
		rm -f "$dest"
	fi
}

# text MODE SRC DIR [NAME]: the same, with the directories put in.
text() {
	subst "$2" > "$tmp"
	put "$1" "$tmp" "$3" "${4:-$(basename "$2")}"
}

# conf SRC DIR [NAME]: a file the sysadmin may edit.  The version shipped
# is kept under DATADIR/dist, so that an upgrade replaces a file nobody
# edited, leaves an edited one alone when ours did not change, and puts
# ours beside it as NAME.new when both did.
conf() {
	name=${3:-$(basename "$1")}
	dest=$DESTDIR$2/$name
	dist=$DESTDIR$DATADIR/dist${2#"$CONFDIR"}/$name
	subst "$1" > "$tmp"
	if [ "$mode" = uninstall ]; then
		for f in "$dest" "$dest.new"; do
			if [ -f "$f" ] && { cmp -s "$tmp" "$f" ||
			    cmp -s "$dist" "$f"; }; then
				rm -f "$f"
			elif [ -f "$f" ]; then
				echo "privforms: kept $f (edited)"
			fi
		done
		rm -f "$dist"
		return
	fi
	mkdirs "$DESTDIR$2" "$(dirname "$dist")"
	if [ ! -f "$dest" ] || cmp -s "$dist" "$dest"; then
		install -m 0644 "$tmp" "$dest"
	elif cmp -s "$tmp" "$dest" || cmp -s "$tmp" "$dist"; then
		:
	else
		install -m 0644 "$tmp" "$dest.new"
		echo "privforms: $dest is edited; the new version is $dest.new"
	fi
	install -m 0644 "$tmp" "$dist"
}

# Remove each directory if it is empty (deepest first).
prune() {
	for d in "$@"; do
		rmdir "$DESTDIR$d" 2>/dev/null || true
	done
}

for p in "$src"/cgi-bin/*.c; do
	put 0755 "$src/build/install/$(basename "$p" .c).fcgi" "$CGIBIN"
done
put 0755 "$src/build/install/privforms" "$SBINDIR"
# The phone module (lib/phone_module.h), where the programs were built to
# look for it; not in CGIBIN, where an httpd would take it for a program.
put 0644 "$src/lib/phone.so" "$PKGLIBDIR"
# And the PostgreSQL module (lib/pg_module.h), beside it.
put 0644 "$src/lib/pg.so" "$PKGLIBDIR"

# Each language's templates and snippets too (htdocs/NAME/,
# htdocs/snippets/NAME/), but not a pseudo-locale's.
(cd "$src/htdocs" && find . -type f ! -name '*.tmp') | sort | while read -r f; do
	top=${f#./}
	top=${top#snippets/}
	case " $PSEUDO_LANGS " in *" ${top%%/*} "*) continue;; esac
	put 0644 "$src/htdocs/$f" "$HTDOCS/$(dirname "$f")"
done
# The catalogues, where gettext looks for them (LOCALEDIR: the programs'
# locale_dir).
for l in $LANGS; do
	put 0644 "$src/build/locale/$l/LC_MESSAGES/privforms.mo" \
	    "$LOCALEDIR/$l/LC_MESSAGES"
done
for f in "$src"/etc/*.xsd "$src"/etc/*.xsl; do
	put 0644 "$f" "$DATADIR"
done
text 0644 "$src/etc/privforms.conf.example" "$DATADIR"

conf "$src/etc/privforms.conf.example" "$CONFDIR" privforms.conf
conf "$src/etc/privacy-laws.tsv" "$CONFDIR"
conf "$src/etc/consent-categories.tsv" "$CONFDIR"
conf "$src/etc/mailing-lists.tsv" "$CONFDIR"
for f in "$src"/etc/mail/*.txt; do
	conf "$f" "$CONFDIR/mail"
done
for l in $LANGS; do
	for f in "$src"/etc/mail/"$l"/*.txt; do
		conf "$f" "$CONFDIR/mail/$l"
	done
done
for f in "$src"/etc/nginx/*.conf; do
	conf "$f" "$CONFDIR/nginx"
done
for f in "$src"/etc/apache/*.conf; do
	[ -f "$f" ] && conf "$f" "$CONFDIR/apache"
done

for f in "$src"/etc/systemd/*.service "$src"/etc/systemd/*.socket \
    "$src"/etc/systemd/*.timer; do
	[ -f "$f" ] && text 0644 "$f" "$UNITDIR"
done

for f in "$src"/man/*.[1-9]; do
	sec=${f##*.}
	text 0644 "$f" "$MANDIR/man$sec"
done
# The form programs share one page; each name finds it.
for p in "$src"/cgi-bin/*.c; do
	echo ".so man8/privforms-forms.8" > "$tmp"
	put 0644 "$tmp" "$MANDIR/man8" "$(basename "$p" .c).fcgi.8"
done

if [ "$mode" = uninstall ]; then
	for l in $LANGS; do
		prune "$HTDOCS/$l" "$DATADIR/dist/mail/$l" "$CONFDIR/mail/$l" \
		    "$LOCALEDIR/$l/LC_MESSAGES" "$LOCALEDIR/$l"
	done
	prune "$CGIBIN" "$PKGLIBDIR" "$HTDOCS/static" "$HTDOCS/snippets" "$HTDOCS" \
	    "$DATADIR/dist/mail" "$DATADIR/dist/nginx" "$DATADIR/dist/apache" \
	    "$DATADIR/dist" "$DATADIR" "$CONFDIR/mail" "$CONFDIR/nginx" \
	    "$CONFDIR/apache" "$CONFDIR"
else
	echo "privforms: installed; next: privforms init (see INSTALL)"
fi
