#!/bin/sh
# Print the report JSON object (guest/README.md) as one line on stdout.
# $1, optional: the request token, already checked by serialcmd.sh; it
# comes back as "req".
# Values from files go through `read` (a builtin): under TCG every fork
# costs milliseconds.  Strings that come from outside the kernel are
# reduced to printable ASCII without '"' and '\', so the JSON stays valid.
req=${1:-}
# shellcheck disable=SC1003 # '"\\' is a quote and a backslash for tr
safe() { printf '%s' "$1" | tr -cd ' -~' | tr -d '"\\'; }
first() { v=; [ -r "$1" ] && read -r v < "$1"; printf '%s' "$v"; }
drvname() { l=$(readlink "$1" 2>/dev/null); printf '%s' "${l##*/}"; }

nproc=$(grep -c '^processor' /proc/cpuinfo)
mem=0
while read -r k val _; do
    [ "$k" = MemTotal: ] && { mem=$val; break; }
done < /proc/meminfo
# The RAM the firmware handed over (System RAM ranges of its memory map):
# MemTotal is smaller by what the kernel keeps, a lot on a small guest.
phys=0
for m in /sys/firmware/memmap/*; do
    read -r t < "$m/type" 2>/dev/null || continue
    [ "$t" = "System RAM" ] || continue
    read -r s < "$m/start"
    read -r e < "$m/end"
    phys=$((phys + (e - s + 1) / 1024))
done
read -r up _ < /proc/uptime
bm=false
while read -r _ mnt _ opts _; do
    [ "$mnt" = /boot ] && case ",$opts," in *,rw,*) bm=true ;; esac
done < /proc/mounts

printf '{"hostname":"%s","kernel":"%s","nproc":%s,"mem_kb":%s,"mem_phys_kb":%s,' \
    "$(hostname)" "$(uname -r)" "$nproc" "$mem" "$phys"
bc=$(first /run/odca/bootcount)
printf '"uuid":"%s","vm_id":"%s","bootcount":%s,' \
    "$(first /sys/class/dmi/id/product_uuid)" "$(first /run/odca/vm-id)" \
    "${bc:-0}"
printf '"uptime_s":%s,"clock_s":%s,"boot_mounted":%s,' \
    "${up%%.*}" "$(date +%s)" "$bm"

printf '"disks":['
sep=
for d in /sys/block/*; do
    name=${d##*/}
    case $name in loop* | ram* | zram*) continue ;; esac
    read -r sectors < "$d/size"
    # virtio: serial; nvme: the controller's serial; SCSI/ATA: VPD page 0x80
    # (4 header bytes, then the serial padded with spaces).
    if [ -r "$d/serial" ]; then
        serial=$(first "$d/serial")
    elif [ -r "$d/device/serial" ]; then
        serial=$(first "$d/device/serial")
    elif [ -r "$d/device/vpd_pg80" ]; then
        serial=$(tail -c +5 "$d/device/vpd_pg80" | tr -d '\000')
    else
        serial=
    fi
    serial=$(safe "$serial" | sed 's/^ *//; s/ *$//')
    # The first driver up the device path that is not SCSI's disk or
    # cdrom driver: virtio_blk, nvme, or the SCSI host adapter's (ahci,
    # ata_piix, virtio_scsi, vmw_pvscsi...), which tells the bus.
    drv=
    p=$(readlink -f "$d/device")
    while [ -z "$drv" ] && [ "${p#/sys/devices/}" != "$p" ]; do
        case $(drvname "$p/driver") in
        '' | sd | sr) ;;
        *) drv=$(drvname "$p/driver") ;;
        esac
        p=${p%/*}
    done
    printf '%s{"name":"%s","bytes":%s,"serial":"%s","driver":"%s"}' \
        "$sep" "$name" $((sectors * 512)) "$serial" "$drv"
    sep=,
done

printf '],"nics":['
sep=
for n in /sys/class/net/*; do
    [ -e "$n/device" ] || continue
    name=${n##*/}
    # "2: eth0    inet 10.0.2.15/24 brd ...": the 4th word of the first line
    # shellcheck disable=SC2046
    set -- $(ip -4 -o addr show dev "$name")
    printf '%s{"name":"%s","mac":"%s","driver":"%s","ipv4":"%s"}' \
        "$sep" "$name" "$(first "$n/address")" "$(drvname "$n/device/driver")" \
        "${4:-}"
    sep=,
done

running() { pidof "$1" >/dev/null && echo true || echo false; }
cs=false
pid=$(first /var/run/clocksync.pid)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && cs=true
printf '],"services":{"httpd":%s,"acpid":%s,"clocksync":%s,"qemu-ga":%s}' \
    "$(running httpd)" "$(running acpid)" "$cs" "$(running qemu-ga)"
[ -n "$req" ] && printf ',"req":"%s"' "$req"
printf '}\n'
