#!/bin/sh
# busybox init runs this before it kills everything and powers off or
# reboots: say so on the console, then leave the boot disk clean.
echo "ODCA-SHUTDOWN" > /dev/ttyS0
[ -r /var/run/clocksync.pid ] && kill "$(cat /var/run/clocksync.pid)" 2>/dev/null
killall httpd acpid qemu-ga 2>/dev/null
sync
umount /boot 2>/dev/null || mount -o remount,ro /boot 2>/dev/null
exit 0
