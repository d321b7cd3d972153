#!/bin/sh
# udhcpc's hook: apply the lease it got.  Variables come from udhcpc.
# shellcheck disable=SC2154
case "$1" in
bound | renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    # With several NICs on DHCP only the first default route sticks.
    [ -n "${router:-}" ] &&
        ip route add default via "${router%% *}" dev "$interface" 2>/dev/null
    if [ -n "${dns:-}" ]; then
        for d in $dns; do echo "nameserver $d"; done > /etc/resolv.conf
    fi
    ;;
deconfig)
    ip addr flush dev "$interface"
    ip link set "$interface" up
    ;;
esac
exit 0
