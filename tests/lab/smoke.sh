#!/bin/bash
# SPDX-License-Identifier: MIT
# smoke.sh DIR: end-to-end test of odca-lab on this machine (root, Debian 12).
# Brings a two-cloud lab up and down several ways, boots tiny TCG domains
# (they sit in the BIOS: the disk is empty), migrates them live and offline
# between the clouds, and checks after every down that no libvirtd, QEMU,
# bridge or tap of the lab is left.  DIR must be absent, or a directory an
# earlier run left (it has lab.env); it is wiped first.  Ends with the line
# "N passed, N failed"; timings are printed as "time: ..." lines.
set -u
export LC_ALL=C

HERE=$(dirname "$(readlink -f "$0")")
LAB=$HERE/odca-lab
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$(realpath -m -- "$1")
if [ -e "$DIR" ] && [ ! -f "$DIR/lab.env" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    echo "$0: '$DIR' is not empty and holds no lab; refusing to wipe it" >&2
    exit 2
fi
"$LAB" down "$DIR" >/dev/null 2>&1
rm -rf "$DIR"
TMP=$(mktemp -d)
trap '"$LAB" down "$DIR" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }
# check DESCRIPTION CMD...: CMD must succeed; its output is shown if not.
check()
{
    local desc=$1
    shift
    if "$@" >"$TMP/out" 2>&1; then
        ok "$desc"
    else
        bad "$desc"
        tail -n 20 "$TMP/out" | sed 's/^/    /'
    fi
}
# check_fails DESCRIPTION PATTERN CMD...: CMD must fail, saying PATTERN.
check_fails()
{
    local desc=$1 pat=$2
    shift 2
    if "$@" >"$TMP/out" 2>&1; then
        bad "$desc (it succeeded)"
    elif grep -q -- "$pat" "$TMP/out"; then
        ok "$desc"
    else
        bad "$desc (no '$pat' in its output)"
    fi
    sed 's/^/    | /' "$TMP/out" | head -n 4
}
t_start() { T0=$EPOCHREALTIME; }
t_show() { echo "time: $1 $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.2f", b - a}') s"; }

v() { timeout 60 virsh -q -c "$@"; }
grep_q() { grep -q -- "$1"; }

# A TCG domain: 1 vCPU, 64 MiB, no video, a serial pty, one NIC on "odca".
domain_xml()
{
    local name=$1 mac=$2 disk=$3
    cat <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    $disk
    <interface type='network'><source network='odca'/><mac address='$mac'/><model type='virtio'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <video><model type='none'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
file_disk() { echo "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$1'/><target dev='vda' bus='virtio'/></disk>"; }
vol_disk() { echo "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='$1'/><target dev='vda' bus='virtio'/></disk>"; }

# The tap libvirt made for MAC 52:54:00:X is fe:54:00:X; prints its master.
tap_master()
{
    ip -o link | awk -v m="fe${1#52}" '$0 ~ m {for (i = 1; i <= NF; i++) if ($i == "master") print $(i + 1)}'
}
on_bridge() { [ "$(tap_master "$1")" = "$BR" ]; }
state_is() { [ "$(v "$1" domstate "$2" 2>/dev/null)" = "$3" ]; }
absent_in() { ! v "$1" dominfo "$2" >/dev/null 2>&1; }

# Before a down: what must be gone after it.
snapshot()
{
    local f
    QPIDS=$(for f in "$DIR"/clouds/*/run/qemu/*.pid; do
        [ -f "$f" ] && [ "${f##*/}" != driver.pid ] && awk 1 "$f"
    done)
    NSES=$(awk 1 "$DIR"/clouds/*/mntns 2>/dev/null)
    BR=$(sed -n 's/^LAB_BRIDGE=//p' "$DIR/lab.env")
    SUP=$(cat "$DIR/lab.pid" 2>/dev/null)
}
running() { [ -e "/proc/$1" ] && ! awk '/^State:/ {exit $2 != "Z"}' "/proc/$1/status" 2>/dev/null; }
# Nothing of the lab left: no libvirtd or QEMU naming DIR, none of the
# recorded QEMU PIDs, nothing in the clouds' mount namespaces, no bridge, no
# tap of our MACs, no mount naming DIR, no supervisor nor anything of its
# process group.
assert_clean()
{
    local what=$1 p left='' comm ns
    for p in /proc/[0-9]*; do
        comm=$(cat "$p/comm" 2>/dev/null) || continue
        running "${p#/proc/}" || continue
        case $comm in
        libvirtd | qemu-system-*)
            tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qF "$DIR/" && left="$left ${p#/proc/}:$comm" ;;
        esac
        ns=$(readlink "$p/ns/mnt" 2>/dev/null) || continue
        [ -n "$NSES" ] && printf '%s\n' "$NSES" | grep -qxF "$ns" && left="$left ${p#/proc/}:$comm(ns)"
    done
    for p in $QPIDS; do running "$p" && left="$left $p:qemu"; done
    [ -z "$left" ] && ok "$what: no libvirtd or QEMU left" || bad "$what: still running:$left"
    ip link show "$BR" >/dev/null 2>&1 && bad "$what: bridge $BR left" || ok "$what: bridge $BR gone"
    p=$(ip -o link | grep -c 'fe:54:00:0d:ca:')
    [ "$p" = 0 ] && ok "$what: no tap left" || bad "$what: $p taps left"
    grep -qF "$DIR" /proc/self/mountinfo && bad "$what: mounts left" || ok "$what: no mount left"
    [ -f "$DIR/lab.pid" ] && bad "$what: lab.pid left" || ok "$what: lab.pid removed"
    p=$(ps -eo pid=,pgid=,stat= | awk -v g="${SUP:-none}" '$2 == g && $3 !~ /Z/ {print $1}')
    [ -z "$p" ] && ok "$what: supervisor and its group gone" || bad "$what: left in the supervisor's group: $p"
}

echo "# odca-lab smoke test in $DIR"

# --- 1. cold up, second up, status, what each cloud has ------------------------
t_start
ODCA_LAB_CAPS_CACHE='' "$LAB" up "$DIR" 2 >"$TMP/endpoints" 2>"$TMP/err"
rc=$?
t_show "cold up (2 clouds, no capability cache)"
[ $rc = 0 ] && ok "up DIR 2" || { bad "up DIR 2 (exit $rc)"; cat "$TMP/err"; exit 1; }
cat "$TMP/endpoints"
check "endpoints printed equal DIR/endpoints.json" cmp "$TMP/endpoints" "$DIR/endpoints.json"
check "endpoints name lab-a and lab-b with pool default, network odca" \
    sh -c "grep -q '\"name\": \"lab-a\".*\"storage_pool\": \"default\", \"network\": \"odca\"' '$TMP/endpoints' &&
           grep -q '\"name\": \"lab-b\"' '$TMP/endpoints' && grep -q '^{\"format\": 1, ' '$TMP/endpoints'"
if command -v python3 >/dev/null; then
    check "endpoints.json is valid JSON" python3 -m json.tool "$DIR/endpoints.json"
fi
check_fails "a second up on the same DIR is refused" "already up" "$LAB" up "$DIR" 2
check "status: both clouds answer" "$LAB" status "$DIR"
A=$("$LAB" uri "$DIR" lab-a)
B=$("$LAB" uri "$DIR" lab-b)
snapshot
IMG_A=$DIR/clouds/lab-a/images
IMG_B=$DIR/clouds/lab-b/images
for c in "$A" "$B"; do
    n=${c%/run/libvirt-sock}
    n=${n##*/}
    check "$n: virsh list" v "$c" list --all
    check "$n: pool default runs at its images dir" \
        sh -c "virsh -q -c '$c' pool-info default | grep -q 'State: *running' &&
               virsh -q -c '$c' pool-dumpxml default | grep -q '<path>$DIR/clouds/$n/images</path>'"
    check "$n: network odca active on $BR" \
        sh -c "virsh -q -c '$c' net-info odca | grep -q 'Active: *yes' &&
               virsh -q -c '$c' net-info odca | grep -q 'Bridge: *$BR'"
done
check "host_uuid differs between the clouds" \
    sh -c "[ \"\$(virsh -c '$A' capabilities | grep -m1 '<uuid>')\" != \"\$(virsh -c '$B' capabilities | grep -m1 '<uuid>')\" ]"
check "bridge $BR has 10.233.0.1/16" sh -c "ip -4 -o addr show dev '$BR' | grep -q ' 10.233.0.1/16'"

# --- 2. a domain on network odca in each cloud, started at the same time -------
qemu-img create -q -f qcow2 "$IMG_A/vm1.qcow2" 1M
v "$A" pool-refresh default >/dev/null
domain_xml vm1 52:54:00:0d:ca:a1 "$(file_disk "$IMG_A/vm1.qcow2")" >"$TMP/vm1.xml"
v "$B" vol-create-as default vm2.qcow2 1M --format qcow2 >/dev/null
domain_xml vm2 52:54:00:0d:ca:b2 "$(vol_disk vm2.qcow2)" >"$TMP/vm2.xml"
check "lab-a: define vm1 (file disk in the pool)" v "$A" define "$TMP/vm1.xml"
check "lab-b: define vm2 (volume disk)" v "$B" define "$TMP/vm2.xml"
t_start
v "$A" start vm1 >"$TMP/s1" 2>&1 &
p1=$!
v "$B" start vm2 >"$TMP/s2" 2>&1 &
p2=$!
wait $p1 && ok "lab-a: start vm1" || { bad "lab-a: start vm1"; cat "$TMP/s1"; }
wait $p2 && ok "lab-b: start vm2" || { bad "lab-b: start vm2"; cat "$TMP/s2"; }
t_show "start two domains at once"
check "vm1 runs in lab-a" state_is "$A" vm1 running
check "vm1's tap is on $BR" on_bridge 52:54:00:0d:ca:a1
check "vm2's tap is on $BR" on_bridge 52:54:00:0d:ca:b2

# --- 3. live migrations -----------------------------------------------------------
# (a) the realistic one, as the harness's driver does it: storage not
# shared, so copied into a volume made beforehand in the target's pool; the
# disk path changes (--xml); migration URI tcp://127.0.0.1.  Not
# peer-to-peer: the client talks to both daemons.
v "$B" vol-create-as default vm1.qcow2 1M --format qcow2 >/dev/null
v "$A" dumpxml --migratable vm1 | sed "s#$IMG_A/#$IMG_B/#" >"$TMP/vm1-b.xml"
t_start
check "live vm1 lab-a -> lab-b: --copy-storage-all --xml (new path), tcp://127.0.0.1" \
    v "$A" migrate --live --persistent --undefinesource --copy-storage-all \
    --xml "$TMP/vm1-b.xml" --persistent-xml "$TMP/vm1-b.xml" vm1 "$B" tcp://127.0.0.1
t_show "live migration, copy-storage-all, file disk"
check "vm1 runs in lab-b" state_is "$B" vm1 running
check "vm1 is gone from lab-a" absent_in "$A" vm1
check "vm1's disk is in lab-b's pool" sh -c "virsh -q -c '$B' domblklist vm1 | grep -qF '$IMG_B/vm1.qcow2'"
check "vm1 is persistent in lab-b" sh -c "virsh -q -c '$B' dominfo vm1 | grep -q 'Persistent: *yes'"
check "vm1's tap is on $BR after migration" on_bridge 52:54:00:0d:ca:a1
# (b) volume disk, peer-to-peer: no XML rewriting, the destination's pool
# "default" is used and the volume is created there.  The incoming socket
# kept on loopback with a listen address.
t_start
check "live vm2 lab-b -> lab-a: --p2p --copy-storage-all (volume disk)" \
    v "$B" migrate --live --p2p --persistent --undefinesource --copy-storage-all \
    --listen-address 127.0.0.1 vm2 "$A" tcp://127.0.0.1
t_show "live migration, p2p, copy-storage-all, volume disk"
check "vm2 runs in lab-a" state_is "$A" vm2 running
check "vm2's volume exists in lab-a's pool" test -f "$IMG_A/vm2.qcow2"
check "vm2's tap is on $BR after migration" on_bridge 52:54:00:0d:ca:b2
# (c) shared storage (the same path seen by both): needs --unsafe.  No
# migration URI: the destination names its host, which resolves here.
check_fails "live without shared storage or copy is refused" "Unsafe migration" \
    v "$B" migrate --live --persistent --undefinesource vm1 "$A" tcp://127.0.0.1
t_start
check "live vm1 lab-b -> lab-a: --unsafe (same path), no URI" \
    v "$B" migrate --live --persistent --undefinesource --unsafe vm1 "$A"
t_show "live migration, same path, --unsafe"
check "vm1 runs in lab-a" state_is "$A" vm1 running

# --- 4. offline migration of a defined domain -------------------------------------
domain_xml vm3 52:54:00:0d:ca:a3 "$(vol_disk vm3.qcow2)" >"$TMP/vm3.xml"
check "lab-a: define vm3 (not started)" v "$A" define "$TMP/vm3.xml"
t_start
check "offline vm3 lab-a -> lab-b" v "$A" migrate --offline --persistent --undefinesource vm3 "$B"
t_show "offline migration"
check "vm3 is defined and shut off in lab-b" state_is "$B" vm3 "shut off"
check "vm3 is gone from lab-a" absent_in "$A" vm3

# --- 5. down with running domains --------------------------------------------------
snapshot
t_start
check "down (2 running domains)" "$LAB" down "$DIR"
t_show "down"
assert_clean "after down"
check_fails "status after down" "DOWN" "$LAB" status "$DIR"
check "down again succeeds" sh -c "'$LAB' down '$DIR' 2>&1 | grep -q 'no lab is up'"

# --- 6. kill -9 of one libvirtd while up ------------------------------------------
t_start
check "warm up" "$LAB" up "$DIR" 2
t_show "warm up (same DIR, capability cache kept)"
qemu-img create -q -f qcow2 "$IMG_A/vm1.qcow2" 1M
check "lab-a: create transient vm1" v "$A" create "$TMP/vm1.xml"
snapshot
kill -KILL "$(cat "$DIR/clouds/lab-a/libvirtd.pid")"
check_fails "status sees lab-a down" "lab-a: DOWN" "$LAB" status "$DIR"
check "vm1's QEMU outlives its libvirtd" sh -c "[ -n '$QPIDS' ] && kill -0 ${QPIDS//$'\n'/ }"
check "down after kill -9 of lab-a's libvirtd" "$LAB" down "$DIR"
assert_clean "after kill -9 + down"

# --- 7. a cloud that fails to start -------------------------------------------------
echo 'this is not = a valid line' >"$DIR/clouds/lab-b/libvirtd.conf.extra"
check_fails "up fails when lab-b cannot start, with its log" "expecting an assignment" \
    "$LAB" up "$DIR" 2
rm -f "$DIR/clouds/lab-b/libvirtd.conf.extra"
snapshot
assert_clean "after a failed up"

# --- 8. a supervisor killed -9: up refuses, down cleans -----------------------------
check "up" "$LAB" up "$DIR" 2
check "lab-b: create transient vm2" v "$B" create "$TMP/vm2.xml"
snapshot
kill -KILL "$(cat "$DIR/lab.pid")"
check_fails "up refuses while an earlier lab's processes run" "still run" "$LAB" up "$DIR" 2
check "down after the supervisor was killed" "$LAB" down "$DIR"
assert_clean "after supervisor kill -9 + down"

# --- 9. a supervisor that does not stop: down kills its group ----------------------
check "up" "$LAB" up "$DIR" 2
check "lab-a: create transient vm1" v "$A" create "$TMP/vm1.xml"
snapshot
kill -STOP "$(cat "$DIR/lab.pid")"
t_start
check "down with a stopped supervisor (2 s deadline)" env ODCA_LAB_STOP_TIMEOUT=2 "$LAB" down "$DIR"
t_show "down, supervisor hung, deadline 2 s"
assert_clean "after a hung supervisor + down"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
