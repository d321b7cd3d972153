#!/bin/bash
# SPDX-License-Identifier: MIT
# smoke.sh DIR: end-to-end test of odca-openstack on this machine (root,
# Debian 12, packages of deps.txt installed).  Starts the cloud in DIR and
# talks to it with plain curl + JSON, as a libcurl/json-c client does:
# Keystone tokens, Glance upload/download, a Nova server (fake driver) of
# 4 vCPUs / 4 GiB / 1 GiB through its whole life, createImage, quota and
# no-valid-host failures, one service stopped and started again, then down,
# a restart on the same DIR, and an up that must fail on a taken port.
# DIR must be absent, or hold an earlier odca-openstack state; it is wiped.
# Prints PASS/FAIL per check and "time:" lines; ends with "N passed, N failed".
# shellcheck disable=SC2015 # `test && ok || bad`: ok always succeeds
set -u
export LC_ALL=C
unset ODCA_OS_PORT_BASE   # the checks below use the standard ports

HERE=$(dirname "$(readlink -f "$0")")
OS=$HERE/odca-openstack
PY=/usr/bin/python3
PW=${ODCA_OS_PASSWORD:-odca-secret}
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$(realpath -m -- "$1")
if [ -e "$DIR" ] && [ ! -f "$DIR/os.env" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
    echo "$0: '$DIR' is not empty and holds no odca-openstack state; refusing to wipe it" >&2
    exit 2
fi
"$OS" down "$DIR" >/dev/null 2>&1
rm -rf "$DIR"
TMP=$(mktemp -d)
SQUAT=
cleanup()
{
    [ -n "$SQUAT" ] && kill "$SQUAT" 2>/dev/null
    "$OS" down "$DIR" >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
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
# j EXPR < JSON: print a Python expression over the document d.
j() { $PY -c 'import json,sys; d=json.load(sys.stdin); r=eval(sys.argv[1]); print(r if not isinstance(r,(dict,list)) else json.dumps(r))' "$1"; }
now() { echo "${EPOCHREALTIME/./}"; }
secs() { local d=$((($(now) - $1) / 100000)); echo "$((d / 10)).$((d % 10))"; }

# Processes of DIR still running (by marker, session file, or DIR in argv).
leftovers()
{
    local p
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] && continue
        if grep -qzxF "ODCA_OPENSTACK_DIR=$DIR" "$p/environ" 2>/dev/null ||
            { tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$DIR/" &&
                ! tr '\0' ' ' <"$p/cmdline" | grep -q 'smoke.sh'; }; then
            awk '/^State:/ {exit $2 == "Z"}' "$p/status" 2>/dev/null &&
                echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" | cut -c1-100)"
        fi
    done
}
nothing_left()
{
    local l
    l=$(leftovers)
    [ -z "$l" ] || { echo "still running: $l"; return 1; }
    ss -Htln | awk '{print $4}' | grep -E ':(5000|9292|8778|8774|9696|5672|25672|4369)$' &&
        { echo "a port of the cloud is still listened on"; return 1; }
    return 0
}

# ---- up from an empty DIR -----------------------------------------------------
t=$(now)
if "$OS" up "$DIR" >"$TMP/up.json" 2>"$TMP/up.err"; then
    ok "up (fresh DIR)"
else
    bad "up (fresh DIR)"
    tail -n 30 "$TMP/up.err" | sed 's/^/    /'
    echo "$pass passed, $fail failed"
    exit 1
fi
echo "time: first up $(secs "$t") s"
check "up printed DIR/endpoints.json" cmp "$TMP/up.json" "$DIR/endpoints.json"
check "endpoints.json has one openstack endpoint" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
e = d["endpoints"][0]
assert d["format"] == 1 and len(d["endpoints"]) == 1, d
assert e == {"name": "openstack", "uri": "openstack://odca", "auth_file": sys.argv[2], "max_jobs": 2}, e' \
    "$DIR/endpoints.json" "$DIR/clouds.yaml"
check "clouds.yaml is mode 0600 with clouds odca and odca-user" $PY -c '
import os, stat, sys, yaml
f = sys.argv[1]
assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
c = yaml.safe_load(open(f))["clouds"]
assert c["odca"]["auth"]["username"] == "admin" and c["odca"]["auth"]["project_name"] == "admin"
assert c["odca-user"]["auth"]["username"] == "odca-user" and c["odca-user"]["auth"]["project_name"] == "odca"
for n in c.values():
    assert n["region_name"] == "RegionOne" and n["identity_api_version"] == 3
    assert n["auth"]["auth_url"] == "http://127.0.0.1:5000/v3"' "$DIR/clouds.yaml"
check "status: every service answers" "$OS" status "$DIR"
"$OS" up "$DIR" >"$TMP/up2.out" 2>&1
rc=$?
check "a second up refuses (exit $rc)" grep -q 'already up' "$TMP/up2.out"
[ $rc = 1 ] || bad "a second up exits $rc, not 1"

# ---- Keystone -------------------------------------------------------------------
K=http://127.0.0.1:5000/v3
auth_body() # USER PROJECT PASSWORD
{
    printf '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"%s","domain":{"name":"Default"},"password":"%s"}}},"scope":{"project":{"name":"%s","domain":{"name":"Default"}}}}}' \
        "$1" "$3" "$2"
}
code=$(curl -s -D "$TMP/hdr" -o "$TMP/tok.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$(auth_body admin admin "$PW")" $K/auth/tokens)
TOK=$(awk -F': ' 'tolower($1)=="x-subject-token"{print $2}' "$TMP/hdr" | tr -d '\r')
[ "$code" = 201 ] && [ -n "$TOK" ] && ok "keystone token for admin (201, X-Subject-Token)" || bad "keystone token ($code)"
cat_url() { j "[e['url'] for c in d['token']['catalog'] if c['type']=='$1' for e in c['endpoints'] if e['interface']=='public'][0]" <"$TMP/tok.json"; }
IMG_URL=$(cat_url image) NOVA_URL=$(cat_url compute)
for t in identity image compute network placement; do
    u=$(cat_url $t 2>/dev/null)
    [ -n "$u" ] && ok "catalog: $t public endpoint $u" || bad "catalog: no $t endpoint"
done
code=$(curl -s -o "$TMP/utok.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$(auth_body odca-user odca "$PW")" $K/auth/tokens)
roles=$(j '",".join(sorted(r["name"] for r in d["token"]["roles"]))' <"$TMP/utok.json" 2>/dev/null)
[ "$code" = 201 ] && [[ ",$roles," == *,member,* ]] && ok "keystone token for odca-user on odca (roles $roles)" ||
    bad "odca-user token ($code, roles $roles)"
out=$(curl -s -o "$TMP/bad.json" -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
    -d "$(auth_body admin admin WRONG)" $K/auth/tokens)
code=${out% *} tt=${out#* }
echo "time: wrong password answered in $tt s"
[ "$code" = 401 ] && [ "$(j 'd["error"]["code"]' <"$TMP/bad.json")" = 401 ] &&
    $PY -c "import sys; sys.exit(float(sys.argv[1]) >= 2)" "$tt" &&
    ok "wrong password -> 401 in $tt s" || bad "wrong password -> $code in $tt s"

# ---- Glance ----------------------------------------------------------------------
G=(-H "X-Auth-Token: $TOK")
head -c 3145728 /dev/urandom >"$TMP/base.raw"
IMG=$(curl -s "${G[@]}" -H 'Content-Type: application/json' \
    -d '{"name":"smoke-base","disk_format":"raw","container_format":"bare"}' "$IMG_URL/v2/images" | j 'd["id"]')
[ -n "$IMG" ] && ok "glance create image $IMG" || bad "glance create image"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT "${G[@]}" -H 'Content-Type: application/octet-stream' \
    --data-binary @"$TMP/base.raw" "$IMG_URL/v2/images/$IMG/file")
[ "$code" = 204 ] && ok "glance upload 3 MiB (204)" || bad "glance upload ($code)"
st=$(curl -s "${G[@]}" "$IMG_URL/v2/images/$IMG" | j '(d["status"], d["size"], d["os_hash_algo"])')
[ "$st" = "('active', 3145728, 'sha512')" ] && ok "glance image active $st" || bad "glance image $st"
curl -s "${G[@]}" -o "$TMP/dl.raw" "$IMG_URL/v2/images/$IMG/file"
check "glance download is byte-identical" cmp "$TMP/base.raw" "$TMP/dl.raw"
code=$(curl -s -o /dev/null -w '%{http_code}' "${G[@]}" -H 'Content-Type: application/json' \
    -d '{"name":"bad","disk_format":"foo","container_format":"bare"}' "$IMG_URL/v2/images")
[ "$code" = 400 ] && ok "glance disk_format foo -> 400" || bad "glance disk_format foo -> $code"

# ---- Nova --------------------------------------------------------------------------
N=(-H "X-Auth-Token: $TOK" -H 'Content-Type: application/json'
    -H 'OpenStack-API-Version: compute 2.47' -H 'X-OpenStack-Nova-API-Version: 2.47')
vers=$(curl -s http://127.0.0.1:8774/ | j '[(v["id"], v["min_version"], v["version"]) for v in d["versions"]]')
echo "info: nova versions $vers"
flavor() # NAME VCPUS RAM DISK -> id
{
    curl -s "${N[@]}" -d "{\"flavor\":{\"name\":\"$1\",\"vcpus\":$2,\"ram\":$3,\"disk\":$4}}" \
        "$NOVA_URL/flavors" | j 'd["flavor"]["id"]'
}
FLV=$(flavor smoke-4c4g 4 4096 1)
[ -n "$FLV" ] && ok "flavor 4 vCPU / 4096 MiB / 1 GiB created ($FLV)" || bad "flavor create"
# server_state ID: "STATUS TASK_STATE" (task_state None when idle)
server_state() { curl -s "${N[@]}" "$NOVA_URL/servers/$1" | j 'd["server"]["status"] + " " + str(d["server"]["OS-EXT-STS:task_state"])'; }
wait_state() # ID STATUS [TIMEOUT]: STATUS reached with no task running
{
    local s deadline=$((SECONDS + ${3:-60}))
    while [ $SECONDS -lt $deadline ]; do
        s=$(server_state "$1")
        [ "$s" = "$2 None" ] && return 0
        case $s in ERROR*) echo "server went $s"; return 1 ;; esac
        sleep 0.3
    done
    echo "server is '$s', not '$2'"
    return 1
}
t=$(now)
code=$(curl -s -o "$TMP/srv.json" -w '%{http_code}' "${N[@]}" \
    -d "{\"server\":{\"name\":\"smoke-vm\",\"imageRef\":\"$IMG\",\"flavorRef\":\"$FLV\",\"networks\":\"none\"}}" \
    "$NOVA_URL/servers")
SID=$(j 'd["server"]["id"]' <"$TMP/srv.json" 2>/dev/null)
[ "$code" = 202 ] && [ -n "$SID" ] && ok "POST /servers networks none at 2.47 -> 202" || bad "POST /servers -> $code $(head -c 300 "$TMP/srv.json")"
if wait_state "$SID" ACTIVE 120 >"$TMP/out" 2>&1; then
    ok "server ACTIVE in $(secs "$t") s"
else
    bad "server ACTIVE: $(cat "$TMP/out")"
fi
fl=$(curl -s "${N[@]}" "$NOVA_URL/servers/$SID" | j '(d["server"]["flavor"]["vcpus"], d["server"]["flavor"]["ram"], d["server"]["flavor"]["disk"])')
[ "$fl" = "(4, 4096, 1)" ] && ok "server show embeds the flavor (2.47): $fl" || bad "server flavor $fl"
action() # ID BODY EXPECTED-STATUS
{
    local code t
    t=$(now)
    code=$(curl -s -o "$TMP/act.out" -w '%{http_code}' "${N[@]}" -d "$2" "$NOVA_URL/servers/$1/action")
    if [ "$code" = 202 ] && wait_state "$1" "$3" >"$TMP/out" 2>&1; then
        ok "action $2 -> $3 in $(secs "$t") s"
    else
        bad "action $2 -> $code $(head -c 200 "$TMP/act.out") $(cat "$TMP/out" 2>/dev/null)"
    fi
}
action "$SID" '{"os-stop":null}' SHUTOFF
action "$SID" '{"os-start":null}' ACTIVE
action "$SID" '{"suspend":null}' SUSPENDED
action "$SID" '{"resume":null}' ACTIVE
action "$SID" '{"pause":null}' PAUSED
action "$SID" '{"unpause":null}' ACTIVE
action "$SID" '{"reboot":{"type":"SOFT"}}' ACTIVE
action "$SID" '{"reboot":{"type":"HARD"}}' ACTIVE

# createImage: at 2.45+ the answer body holds image_id (no Location header).
t=$(now)
code=$(curl -s -o "$TMP/snap.json" -w '%{http_code}' "${N[@]}" \
    -d '{"createImage":{"name":"smoke-snap","metadata":{"odca":"smoke"}}}' "$NOVA_URL/servers/$SID/action")
SNAP=$(j 'd["image_id"]' <"$TMP/snap.json" 2>/dev/null)
[ "$code" = 202 ] && [ -n "$SNAP" ] && ok "createImage -> 202 {\"image_id\": \"$SNAP\"}" ||
    bad "createImage -> $code $(head -c 200 "$TMP/snap.json")"
st=
for _ in $(seq 1 200); do
    st=$(curl -s "${G[@]}" "$IMG_URL/v2/images/$SNAP" | j 'd["status"]' 2>/dev/null)
    case $st in active | killed | deleted) break ;; esac
    sleep 0.3
done
[ "$st" = active ] && ok "snapshot image active in $(secs "$t") s" || bad "snapshot image is '$st'"
curl -s "${G[@]}" -o "$TMP/snap.raw" "$IMG_URL/v2/images/$SNAP/file"
check "snapshot download = the base image (OdcaFakeDriver uploads it)" cmp "$TMP/base.raw" "$TMP/snap.raw"
check "server ACTIVE again after the snapshot" wait_state "$SID" ACTIVE 30

# Failures: over quota (cores 20) is refused at once; a host too small
# (disk beyond 600000 GiB) gives an ERROR server with a fault.
BIG=$(flavor smoke-32c 32 4096 1)
code=$(curl -s -o "$TMP/big.json" -w '%{http_code}' "${N[@]}" \
    -d "{\"server\":{\"name\":\"smoke-big\",\"imageRef\":\"$IMG\",\"flavorRef\":\"$BIG\",\"networks\":\"none\"}}" \
    "$NOVA_URL/servers")
[ "$code" = 403 ] && ok "32 vCPUs over the cores quota -> 403 $(head -c 120 "$TMP/big.json")" ||
    bad "32 vCPU server -> $code $(head -c 200 "$TMP/big.json")"
HUGE=$(flavor smoke-hugedisk 1 64 700000)
code=$(curl -s -o "$TMP/huge.json" -w '%{http_code}' "${N[@]}" \
    -d "{\"server\":{\"name\":\"smoke-huge\",\"imageRef\":\"$IMG\",\"flavorRef\":\"$HUGE\",\"networks\":\"none\"}}" \
    "$NOVA_URL/servers")
HID=$(j 'd["server"]["id"]' <"$TMP/huge.json" 2>/dev/null)
st=
for _ in $(seq 1 100); do
    st=$(curl -s "${N[@]}" "$NOVA_URL/servers/$HID" | j 'd["server"]["status"] + " " + d["server"].get("fault", {}).get("message", "")' 2>/dev/null)
    case $st in ERROR* | ACTIVE*) break ;; esac
    sleep 0.3
done
[ "$code" = 202 ] && [[ $st == "ERROR No valid host"* ]] && ok "disk 700000 GiB: 202, then $st" ||
    bad "disk 700000 GiB server: $code, then '$st'"

# Two clients at once (the harness's max_jobs): 8 servers created, stopped
# and deleted with no 5xx.  Before sitecustomize.py about 1 request in 20
# answered 500 "database is locked" here.
t=$(now)
if $PY - "$TOK" "$NOVA_URL" "$IMG" "$FLV" >"$TMP/par.out" 2>&1 <<'EOF'; then
import concurrent.futures, json, sys, time, urllib.request, urllib.error
tok, nova, img, flv = sys.argv[1:5]
H = {'X-Auth-Token': tok, 'Content-Type': 'application/json',
     'OpenStack-API-Version': 'compute 2.47', 'X-OpenStack-Nova-API-Version': '2.47'}
bad = []
def call(method, path, body=None):
    req = urllib.request.Request(nova + path, method=method, headers=H,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            code, data = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, data = e.code, e.read()
    if code >= 500:
        bad.append('%s %s -> %d %s' % (method, path, code, data[:200]))
    return code, (json.loads(data) if data.strip() else {})
def wait(sid, want):
    deadline = time.time() + 120
    while time.time() < deadline:
        code, d = call('GET', '/servers/' + sid)
        if want is None and code == 404:
            return True
        if code == 200 and d['server']['status'] == want and d['server']['OS-EXT-STS:task_state'] is None:
            return True
        time.sleep(0.3)
    bad.append('%s never reached %s' % (sid, want))
def one(i):
    code, d = call('POST', '/servers', {'server': {'name': 'smoke-par-%d' % i, 'imageRef': img,
                                                   'flavorRef': flv, 'networks': 'none'}})
    if code != 202:
        bad.append('create -> %d %s' % (code, d))
        return
    sid = d['server']['id']
    wait(sid, 'ACTIVE')
    call('POST', '/servers/%s/action' % sid, {'os-stop': None})
    wait(sid, 'SHUTOFF')
    call('DELETE', '/servers/' + sid)
    wait(sid, None)
with concurrent.futures.ThreadPoolExecutor(2) as ex:
    list(ex.map(one, range(8)))
print('\n'.join(bad))
sys.exit(1 if bad else 0)
EOF
    ok "2 clients in parallel: 8 servers created, stopped, deleted, no 5xx ($(secs "$t") s)"
else
    bad "2 clients in parallel"
    head -n 10 "$TMP/par.out" | sed 's/^/    /'
fi

# ---- one service stopped and started again -----------------------------------------
check "stop-service glance" "$OS" stop-service "$DIR" glance
"$OS" status "$DIR" >"$TMP/st.out" 2>&1
rc=$?
[ $rc != 0 ] && grep -q '^glance: *DOWN' "$TMP/st.out" && ok "status says glance DOWN (exit $rc)" || bad "status with glance stopped (exit $rc)"
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "${G[@]}" "$IMG_URL/v2/images/$IMG")
[ "$code" = 000 ] && ok "glance refuses connections while stopped" || bad "glance stopped answers $code"
t=$(now)
check "start-service glance" "$OS" start-service "$DIR" glance
echo "time: start-service glance $(secs "$t") s"
code=$(curl -s -o /dev/null -w '%{http_code}' "${G[@]}" "$IMG_URL/v2/images/$IMG")
[ "$code" = 200 ] && ok "glance answers again (image still there)" || bad "glance after restart: $code"
check "status: every service answers again" "$OS" status "$DIR"

# ---- clean up resources ---------------------------------------------------------------
for s in "$SID" "$HID"; do
    [ -n "$s" ] || continue
    code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${N[@]}" "$NOVA_URL/servers/$s")
    g=
    for _ in $(seq 1 100); do
        g=$(curl -s -o /dev/null -w '%{http_code}' "${N[@]}" "$NOVA_URL/servers/$s")
        [ "$g" = 404 ] && break
        sleep 0.3
    done
    [ "$code" = 204 ] && [ "$g" = 404 ] && ok "DELETE server $s -> 204, then 404" || bad "delete server $s: $code/$g"
done
for i in "$SNAP" "$IMG"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${G[@]}" "$IMG_URL/v2/images/$i")
    [ "$code" = 204 ] && ok "DELETE image $i -> 204" || bad "delete image $i: $code"
done
for f in "$FLV" "$BIG" "$HUGE"; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "${N[@]}" "$NOVA_URL/flavors/$f")
    [ "$code" = 202 ] && ok "DELETE flavor $f -> 202" || bad "delete flavor $f: $code"
done

# ---- down, restart, down ---------------------------------------------------------------
t=$(now)
check "down" "$OS" down "$DIR"
echo "time: down $(secs "$t") s"
check "down left no process and no port" nothing_left
check "down again is fine" "$OS" down "$DIR"
t=$(now)
check "up again on the same DIR (restart)" "$OS" up "$DIR"
echo "time: restart up $(secs "$t") s"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "$(auth_body admin admin "$PW")" $K/auth/tokens)
[ "$code" = 201 ] && ok "keystone token after restart" || bad "token after restart: $code"
t=$(now)
check "down after restart" "$OS" down "$DIR"
echo "time: down $(secs "$t") s"
check "nothing left after the restart's down" nothing_left

# ---- a taken port: up fails cleanly ------------------------------------------------------
$PY -m http.server 9292 --bind 127.0.0.1 >/dev/null 2>&1 &
SQUAT=$!
for _ in $(seq 1 50); do ss -Htln 'sport = :9292' | grep -q . && break; sleep 0.1; done
"$OS" up "$DIR" >"$TMP/upfail.out" 2>"$TMP/upfail.err"
rc=$?
[ $rc = 1 ] && grep -q '9292' "$TMP/upfail.err" && ok "up with port 9292 taken exits 1 naming the port" ||
    { bad "up with port 9292 taken: exit $rc"; sed 's/^/    /' "$TMP/upfail.err"; }
[ ! -s "$TMP/upfail.out" ] && ok "failed up printed no endpoints" || bad "failed up printed: $(cat "$TMP/upfail.out")"
kill "$SQUAT" 2>/dev/null
wait "$SQUAT" 2>/dev/null
SQUAT=
check "nothing left after the failed up" nothing_left

echo "$pass passed, $fail failed"
[ $fail = 0 ]
