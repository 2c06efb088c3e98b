#!/bin/bash
# check-fresh.sh -- `make check-fresh`: the README's `make check`, as root,
# on a freshly installed minimal Debian 12 in a chroot, so that what the
# development machine happens to have (packages, their versions, files such
# as /etc/hosts) cannot hide what a new machine lacks.
#
#   sudo make check-fresh          (or as root: bash tools/check-fresh.sh)
#
# The machine is a debootstrap'd bookworm (--variant=minbase) plus make,
# git, sudo, ca-certificates and this machine's own CA certificates
# (/usr/local/share/ca-certificates, for a proxy that re-signs TLS), and no
# /etc/hosts: debootstrap writes none, and neither did the installation that
# found the first failures.  It is built once and kept as a tarball; every
# run unpacks a new copy, clones the committed HEAD of this tree into
# /root/privforms, mounts /proc, /sys, /dev, /dev/pts and a private
# /dev/shm, runs `nice make check` there and prints how it ended.  Whatever
# it mounted is unmounted, and whatever still runs in the chroot killed, on
# any exit, Ctrl-C included.  The chroot's apt starts without package lists
# (its `apt-get update` fetches them) and uses the host's package cache,
# bind-mounted, so that packages are downloaded once for both.
#
# Environment (all optional):
#   FRESH_CACHE        where the tarball, the copy and the log live
#                      (/var/cache/privforms/fresh); outside the source tree,
#                      so that `make clean` never meets a mount
#   FRESH_MIRROR       the Debian mirror (the host's, else deb.debian.org)
#   FRESH_SECURITY     the security mirror (likewise)
#   FRESH_APT_CACHE    the package cache to share (/var/cache/apt/archives);
#                      empty: none, everything is downloaded into the copy
#   FRESH_HOSTS=1      give the machine Debian's usual /etc/hosts
#   FRESH_MAX_AGE_DAYS rebuild the tarball when it is older (7)
#   FRESH_REBUILD=1    rebuild it now
#   FRESH_KEEP=1       keep the copy after the run (to look at a failure:
#                      its tests' directories are in its /tmp)
#   FRESH_CHERRY_PICK  commits to apply on top of HEAD in the copy (space
#                      separated), to try a fix from another branch
#   FRESH_NICE         the niceness of the run (10)
# Exit status: make check's.
# shellcheck disable=SC2317	# the functions the traps call are reachable
set -eu
set -o pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
SUITE=bookworm
VARS="FRESH_CACHE FRESH_MIRROR FRESH_SECURITY FRESH_APT_CACHE FRESH_HOSTS
    FRESH_MAX_AGE_DAYS FRESH_REBUILD FRESH_KEEP FRESH_CHERRY_PICK FRESH_NICE"

if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "check-fresh: needs root (chroot, mount)" >&2
		exit 1
	}
	keep=()
	for v in $VARS; do
		[ -n "${!v+x}" ] && keep+=("$v=${!v}")
	done
	exec sudo env "${keep[@]}" bash "$0" "$@"
fi

say() { echo "check-fresh: $*"; }

# The first http(s) URI of the host's sources ending in /$1.
host_mirror() {
	{ cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } |
	    sed -E -n -e "s|^URIs: *(https?://[^ ]*/$1)/*\$|\1|p" \
	    -e "s|^deb +(\[[^]]*\] +)?(https?://[^ ]*/$1)/* .*|\2|p" |
	    awk 'NR == 1'
}

cache=${FRESH_CACHE:-/var/cache/privforms/fresh}
mirror=${FRESH_MIRROR:-$(host_mirror debian)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${FRESH_SECURITY:-$(host_mirror debian-security)}
security=${security:-http://deb.debian.org/debian-security}
aptcache=${FRESH_APT_CACHE-/var/cache/apt/archives}
[ -d "$aptcache" ] || aptcache=""
case $cache in
/*[!A-Za-z0-9/._-]* | [!/]*)
	echo "check-fresh: FRESH_CACHE must be an absolute path of" \
	    "letters, digits, / . _ -" >&2
	exit 1 ;;
esac
cache=${cache%/}
base=$cache/base.tar
root=$cache/root
log=$cache/check.log

# Every mount under $cache (ours, or one a killed debootstrap left),
# deepest first.
unmount_all() {
	local m
	awk -v d="$cache/" 'index($2, d) == 1 { print $2 }' /proc/mounts |
	    sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}

# Processes whose root is the copy: what the run left behind.
inside() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] &&
		    echo "${p#/proc/}"
	done
	return 0
}

stop_inside() {
	local pids
	pids=$(inside)
	[ -z "$pids" ] && return 0
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -z "$(inside)" ] && return 0
		sleep 0.5
	done
	# shellcheck disable=SC2046
	kill -KILL $(inside) 2>/dev/null || true
}

cleanup() {
	trap - EXIT INT TERM HUP
	stop_inside
	unmount_all
	rm -f "$cache/status"
	if [ "${FRESH_KEEP:-0}" != 1 ] && [ -d "$root" ] &&
	    ! grep -q " $cache/" /proc/mounts; then
		rm -rf "$root"
	fi
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT
trap 'say terminated; exit 143' TERM HUP

fresh_base() {
	local age
	[ -f "$base" ] || return 1
	[ "${FRESH_REBUILD:-0}" = 1 ] && return 1
	age=$(( ($(date +%s) - $(stat -c %Y "$base")) / 86400 ))
	[ "$age" -lt "${FRESH_MAX_AGE_DAYS:-7}" ]
}

# debootstrap into $root, then make it the tarball.
build_base() {
	say "building a minimal Debian 12 with debootstrap ($mirror)"
	rm -rf "$root"
	debootstrap --variant=minbase --include=make,git,sudo,ca-certificates \
	    ${aptcache:+--cache-dir="$aptcache"} "$SUITE" "$root" "$mirror"
	unmount_all
	cp /usr/local/share/ca-certificates/*.crt \
	    "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
	chroot "$root" update-ca-certificates >/dev/null
	rm -f "$root/etc/apt/sources.list"
	cat > "$root/etc/apt/sources.list.d/debian.sources" <<-EOF
	Types: deb
	URIs: $mirror
	Suites: $SUITE $SUITE-updates
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb
	URIs: $security
	Suites: $SUITE-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	# A new machine has neither: the run fetches lists and packages.
	rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
	rm -f "$root/etc/hosts"
	tar -C "$root" -cf "$base.new" . && mv "$base.new" "$base"
	rm -rf "$root"
	say "kept as $base"
}

# A new copy of the tarball, with this tree's HEAD in /root/privforms.
unpack() {
	local rev c
	rm -rf "$root"
	mkdir -p "$root"
	tar -C "$root" -xf "$base"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	rm -f "$root/etc/hosts"
	if [ "${FRESH_HOSTS:-0}" = 1 ]; then
		printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' \
		    "$(hostname)" > "$root/etc/hosts"
	fi
	rev=$(git -C "$SRC" rev-parse HEAD)
	git clone -q --no-local "$SRC" "$root/root/privforms"
	git -C "$root/root/privforms" checkout -q --detach "$rev"
	for c in ${FRESH_CHERRY_PICK:-}; do
		git -C "$root/root/privforms" -c user.name=check-fresh \
		    -c user.email=check-fresh@localhost cherry-pick "$c" >/dev/null
	done
	say "$(git -C "$root/root/privforms" log -1 --format='%h %s')" \
	    "${FRESH_CHERRY_PICK:+(with $FRESH_CHERRY_PICK picked)}"
}

mount_all() {
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
	if [ -n "$aptcache" ]; then
		mount --bind "$aptcache" "$root/var/cache/apt/archives"
	fi
}

mkdir -p "$cache"
unmount_all
if grep -q " $cache/" /proc/mounts; then
	echo "check-fresh: something is still mounted under $cache" >&2
	exit 1
fi
fresh_base || build_base
unpack
mount_all
say "make check in $root (hosts file: $([ "${FRESH_HOSTS:-0}" = 1 ] &&
    echo yes || echo none); log: $log)"
start=$(date +%s)
rm -f "$cache/status"
# In the background, because bash runs a trap only once the command in the
# foreground has ended: Ctrl-C stops the run at once (cleanup ends what
# runs in the copy), and tee -i keeps the log meanwhile.
{
	s=0
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
	    TERM="${TERM:-dumb}" \
	    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	    nice -n "${FRESH_NICE:-10}" sh -c 'cd /root/privforms && make check' \
	    < /dev/null || s=$?
	echo "$s" > "$cache/status"
} 2>&1 | tee -i "$log" &
wait $!
status=$(cat "$cache/status" 2>/dev/null || echo 1)
secs=$(( $(date +%s) - start ))
echo
grep -E '^(FAIL|ERROR): |^[0-9]+ passed, ' "$log" | sed 's/^/check-fresh: /' || true
say "make check $([ "$status" = 0 ] && echo passed || echo "failed (exit $status)")" \
    "in $((secs / 60)) min $((secs % 60)) s on a fresh Debian 12"
exit "$status"
