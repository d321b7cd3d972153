#!/bin/sh
# Build the probe guest's disk image from Debian packages only: a raw disk
# with an MBR and one FAT16 partition (label ODCABOOT) holding syslinux, the
# Debian kernel, a busybox initramfs and /odca/.  No loop device, no mount:
# sfdisk, mkfs.vfat --offset, syslinux --offset and mtools work on the file.
#
# Usage: sh guest/build-guest.sh OUTDIR          (root, Debian 12)
#   QGA=1      also put qemu-guest-agent in (default 0: +2.7 MB initramfs)
#   DISK_MB=n  disk size in MiB (default 32)
# Writes OUTDIR/odca-guest.raw, OUTDIR/vmlinuz, OUTDIR/initrd.gz and
# OUTDIR/recipe.sha256; keeps the downloaded .debs in OUTDIR/debs and the
# kernel with its module closure in OUTDIR/kernel.
# Does nothing when recipe.sha256 matches: it hashes the recipe files, the
# package versions apt would pick and the settings above.
set -eu

die() {
    echo "build-guest: $*" >&2
    exit 1
}

[ $# -eq 1 ] || die "usage: build-guest.sh OUTDIR"
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1" || die "cannot create '$1'"
OUT=$(cd "$1" && pwd)
QGA=${QGA:-0}
DISK_MB=${DISK_MB:-32}
case $QGA in 0 | 1) ;; *) die "QGA must be 0 or 1, not '$QGA'" ;; esac
case $DISK_MB in '' | *[!0-9]*) die "DISK_MB must be a number, not '$DISK_MB'" ;; esac
[ "$DISK_MB" -ge 24 ] || die "DISK_MB must be at least 24 (kernel + initramfs)"
# depmod, sfdisk and mkfs.vfat live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin
export PATH
export MTOOLS_SKIP_CHECK=1 LC_ALL=C
start=$(date +%s)

# --- tools, each with the Debian package that ships it -----------------
need() {
    command -v "$1" > /dev/null 2>&1 ||
        die "missing tool '$1': apt-get install $2 (see guest/deps.txt)"
}
need apt-get apt
need apt-cache apt
need dpkg-deb dpkg
need depmod kmod
need modprobe kmod
need cpio cpio
need gzip gzip
need sfdisk fdisk
need mkfs.vfat dosfstools
need mcopy mtools
need mmd mtools
need syslinux syslinux
need sha256sum coreutils
MBR=/usr/lib/syslinux/mbr/mbr.bin
[ -r "$MBR" ] || die "missing $MBR: apt-get install syslinux-common"

# --- which packages: the kernel ABI changes with security updates -------
DEBS=$OUT/debs
mkdir -p "$DEBS"

# One apt-cache call (each costs about 0.7 s where apt keeps no cache
# file): the kernel meta package pins its kernel with "(= VERSION)".
apt_show=$(apt-cache show --no-all-versions linux-image-amd64 busybox-static \
    qemu-guest-agent 2> /dev/null) || apt_show=
field() { # field PACKAGE FIELD: a field of PACKAGE in apt_show
    printf '%s\n' "$apt_show" | awk -v p="$1" -v f="$2:" '
        $1 == "Package:" { cur = $2 }
        cur == p && $1 == f { sub(/^[^:]*: */, ""); print; exit }'
}
# cached PKG FIELD: FIELD of the cached .deb of PKG (for offline rebuilds)
cached() {
    for f in "$DEBS/$1"_*.deb; do
        [ -e "$f" ] && dpkg-deb -f "$f" "$2"
    done | tail -n 1
}
kdep=$(field linux-image-amd64 Depends | tr ',' '\n' | grep -m 1 '^ *linux-image-[0-9]') || kdep=
KPKG=$(echo "$kdep" | sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p')
KVER=$(echo "$kdep" | sed -n 's/.*(= \(.*\)).*/\1/p')
if [ -z "$KPKG" ] || [ -z "$KVER" ]; then
    # No apt lists: use the cached kernel package, if there is one.
    KPKG=
    for f in "$DEBS"/linux-image-[0-9]*.deb; do
        [ -e "$f" ] || continue
        KPKG=$(dpkg-deb -f "$f" Package)
        KVER=$(dpkg-deb -f "$f" Version)
    done
fi
[ -n "$KPKG" ] || die "cannot tell the kernel package: run apt-get update"
BBVER=$(field busybox-static Version)
[ -n "$BBVER" ] || BBVER=$(cached busybox-static Version)
[ -n "$BBVER" ] || die "no version of busybox-static known: run apt-get update"
QGAVER=
if [ "$QGA" = 1 ]; then
    QGAVER=$(field qemu-guest-agent Version)
    [ -n "$QGAVER" ] || QGAVER=$(cached qemu-guest-agent Version)
    [ -n "$QGAVER" ] || die "no version of qemu-guest-agent known: run apt-get update"
fi

HASH=$(
    cd "$HERE"
    find build-guest.sh modules.txt syslinux.cfg rootfs -type f | sort |
        while read -r f; do sha256sum "$f"; done
    echo "kernel $KPKG $KVER"
    echo "busybox-static $BBVER"
    echo "qga $QGA $QGAVER"
    echo "disk_mb $DISK_MB"
)
HASH=$(printf '%s\n' "$HASH" | sha256sum | cut -d ' ' -f 1)
IMG=$OUT/odca-guest.raw
if [ -f "$IMG" ] && [ "$(cat "$OUT/recipe.sha256" 2> /dev/null)" = "$HASH" ]; then
    echo "guest: up to date: $IMG ($(wc -c < "$IMG") bytes)"
    exit 0
fi

W=$OUT/work.$$
cleanup() {
    rc=$?
    rm -rf "$W"
    [ $rc -eq 0 ] || echo "build-guest: FAILED (exit $rc)" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$W"

# fetch PKG VERSION: print the path of PKG's .deb at VERSION, from the cache
# or downloaded into it (older versions of PKG are dropped).
fetch() {
    for f in "$DEBS/$1"_*.deb; do
        [ -e "$f" ] || continue
        if [ "$(dpkg-deb -f "$f" Version)" = "$2" ]; then
            printf '%s' "$f"
            return 0
        fi
    done
    (cd "$DEBS" && apt-get download -q "$1=$2") > "$W/apt.log" 2>&1 || {
        cat "$W/apt.log" >&2
        die "apt-get download $1=$2 failed: run apt-get update (a newer kernel may have replaced it)"
    }
    for f in "$DEBS/$1"_*.deb; do
        if [ "$(dpkg-deb -f "$f" Version)" = "$2" ]; then
            printf '%s' "$f"
        else
            rm -f "$f"
        fi
    done
}
KDEB=$(fetch "$KPKG" "$KVER")
BBDEB=$(fetch busybox-static "$BBVER")
if [ -z "$KDEB" ] || [ -z "$BBDEB" ]; then
    die "downloaded packages not found in $DEBS"
fi

# --- kernel and modules ------------------------------------------------
# The kernel with the closure of modules.txt is kept in OUTDIR/kernel,
# keyed by both: unpacking the 70 MB kernel package takes most of a build,
# and a change to rootfs/ alone does not need it again.
KKEY=$(printf '%s %s\n' "$KPKG" "$KVER" | cat - "$HERE/modules.txt" | sha256sum | cut -c 1-16)
K=$OUT/kernel/$KKEY
if [ ! -f "$K/vmlinuz" ]; then
    echo "guest: unpacking $KPKG $KVER"
    dpkg-deb -x "$KDEB" "$W/k"
    set -- "$W"/k/lib/modules/*
    [ $# -eq 1 ] || die "expected one kernel in $KDEB, found: $*"
    KV=${1##*/}
    depmod -b "$W/k" "$KV"
    S=$W/kstage
    mkdir -p "$S/lib/modules/$KV"
    # Every module of modules.txt with the modules it needs, at the same path.
    # shellcheck disable=SC2013 # one module name per word is the format
    for m in $(sed 's/#.*//' "$HERE/modules.txt"); do
        modprobe -d "$W/k" -S "$KV" --show-depends "$m" ||
            die "module '$m' (guest/modules.txt) is not in kernel $KV"
    done > "$W/deps"
    awk '$1 == "insmod" { print $2 }' "$W/deps" | sort -u |
        while read -r f; do
            rel=${f#"$W/k/lib/modules/$KV/"}
            mkdir -p "$S/lib/modules/$KV/${rel%/*}"
            cp "$f" "$S/lib/modules/$KV/$rel"
        done
    cp "$W/k/lib/modules/$KV"/modules.order "$W/k/lib/modules/$KV"/modules.builtin* \
        "$S/lib/modules/$KV/"
    depmod -b "$S" "$KV"
    cp "$W/k/boot/vmlinuz-$KV" "$S/vmlinuz"
    rm -rf "$W/k" "$OUT/kernel"
    mkdir -p "$OUT/kernel"
    mv "$S" "$K"
fi
set -- "$K"/lib/modules/*
KV=${1##*/}
nmods=$(find "$K/lib/modules" -name '*.ko' | wc -l)

# --- initramfs: busybox, modules, the recipe's rootfs/, maybe qemu-ga ----
R=$W/root
for d in bin sbin usr/bin usr/sbin dev proc sys run tmp boot www/cgi-bin \
    var/run var/log etc/acpi; do
    mkdir -p "$R/$d"
done
cp -R "$K/lib" "$R/"
dpkg-deb -x "$BBDEB" "$W/bb"
cp "$W/bb/bin/busybox" "$R/bin/busybox"
for a in $("$R/bin/busybox" --list-full); do
    [ -e "$R/$a" ] || ln -s /bin/busybox "$R/$a"
done
cp -R "$HERE/rootfs/." "$R/"
# A file that starts with #! is a program, whatever mode the checkout gave.
find "$R/init" "$R/etc" "$R/www" "$R/sbin" -type f | while read -r f; do
    [ "$(head -c 2 "$f")" = '#!' ] && chmod 755 "$f"
done

if [ "$QGA" = 1 ]; then
    QDEB=$(fetch qemu-guest-agent "$QGAVER")
    dpkg-deb -x "$QDEB" "$W/qga"
    cp "$W/qga/usr/sbin/qemu-ga" "$R/usr/sbin/qemu-ga"
    # qemu-ga is linked dynamically: take its libraries from this host,
    # which runs the same Debian release.
    if ldd "$W/qga/usr/sbin/qemu-ga" | grep -q 'not found'; then
        ldd "$W/qga/usr/sbin/qemu-ga" | grep 'not found' >&2
        die "qemu-ga needs libraries this host lacks: apt-get install qemu-guest-agent"
    fi
    ldd "$W/qga/usr/sbin/qemu-ga" |
        awk '/=> \// { print $3 } /^[ \t]*\/lib64/ { print $1 }' |
        while read -r l; do
            mkdir -p "$R${l%/*}"
            cp -L "$l" "$R$l"
        done
fi

(cd "$R" && find . | sort | cpio -o -H newc -R 0:0 --quiet) | gzip -6 > "$W/initrd.gz"
cp "$K/vmlinuz" "$W/vmlinuz"

# --- the disk: MBR + FAT16 from 1 MiB, syslinux, kernel, initramfs ------
D=$W/disk.raw
truncate -s "${DISK_MB}M" "$D"
echo 'start=2048, type=6, bootable' | sfdisk -q "$D"
dd if="$MBR" of="$D" bs=440 count=1 conv=notrunc status=none
# The volume id is fixed so that two builds of one recipe differ less.
mkfs.vfat -F 16 -n ODCABOOT -i 0DCAB007 --offset 2048 "$D" \
    $(((DISK_MB * 2048 - 2048) / 2)) > /dev/null
syslinux --offset 1048576 --install "$D"
mcopy -i "$D@@1M" "$W/vmlinuz" "$W/initrd.gz" "$HERE/syslinux.cfg" ::/
# /odca holds the per-disk state; the template has no vm-id and no
# hostname, so every copy gets its own at first boot (guest/README.md).
mmd -i "$D@@1M" ::/odca ::/odca/markers
echo 0 > "$W/bootcount"
mcopy -i "$D@@1M" "$W/bootcount" ::/odca/bootcount

mv "$W/vmlinuz" "$W/initrd.gz" "$OUT/"
mv "$D" "$IMG"
echo "$HASH" > "$OUT/recipe.sha256"
echo "guest: kernel $KV, $nmods modules, initrd.gz $(wc -c < "$OUT/initrd.gz") bytes, qemu-ga $([ "$QGA" = 1 ] && echo yes || echo no), $(($(date +%s) - start)) s"
echo "guest: built $IMG ($(wc -c < "$IMG") bytes)"
