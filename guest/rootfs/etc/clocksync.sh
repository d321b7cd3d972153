#!/bin/sh
# Keep the system clock in step with the virtual RTC, as NTP would on a
# real guest: while a VM is paused, saved or migrated its clock stands
# still, the RTC (QEMU's follows the host clock) does not.
# The RTC has whole seconds only, so `hwclock -s` sets the clock back to the
# start of the second; doing it every time would make the clock saw back up
# to 1 s every 2 s.  So step only when they are 2 s or more apart.
# Assumes the RTC holds UTC (libvirt's default <clock offset='utc'/>).
echo $$ > /var/run/clocksync.pid
while :; do
    rtc=
    read -r rtc < /sys/class/rtc/rtc0/since_epoch 2>/dev/null
    if [ -n "$rtc" ]; then
        d=$(($(date +%s) - rtc))
        if [ "$d" -ge 2 ] || [ "$d" -le -2 ]; then
            hwclock -s -u
        fi
    fi
    sleep 2
done
