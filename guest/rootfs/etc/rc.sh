#!/bin/sh
# System start: drivers, identity from the boot disk, network, services.
# The boot's ODCA-JSON line is printed by serialcmd.sh, not here, so that
# it appears only once the command loop is listening.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mkdir -p /run/odca /var/run /var/log /tmp
# Everything this script says goes to a log: the console is the harness's
# channel and must carry nothing but the documented lines.
exec >/run/odca/rc.log 2>&1
set -x

# --- drivers ---------------------------------------------------------
# Coldplug by modalias until no new devices appear: loading virtio_pci
# creates the virtio devices, which need a second pass, SCSI disks a third.
# modprobe returns only after the module's (async) probes have finished.
seen=
for _ in 1 2 3 4 5; do
    now=$(cat /sys/bus/*/devices/*/modalias 2>/dev/null | sort -u)
    [ "$now" = "$seen" ] && break
    for a in $now; do
        case "
$seen
" in *"
$a
"*) continue ;; esac
        modprobe -q -b "$a"
    done
    seen=$now
done
# Not tied to a device: the boot partition's filesystem and codepages,
# ext4 for data disks, and the power button for acpid.
for m in vfat nls_cp437 nls_ascii nls_utf8 ext4 crc32c_generic isofs button evdev; do
    modprobe -q "$m"
done

# --- boot disk: the identity lives on it, so it travels with the disk ---
bootdev=
i=0
while [ -z "$bootdev" ] && [ $i -lt 50 ]; do
    bootdev=$(findfs LABEL=ODCABOOT 2>/dev/null) || bootdev=
    [ -n "$bootdev" ] || sleep 0.1
    i=$((i + 1))
done
rw=false
if [ -n "$bootdev" ]; then
    # sync: markers written by the harness must survive a forced power off.
    if mount -t vfat -o rw,sync "$bootdev" /boot; then
        rw=true
    else
        mount -t vfat -o ro "$bootdev" /boot
    fi
fi

O=/boot/odca
$rw && mkdir -p "$O/markers"
# The image is a template: the first boot of each copy gives it its vm-id.
vmid=
[ -r "$O/vm-id" ] && read -r vmid < "$O/vm-id"
vmid=$(printf '%s' "$vmid" | tr -cd 'A-Za-z0-9._-')
if [ -z "$vmid" ] && $rw; then
    read -r vmid < /proc/sys/kernel/random/uuid
    echo "$vmid" > "$O/vm-id" || vmid=
fi
bc=0
[ -r "$O/bootcount" ] && read -r bc < "$O/bootcount"
case $bc in '' | *[!0-9]*) bc=0 ;; esac
if $rw; then
    bc=$((bc + 1))
    echo "$bc" > "$O/bootcount"
fi
host=
[ -r "$O/hostname" ] && read -r host < "$O/hostname"
host=$(printf '%s' "$host" | tr -cd 'A-Za-z0-9.-' | cut -c1-63)
if [ -z "$host" ]; then
    h8=$(printf '%s' "$vmid" | tr -cd '0-9a-f' | cut -c1-8)
    host=odca-${h8:-nodisk}
fi
hostname "$host"
# What the report says about this boot, fixed at boot time.
echo "$vmid" > /run/odca/vm-id
echo "$bc" > /run/odca/bootcount
sync

# --- network: DHCP on every NIC at once, else a static address ---------
ip link set lo up
for n in /sys/class/net/*; do
    i=${n##*/}
    [ -e "$n/device" ] || continue
    ip link set "$i" up
    (
        udhcpc -i "$i" -s /etc/udhcpc.sh -t 3 -T 1 -n -q ||
            {
                # 10.233.<mac5>.<mac6>/16, reachable from a host bridge
                # holding 10.233.0.1/16 without any DHCP server.
                read -r mac < "$n/address"
                a=$((0x$(echo "$mac" | cut -d: -f5)))
                b=$((0x$(echo "$mac" | cut -d: -f6)))
                ip addr add "10.233.$a.$b/16" dev "$i"
            }
    ) &
done
wait

# --- services --------------------------------------------------------
{
    echo "<!doctype html><title>$host</title>"
    echo "<h1>ODCA probe guest</h1>"
    echo "<p>hostname=$host vm_id=$vmid</p>"
} > /www/index.html
# A page the harness put on the disk wins over the generated one.
[ -d "$O/www" ] && cp -R "$O/www/." /www/
httpd -p 80 -h /www
acpid -c /etc/acpi -l /var/log/acpid.log -p /var/run/acpid.pid
/etc/clocksync.sh &
for p in /sys/class/virtio-ports/*; do
    [ -x /usr/sbin/qemu-ga ] || break
    name=
    read -r name < "$p/name" 2>/dev/null
    [ "$name" = org.qemu.guest_agent.0 ] || continue
    qemu-ga -d -m virtio-serial -p "/dev/${p##*/}" -f /var/run/qemu-ga.pid -t /var/run
done
exit 0
