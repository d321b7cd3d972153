#!/bin/sh
# Build the probe guest's disk image from Debian packages only: a raw disk
# with an MBR and one FAT16 partition (label ODCABOOT) holding syslinux, the
# Debian kernel, a busybox initramfs and /odca/.  No loop device, no mount:
# sfdisk, mkfs.vfat --offset, syslinux --offset and mtools work on the file.
#
# Usage: sh guest/build-guest.sh OUTDIR          (root, Debian 12)
#   QGA=0      leave qemu-guest-agent out (default 1: in, with the shared
#              libraries it needs, taken from their Debian packages)
#   DISK_MB=n  disk size in MiB (default 32)
# Writes OUTDIR/odca-guest.raw, OUTDIR/vmlinuz, OUTDIR/initrd.gz and
# OUTDIR/recipe.sha256; keeps the downloaded .debs in OUTDIR/debs, the
# kernel with its module closure in OUTDIR/kernel and the packages qemu-ga
# was built from in OUTDIR/qga-packages.
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
QGA=${QGA:-1}
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

# The library packages the last build's qemu-ga came from: their versions
# are part of the recipe, so that a security update of one rebuilds.
QGAPKGS=$OUT/qga-packages
qgalibs=
if [ "$QGA" = 1 ] && [ -r "$QGAPKGS" ]; then
    qgalibs=$(awk '$1 ~ /^[a-z0-9][a-z0-9.+-]*$/ && $1 != "qemu-guest-agent" { print $1 }' "$QGAPKGS")
fi
# One apt-cache call (each costs about 0.7 s where apt keeps no cache
# file): the kernel meta package pins its kernel with "(= VERSION)".
# shellcheck disable=SC2086 # qgalibs: one package name per word
apt_show=$(apt-cache show --no-all-versions linux-image-amd64 busybox-static \
    qemu-guest-agent $qgalibs 2> /dev/null) || apt_show=
# showfield PACKAGE FIELD: a field of PACKAGE in the apt-cache show output
# on stdin
showfield() {
    awk -v p="$1" -v f="$2:" '
        $1 == "Package:" { cur = $2 }
        cur == p && $1 == f { sub(/^[^:]*: */, ""); print; exit }'
}
field() { # field PACKAGE FIELD: a field of PACKAGE in apt_show
    printf '%s\n' "$apt_show" | showfield "$1" "$2"
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

# recipe_hash QGALIBS: the recipe's hash; QGALIBS is "PACKAGE VERSION" per
# line for the libraries of qemu-ga (empty without QGA).
recipe_hash() {
    (
        cd "$HERE"
        find build-guest.sh modules.txt syslinux.cfg rootfs -type f | sort |
            while read -r f; do sha256sum "$f"; done
        echo "kernel $KPKG $KVER"
        echo "busybox-static $BBVER"
        echo "qga $QGA $QGAVER"
        printf '%s\n' "$1" | sed '/^$/d; s/^/qgalib /'
        echo "disk_mb $DISK_MB"
    ) | sha256sum | cut -d ' ' -f 1
}
libvers=
for p in $qgalibs; do
    v=$(field "$p" Version)
    [ -n "$v" ] || v=$(cached "$p" Version)
    libvers="$libvers$p $v
"
done
HASH=$(recipe_hash "$libvers")
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

# --- qemu-ga and its libraries, from their Debian packages only ---------
# qga_closure: print "PACKAGE VERSION" for qemu-guest-agent and each lib*
# package it needs, breadth-first: Depends and Pre-Depends, the first of
# alternatives, a virtual package by a provider.  At most one apt-cache
# call per level (4 levels on Debian 12), and none for the packages the
# first call answered (qemu-guest-agent and the last build's libraries).
# Without apt lists the cached .debs answer.
qga_closure() {
    level=qemu-guest-agent
    seen=" $level "
    while [ -n "$level" ]; do
        ask=
        for p in $level; do
            [ -n "$(field "$p" Version)" ] || ask="$ask $p"
        done
        more=
        if [ -n "$ask" ]; then
            # shellcheck disable=SC2086 # one package name per word
            more=$(apt-cache show --no-all-versions $ask 2> /dev/null) || more=
        fi
        info="$apt_show
$more"
        deps=
        virt=
        for p in $level; do
            v=$(printf '%s\n' "$info" | showfield "$p" Version)
            if [ -n "$v" ]; then
                d=$(printf '%s\n' "$info" | showfield "$p" Depends)
                d="$d,$(printf '%s\n' "$info" | showfield "$p" Pre-Depends)"
            else
                v=$(cached "$p" Version)
                if [ -z "$v" ]; then
                    virt="$virt $p"
                    continue
                fi
                d="$(cached "$p" Depends),$(cached "$p" Pre-Depends)"
            fi
            echo "$p $v"
            deps="$deps,$d"
        done
        next=
        # A name with no package of its own is virtual: take a provider
        # already chosen, else the first one apt lists.
        if [ -n "$virt" ]; then
            # shellcheck disable=SC2086 # one package name per word
            prov=$(apt-cache showpkg $virt 2> /dev/null | awk -v seen="$seen" '
                $1 == "Package:" { cur = $2; rp = 0; next }
                /^Reverse Provides:/ { rp = 1; next }
                rp && NF && $1 !~ /:/ {
                    if (!(cur in first)) first[cur] = $1
                    if (index(seen, " " $1 " ")) have[cur] = $1
                }
                END { for (c in first) print c, (c in have ? have[c] : first[c]) }')
            for p in $virt; do
                q=$(printf '%s\n' "$prov" | awk -v p="$p" '$1 == p { print $2 }')
                [ -n "$q" ] || die "qemu-ga needs package '$p', which apt does not know: run apt-get update"
                case $seen in *" $q "*) continue ;; esac
                seen="$seen$q "
                next="$next $q"
            done
        fi
        # "a (>= 1) | b, c:any" -> a c; only lib* packages hold libraries
        # (gcc-12-base, init-system-helpers and the like are left out).
        for p in $(printf '%s\n' "$deps" | tr ',' '\n' |
            sed 's/|.*//; s/(.*//; s/:.*//; s/[[:space:]]//g'); do
            case $p in lib*) ;; *) continue ;; esac
            case $seen in *" $p "*) continue ;; esac
            seen="$seen$p "
            next="$next $p"
        done
        level=$next
    done
}
# in_stage PATH: PATH, a path in the stage, with its symlinks followed
# inside the stage (libc6's /lib64/ld-linux-x86-64.so.2 is an absolute link).
in_stage() {
    ip=$1
    n=0
    while [ -L "$ip" ]; do
        t=$(readlink "$ip")
        case $t in /*) ip=$S$t ;; *) ip=${ip%/*}/$t ;; esac
        n=$((n + 1))
        [ $n -lt 20 ] || die "too many symlinks at $1"
    done
    printf '%s' "$ip"
}
if [ "$QGA" = 1 ]; then
    S=$W/qga
    mkdir -p "$S"
    qga_closure > "$W/qga-packages"
    [ "$(sed -n 1p "$W/qga-packages")" = "qemu-guest-agent $QGAVER" ] ||
        die "the version of qemu-guest-agent changed during the build (was $QGAVER): run it again"
    # What the cache lacks comes in one apt-get call (one per package
    # costs about 1 s each); fetch then finds every package in the cache.
    want=$(while read -r p v; do
        have=
        for f in "$DEBS/$p"_*.deb; do
            [ -e "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$v" ] && have=1
        done
        [ -n "$have" ] || printf ' %s=%s' "$p" "$v"
    done < "$W/qga-packages")
    if [ -n "$want" ]; then
        echo "guest: downloading $(echo "$want" | wc -w) .debs for qemu-ga"
        # shellcheck disable=SC2086 # one PACKAGE=VERSION per word
        (cd "$DEBS" && apt-get download -q $want) < /dev/null > "$W/apt.log" 2>&1 || {
            cat "$W/apt.log" >&2
            die "apt-get download failed: run apt-get update"
        }
    fi
    while read -r p v; do
        f=$(fetch "$p" "$v" < /dev/null)
        [ -n "$f" ] || die "downloaded $p=$v not found in $DEBS"
        for g in "$DEBS/$p"_*.deb; do # older versions
            [ "$g" = "$f" ] || rm -f "$g"
        done
        dpkg-deb -x "$f" "$S"
    done < "$W/qga-packages"
    [ -x "$S/usr/sbin/qemu-ga" ] || die "qemu-guest-agent has no /usr/sbin/qemu-ga"
    ldso=$(in_stage "$S/lib64/ld-linux-x86-64.so.2")
    [ -x "$ldso" ] || die "libc6 has no /lib64/ld-linux-x86-64.so.2"
    # The staged loader lists what qemu-ga loads.  It searches the packages'
    # library directories first, then its built-in /lib/x86_64-linux-gnu
    # and /usr/lib/x86_64-linux-gnu, which are this host's: a library found
    # there (not under the stage) is missing from the packages.
    lp=
    for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu lib usr/lib; do
        [ -d "$S/$d" ] && lp=${lp:+$lp:}$S/$d
    done
    rc=0
    "$ldso" --inhibit-cache --library-path "$lp" --list "$S/usr/sbin/qemu-ga" \
        > "$W/qga-libs" 2>&1 || rc=$?
    # "NAME => PATH (0x...)" -> "NAME PATH"; the vdso has no "=>".
    sed -n 's/^[[:space:]]*\([^[:space:]]*\) => \(.*\) (0x[0-9a-f]*)$/\1 \2/p
        s/^[[:space:]]*\([^[:space:]]*\) => not found$/\1 /p' "$W/qga-libs" > "$W/qga-found"
    missing=$(while read -r name path; do
        case $path in "$S"/*) ;; *) printf ' %s' "$name" ;; esac
    done < "$W/qga-found")
    [ -z "$missing" ] ||
        die "qemu-ga needs libraries not found in its packages:$missing (packages: $(awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }' "$W/qga-packages"))"
    if [ $rc -ne 0 ] || [ ! -s "$W/qga-found" ]; then
        cat "$W/qga-libs" >&2
        die "the staged loader cannot list qemu-ga's libraries (exit $rc)"
    fi
    cp "$S/usr/sbin/qemu-ga" "$R/usr/sbin/qemu-ga"
    # Each library at the path the loader found it, the loader at the
    # path qemu-ga names (its PT_INTERP).
    while read -r name path; do
        case $name in /*) dest=$name ;; *) dest=${path#"$S"} ;; esac
        mkdir -p "$R${dest%/*}"
        cp "$(in_stage "$path")" "$R$dest"
    done < "$W/qga-found"
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
# The recipe with the library versions this build used; a later run finds
# them in qga-packages.
if [ "$QGA" = 1 ]; then
    cp "$W/qga-packages" "$QGAPKGS"
    HASH=$(recipe_hash "$(sed '1d' "$W/qga-packages")")
else
    rm -f "$QGAPKGS"
fi
echo "$HASH" > "$OUT/recipe.sha256"
echo "guest: kernel $KV, $nmods modules, initrd.gz $(wc -c < "$OUT/initrd.gz") bytes, qemu-ga $([ "$QGA" = 1 ] && echo yes || echo no), $(($(date +%s) - start)) s"
echo "guest: built $IMG ($(wc -c < "$IMG") bytes)"
