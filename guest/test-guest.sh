#!/bin/sh
# Boot the probe guest image with plain QEMU (TCG) and check its contract
# (guest/README.md): the boot line, `report TOKEN`, `exec`, HTTP, the clock
# after a pause, ACPI and serial power off, and that vm-id, bootcount and
# markers live on the disk across reboots and a forced power off.  The
# image itself is not touched: the VM runs on a qcow2 overlay.
#
# Usage: sh guest/test-guest.sh IMAGE          (packages: guest/test-deps.txt)
#   PORT=n   host port forwarded to the guest's port 80 (default: from $$)
#   KEEP=1   keep the work directory (logs) even when everything passed
set -eu

[ $# -eq 1 ] || { echo "usage: test-guest.sh IMAGE" >&2; exit 2; }
IMAGE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -f "$IMAGE" ] || { echo "test-guest: no image '$1'" >&2; exit 2; }
for t in qemu-system-x86_64:qemu-system-x86 qemu-img:qemu-utils socat:socat \
    curl:curl mtype:mtools; do
    command -v "${t%%:*}" > /dev/null 2>&1 || {
        echo "test-guest: missing '${t%%:*}': apt-get install ${t#*:}" >&2
        exit 2
    }
done
PORT=${PORT:-$((20000 + $$ % 20000))}
UUID=6a1a6f6e-0dca-4000-8000-0000000000a1
SERIAL=ODCA-DISK-0
export MTOOLS_SKIP_CHECK=1

T=$(mktemp -d /tmp/odca-guest-test.XXXXXX)
passed=0
failed=0
QPID=
SPID=

# Whatever happens, no QEMU or socat of ours outlives the test.
cleanup() {
    [ -n "$QPID" ] && kill "$QPID" 2> /dev/null
    [ -n "$SPID" ] && kill "$SPID" 2> /dev/null
    if [ "$failed" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$T"
    else
        echo "test-guest: logs kept in $T"
    fi
}
trap cleanup EXIT
trap 'echo "test-guest: interrupted" >&2; exit 130' INT TERM HUP

ok() {
    passed=$((passed + 1))
    echo "ok - $*"
}
not_ok() {
    failed=$((failed + 1))
    echo "not ok - $*"
}
check() { # check DESCRIPTION COMMAND...: pass when COMMAND succeeds
    d=$1
    shift
    if "$@"; then ok "$d"; else not_ok "$d"; fi
}
# Stop here: later checks depend on this one.
bail() {
    not_ok "$*"
    echo "test-guest: $passed passed, $failed failed"
    exit 1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The console without CRs (the guest's tty turns \n into \r\n).
console() { tr -d '\r' < "$LOG"; }
# wait_for SECONDS ERE: until the console has a line matching ERE
wait_for() {
    end=$(($(date +%s) + $1))
    while ! console | grep -a -q -E "$2"; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.1
    done
}
# wait_exit SECONDS: until QEMU has gone
wait_exit() {
    end=$(($(date +%s) + $1))
    while kill -0 "$QPID" 2> /dev/null; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.1
    done
    QPID=
}
send() { printf '%s\n' "$*" >&3; }
monitor() { printf '%s\n' "$1" | socat - "UNIX-CONNECT:$T/mon.sock" > /dev/null; }
# jget JSON KEY: a scalar field of a report line
jget() {
    printf '%s\n' "$1" |
        sed -n 's/.*"'"$2"'":\("[^"]*"\|-\{0,1\}[0-9][0-9]*\|true\|false\).*/\1/p' |
        tr -d '"'
}
last_json() { console | grep -a "^ODCA-JSON " | grep -a "$1" | tail -n 1 | cut -c 11-; }
valid_json() {
    command -v python3 > /dev/null 2>&1 || return 0
    printf '%s\n' "$1" | python3 -c 'import json,sys; json.load(sys.stdin)'
}

# boot N: start QEMU paused on the overlay, attach the console, resume.
# Attaching first means no byte of the console is lost.
boot() {
    LOG=$T/serial$1.log
    : > "$LOG"
    rm -f "$T/ser.sock" "$T/mon.sock" "$T/qemu.pid"
    qemu-system-x86_64 -machine pc,accel=tcg -m 256 -smp 1 -uuid "$UUID" \
        -display none -no-user-config -nodefaults \
        -serial "unix:$T/ser.sock,server=on,wait=off" \
        -monitor "unix:$T/mon.sock,server=on,wait=off" \
        -drive "file=$T/disk.qcow2,format=qcow2,if=none,id=d0" \
        -device "virtio-blk-pci,drive=d0,serial=$SERIAL" \
        -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$PORT-:80" \
        -device virtio-net-pci,netdev=n0 \
        -S -daemonize -pidfile "$T/qemu.pid" 2> "$T/qemu$1.err" ||
        bail "QEMU starts ($(cat "$T/qemu$1.err"))"
    QPID=$(cat "$T/qemu.pid")
    socat STDIO "UNIX-CONNECT:$T/ser.sock" < "$T/in" >> "$LOG" 2>&1 &
    SPID=$!
    t0=$(now)
    monitor cont
}

mkfifo "$T/in"
# Held open read-write, so socat never sees the end of its input.
exec 3<> "$T/in"
qemu-img create -q -f qcow2 -b "$IMAGE" -F raw "$T/disk.qcow2"

check "the template holds no vm-id" \
    sh -c "! mtype -i '$IMAGE@@1M' ::/odca/vm-id > /dev/null 2>&1"

# --- first boot ------------------------------------------------------
boot 1
wait_for 180 '^ODCA-JSON ' || bail "boot 1: ODCA-JSON within 180 s"
boot1=$(since "$t0")
ok "boot 1: ODCA-JSON after $boot1 s"
J=$(last_json .)
check "boot 1: nothing on the console before ODCA-JSON" \
    [ "$(console | head -c 10)" = "ODCA-JSON " ]
check "boot 1: the JSON is valid" valid_json "$J"
check "boot 1: the boot line has no req" sh -c "! printf '%s' '$J' | grep -q '\"req\"'"
VMID=$(jget "$J" vm_id)
HOST=$(jget "$J" hostname)
check "boot 1: vm_id is a fresh UUID ($VMID)" \
    sh -c "echo '$VMID' | grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\$'"
check "boot 1: hostname is odca-<vm-id> ($HOST)" [ "$HOST" = "odca-$(echo "$VMID" | cut -c1-8)" ]
check "boot 1: bootcount is 1" [ "$(jget "$J" bootcount)" = 1 ]
check "boot 1: uuid is the SMBIOS UUID" [ "$(jget "$J" uuid)" = "$UUID" ]
check "boot 1: boot_mounted is true" [ "$(jget "$J" boot_mounted)" = true ]
check "boot 1: nproc is 1" [ "$(jget "$J" nproc)" = 1 ]
check "boot 1: uptime_s is plausible" [ "$(jget "$J" uptime_s)" -lt 120 ]
check "boot 1: clock_s is within 5 s of the host" \
    [ $(($(date +%s) - $(jget "$J" clock_s))) -le 5 ]
check "boot 1: the disk is listed with its serial and size" sh -c \
    "printf '%s' '$J' | grep -qF '{\"name\":\"vda\",\"bytes\":33554432,\"serial\":\"$SERIAL\",\"driver\":\"virtio_blk\"}'"
check "boot 1: the NIC has its DHCP address" sh -c \
    "printf '%s' '$J' | grep -qF '\"mac\":\"52:54:00:12:34:56\",\"driver\":\"virtio_net\",\"ipv4\":\"10.0.2.15/24\"'"
check "boot 1: httpd runs" sh -c "printf '%s' '$J' | grep -qF '\"httpd\":true'"

t=$(now)
send "report t1"
if wait_for 30 '^ODCA-JSON .*,"req":"t1"}$'; then
    ok "report t1: answered with req t1 in $(since "$t") s"
else
    not_ok "report t1: answered with req t1"
fi

send "exec t2 echo hi"
if wait_for 30 '^ODCA-OUT-END t2 rc='; then
    out=$(console | sed -n '/^ODCA-OUT-BEGIN t2$/,/^ODCA-OUT-END t2 /p' | tr '\n' '|')
    check "exec t2 echo hi: framed output ($out)" \
        [ "$out" = "ODCA-OUT-BEGIN t2|hi|ODCA-OUT-END t2 rc=0|" ]
else
    not_ok "exec t2 echo hi: answered"
fi
send "exec t3 printf no-newline; exit 3"
wait_for 30 '^ODCA-OUT-END t3 rc=' || true
out=$(console | sed -n '/^ODCA-OUT-BEGIN t3$/,/^ODCA-OUT-END t3 /p' | tr '\n' '|')
check "exec t3: END on a line of its own, rc 3 ($out)" \
    [ "$out" = "ODCA-OUT-BEGIN t3|no-newline|ODCA-OUT-END t3 rc=3|" ]
send "frobnicate now"
check "an unknown command gets ODCA-ERR" wait_for 30 '^ODCA-ERR unknown: frobnicate now$'
send "exec t4 echo marker-1 > /boot/odca/markers/m1"
check "exec t4: marker written" wait_for 30 '^ODCA-OUT-END t4 rc=0$'

page=$(curl -s -m 20 "http://127.0.0.1:$PORT/") || page=
check "http /: names hostname and vm_id" sh -c \
    "printf '%s' '$page' | grep -qF 'hostname=$HOST vm_id=$VMID'"
info=$(curl -s -m 20 -D "$T/info.hdr" "http://127.0.0.1:$PORT/cgi-bin/info") || info=
check "http /cgi-bin/info: the report JSON" sh -c \
    "printf '%s' '$info' | grep -qF '\"vm_id\":\"$VMID\"'"
check "http /cgi-bin/info: valid JSON" valid_json "$info"
check "http /cgi-bin/info: Content-Type application/json" \
    grep -qi '^content-type: application/json' "$T/info.hdr"

# Clock: a paused VM's clock stands still; the guest's sync loop must put it
# right from the RTC within a few seconds of the resume.
monitor stop
sleep 8 # the pause itself is what is being tested
monitor cont
t=$(now)
lag=
synced=
end=$(($(date +%s) + 30))
n=0
while [ "$(date +%s)" -lt "$end" ]; do
    n=$((n + 1))
    send "report c$n"
    wait_for 10 "\"req\":\"c$n\"}\$" || continue
    d=$(($(date +%s) - $(jget "$(last_json "\"req\":\"c$n\"")" clock_s)))
    [ -n "$lag" ] || lag=$d
    if [ "$d" -le 2 ] && [ "$d" -ge -2 ]; then
        synced=$(since "$t")
        break
    fi
    sleep 0.5
done
if [ -n "$synced" ]; then
    ok "clock: back within 2 s of the host $synced s after an 8 s pause (lag seen first: ${lag} s)"
else
    not_ok "clock: back within 2 s of the host within 30 s of the resume (lag: ${lag:-?} s)"
fi

t=$(now)
monitor system_powerdown
check "ACPI power button: ODCA-ACPI-POWER" wait_for 60 '^ODCA-ACPI-POWER$'
if wait_exit 60; then
    ok "ACPI power button: QEMU exited $(since "$t") s after system_powerdown"
else
    bail "ACPI power button: QEMU exits"
fi
wait "$SPID" 2> /dev/null || true
SPID=

# --- second boot on the same disk -------------------------------------
boot 2
wait_for 180 '^ODCA-JSON ' || bail "boot 2: ODCA-JSON within 180 s"
boot2=$(since "$t0")
ok "boot 2: ODCA-JSON after $boot2 s"
J=$(last_json .)
check "boot 2: bootcount is 2" [ "$(jget "$J" bootcount)" = 2 ]
check "boot 2: same vm_id" [ "$(jget "$J" vm_id)" = "$VMID" ]
check "boot 2: same hostname" [ "$(jget "$J" hostname)" = "$HOST" ]
send "exec t5 cat /boot/odca/markers/m1"
wait_for 30 '^ODCA-OUT-END t5 rc=' || true
out=$(console | sed -n '/^ODCA-OUT-BEGIN t5$/,/^ODCA-OUT-END t5 /p' | tr '\n' '|')
check "boot 2: the marker survived ($out)" \
    [ "$out" = "ODCA-OUT-BEGIN t5|marker-1|ODCA-OUT-END t5 rc=0|" ]
# A forced power off (QEMU quit, no shutdown at all) must not lose a
# marker: /boot is mounted sync.
send "exec t6 echo marker-2 > /boot/odca/markers/m2"
check "boot 2: marker 2 written" wait_for 30 '^ODCA-OUT-END t6 rc=0$'
monitor quit
wait_exit 30 || bail "forced power off: QEMU exits"
wait "$SPID" 2> /dev/null || true
SPID=

# --- third boot, after the forced power off -----------------------------
boot 3
wait_for 180 '^ODCA-JSON ' || bail "boot 3: ODCA-JSON within 180 s"
ok "boot 3: ODCA-JSON after $(since "$t0") s"
J=$(last_json .)
check "boot 3: bootcount is 3" [ "$(jget "$J" bootcount)" = 3 ]
check "boot 3: same vm_id" [ "$(jget "$J" vm_id)" = "$VMID" ]
send "exec t7 cat /boot/odca/markers/m2"
wait_for 30 '^ODCA-OUT-END t7 rc=' || true
out=$(console | sed -n '/^ODCA-OUT-BEGIN t7$/,/^ODCA-OUT-END t7 /p' | tr '\n' '|')
check "boot 3: marker 2 survived the forced power off ($out)" \
    [ "$out" = "ODCA-OUT-BEGIN t7|marker-2|ODCA-OUT-END t7 rc=0|" ]
t=$(now)
send "poweroff"
check "serial poweroff: ODCA-BYE" wait_for 30 '^ODCA-BYE$'
if wait_exit 60; then
    ok "serial poweroff: QEMU exited $(since "$t") s after the command"
else
    not_ok "serial poweroff: QEMU exits"
fi
wait "$SPID" 2> /dev/null || true
SPID=

# --- the state is on the disk, readable offline -------------------------
qemu-img convert -f qcow2 -O raw "$T/disk.qcow2" "$T/disk.raw"
check "offline: vm-id on the disk" \
    [ "$(mtype -i "$T/disk.raw@@1M" ::/odca/vm-id | tr -d '\r')" = "$VMID" ]
check "offline: bootcount 3 on the disk" \
    [ "$(mtype -i "$T/disk.raw@@1M" ::/odca/bootcount | tr -d '\r')" = 3 ]
check "offline: the marker on the disk" \
    [ "$(mtype -i "$T/disk.raw@@1M" ::/odca/markers/m1 | tr -d '\r')" = marker-1 ]
check "offline: marker 2 on the disk" \
    [ "$(mtype -i "$T/disk.raw@@1M" ::/odca/markers/m2 | tr -d '\r')" = marker-2 ]

echo "test-guest: boot 1 ${boot1} s, boot 2 ${boot2} s to ODCA-JSON"
echo "test-guest: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
