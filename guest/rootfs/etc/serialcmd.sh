#!/bin/sh
# The control channel on ttyS0 (guest/README.md): one command per line in,
# framed answers out.  busybox init (re)starts it with stdin/stdout on
# /dev/ttyS0 once rc.sh has finished.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
# No echo: the harness reads everything it gets, its own commands would
# only get in the way.
stty -echo 2>/dev/null
# Announce the boot once, here rather than in rc.sh: whoever sees the line
# may send commands at once, because this loop already holds the tty.
if [ ! -e /run/odca/announced ]; then
    : > /run/odca/announced
    echo "ODCA-JSON $(/etc/report.sh)"
fi

cr=$(printf '\r')
good_token() {
    case $1 in '' | *[!A-Za-z0-9_-]*) return 1 ;; esac
}

while read -r line; do
    line=${line%"$cr"}
    cmd=${line%%[[:blank:]]*}
    args=${line#"$cmd"}
    args=${args#"${args%%[![:blank:]]*}"}
    case $cmd in
    '')
        ;;
    report)
        if [ -z "$args" ] || good_token "$args"; then
            echo "ODCA-JSON $(/etc/report.sh "$args")"
        else
            echo "ODCA-ERR usage: report [TOKEN]"
        fi
        ;;
    exec)
        tok=${args%%[[:blank:]]*}
        c=${args#"$tok"}
        c=${c#"${c%%[![:blank:]]*}"}
        if ! good_token "$tok" || [ -z "$c" ]; then
            echo "ODCA-ERR usage: exec TOKEN CMD"
            continue
        fi
        echo "ODCA-OUT-BEGIN $tok"
        # Collect the output first: the END marker must start a line of its
        # own even when the output does not end with a newline.  stdin is
        # /dev/null so the command cannot eat the next commands.
        out=/run/odca/exec.out
        sh -c "$c" < /dev/null > "$out" 2>&1
        rc=$?
        cat "$out"
        [ -s "$out" ] && [ -n "$(tail -c 1 "$out")" ] && echo
        rm -f "$out"
        echo "ODCA-OUT-END $tok rc=$rc"
        ;;
    poweroff | reboot)
        if [ -n "$args" ]; then
            echo "ODCA-ERR usage: $cmd"
            continue
        fi
        echo "ODCA-BYE"
        "$cmd"
        # Take no more commands while init shuts down.
        exec sleep 60
        ;;
    *)
        echo "ODCA-ERR unknown: $line"
        ;;
    esac
done
