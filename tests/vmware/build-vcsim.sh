#!/bin/bash
# SPDX-License-Identifier: MIT
# build-vcsim.sh: build VMware's vCenter simulator (vcsim) and govc fully
# offline from Debian's govmomi *source* package, for odca-harness's tests.
# See README.md beside it.
#
#   build-vcsim.sh OUTDIR
#
# Writes OUTDIR/vcsim          upstream + Debian's patches
#        OUTDIR/vcsim-libvirt  the same + patches/*.patch (libvirt's esx://
#                              and vpx:// drivers can talk to it)
#        OUTDIR/govc
# and OUTDIR/.build.stamp.  It does nothing when the stamp matches: same
# source package version, Go toolchain, Go library packages, patches and
# this script.  Needs the packages in deps.txt; no network but Debian's apt
# archive (the source package), no Go module proxy.
#
# Environment:
#   ODCA_GOVMOMI_VERSION  source version to fetch (default: the source
#                         version of the installed golang-github-vmware-govmomi-dev)
#   ODCA_VCSIM_GOCACHE    Go build cache (default OUTDIR/.cache/go-build)
#   ODCA_VCSIM_WORK       work tree (default OUTDIR/.work)
set -u
export LC_ALL=C

PROG=build-vcsim
HERE=$(cd "$(dirname "$0")" && pwd) || exit 1
SELF=$HERE/$(basename "$0")
SRCPKG=golang-github-vmware-govmomi
# The Debian Go library packages the build reads from /usr/share/gocode.
GODEBS="golang-go golang-github-vmware-govmomi-dev golang-github-google-uuid-dev
golang-github-kr-pretty-dev golang-github-davecgh-go-xdr-dev
golang-github-vmware-vmw-guestinfo-dev"

say() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { say "$*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }

# Run a step with its output in LOG; on failure, say so with the log's tail.
step()
{
    local what=$1
    shift
    echo "== $what: $*" >>"$LOG"
    if ! "$@" >>"$LOG" 2>&1; then
        say "$what failed; tail of $LOG:"
        tail -n 25 "$LOG" >&2
        exit 1
    fi
}

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
mkdir -p "$1" || die "cannot create '$1'"
OUT=$(cd "$1" && pwd) || exit 1
WORK=${ODCA_VCSIM_WORK:-$OUT/.work}
export GOCACHE=${ODCA_VCSIM_GOCACHE:-$OUT/.cache/go-build}
STAMP=$OUT/.build.stamp

miss=
for c in go apt-get dpkg-source dpkg-query patch sha256sum; do
    command -v "$c" >/dev/null 2>&1 || miss="$miss $c"
done
[ -z "$miss" ] || die "missing commands:$miss (install the packages in $HERE/deps.txt)"
for p in $GODEBS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        miss="$miss $p"
done
[ -z "$miss" ] || die "missing packages:$miss (sh tests/install-deps.sh \$(cat $HERE/deps.txt))"

VERSION=${ODCA_GOVMOMI_VERSION:-$(dpkg-query -W -f='${source:Version}' golang-github-vmware-govmomi-dev)}
[ -n "$VERSION" ] || die "cannot tell the govmomi source version"
UPSTREAM=${VERSION#*:}
UPSTREAM=${UPSTREAM%-*}

# Everything the binaries are made from, hashed.
stamp_text()
{
    echo "source $SRCPKG $VERSION"
    go version
    # shellcheck disable=SC2086 # one package a word
    dpkg-query -W $GODEBS
    sha256sum "$SELF" "$HERE"/patches/*.patch | sed "s| $HERE/| |"
}
want=$(stamp_text | sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(head -n 1 "$STAMP")" = "$want" ] &&
    [ -x "$OUT/vcsim" ] && [ -x "$OUT/vcsim-libvirt" ] && [ -x "$OUT/govc" ]; then
    echo "vcsim, vcsim-libvirt and govc in $OUT are up to date ($SRCPKG $VERSION)"
    exit 0
fi
rm -f "$STAMP"

mkdir -p "$WORK" "$GOCACHE" || die "cannot create '$WORK'"
LOG=$WORK/build.log
: >"$LOG"
T0=$(now)

# --- the source package, through apt with a private state --------------------
# deb-src entries are derived from the machine's own apt sources (one-line
# and deb822 formats) into WORK/apt; the system's apt configuration and
# lists are not touched.
fetch_source()
{
    local a=$WORK/apt f
    rm -rf "$a"
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/sources.list.d" || return 1
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        sed -n -E 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$f"
    done >"$a/sources.list.d/src.list"
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # Enabled: no stanzas are dropped, only their type changes.
        sed -E 's/^Types:.*/Types: deb-src/' "$f"
        echo
    done >"$a/sources.list.d/src.sources"
    AO=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$a/sources.list.d"
        -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
        -o Debug::NoLocking=1 -o "APT::Sandbox::User=$(id -un)")
    # An unreachable third-party source only warns; what matters is below.
    apt-get "${AO[@]}" -q update
    (cd "$WORK" && apt-get "${AO[@]}" -q source --download-only "$SRCPKG=$VERSION")
}

DSC=$WORK/${SRCPKG}_${VERSION#*:}.dsc
SRC=$WORK/src
if [ ! -f "$DSC" ]; then
    step "fetching $SRCPKG $VERSION" fetch_source
    [ -f "$DSC" ] || die "no $DSC after apt-get source; see $LOG"
fi
T1=$(now)
rm -rf "$SRC"
# dpkg-source applies debian/patches/series (format 3.0 (quilt)).
step "unpacking $SRCPKG $VERSION" dpkg-source -x "$DSC" "$SRC"
{ [ -d "$SRC/vcsim" ] && [ -d "$SRC/govc" ]; } || die "$DSC has no vcsim/ or govc/"
npatch=$(grep -c . "$SRC/debian/patches/series" 2>/dev/null)
napplied=$(grep -c . "$SRC/.pc/applied-patches" 2>/dev/null)
[ "${npatch:-0}" = "${napplied:-0}" ] ||
    die "only ${napplied:-0} of ${npatch:-0} Debian patches were applied; see $LOG"

# --- build --------------------------------------------------------------------
# GOPATH mode, every dependency from Debian's /usr/share/gocode.  The tree is
# copied (not linked) into its own GOPATH so that it, not the -dev package's
# copy of the same import path, is what gets built.
export GO111MODULE=off GOPROXY=off GOFLAGS='' GOENV=off
tree()
{
    local gp=$1
    rm -rf "$gp" && mkdir -p "$gp/src/github.com/vmware" &&
        cp -a "$SRC" "$gp/src/github.com/vmware/govmomi"
}
gobuild()
{
    local gp=$1 out=$2 pkg=$3
    (cd "$gp/src/github.com/vmware/govmomi" &&
        GOPATH=$gp:/usr/share/gocode go build -buildvcs=false -o "$out.tmp" "$pkg") &&
        mv -f "$out.tmp" "$out"
}

GP=$WORK/gp
step "copying the tree" tree "$GP"
step "building vcsim" gobuild "$GP" "$OUT/vcsim" ./vcsim
step "building govc" gobuild "$GP" "$OUT/govc" ./govc
T2=$(now)

GPL=$WORK/gp-libvirt
step "copying the tree" tree "$GPL"
for p in "$HERE"/patches/*.patch; do
    step "applying $(basename "$p")" patch -p1 -N -d "$GPL/src/github.com/vmware/govmomi" -i "$p"
done
step "building vcsim-libvirt" gobuild "$GPL" "$OUT/vcsim-libvirt" ./vcsim
T3=$(now)

{
    echo "$want"
    stamp_text
} >"$STAMP"
echo "built $SRCPKG $VERSION (govmomi $UPSTREAM) into $OUT:" \
    "source $(awk -v a="$T0" -v b="$T1" 'BEGIN {printf "%.1f", b - a}') s," \
    "vcsim+govc $(awk -v a="$T1" -v b="$T2" 'BEGIN {printf "%.1f", b - a}') s," \
    "vcsim-libvirt $(awk -v a="$T2" -v b="$T3" 'BEGIN {printf "%.1f", b - a}') s," \
    "total $(since "$T0") s"
