#!/bin/bash
# SPDX-License-Identifier: MIT
# smoke.sh: the end-to-end test of odca-vcsim.  Starts vcsim in DIR, drives
# it through govc (SOAP), raw curl (SOAP and vSphere Automation REST, the
# calls odca-harness's C driver makes) and libvirt's esx:// and vpx://
# drivers, restarts it, stops it and checks nothing is left.  Prints PASS or
# FAIL per check; exits 1 if any check failed.  Wipes DIR/smoke first.
#
#   smoke.sh DIR [BINDIR]     BINDIR: what build-vcsim.sh built
#
# Checks named "(vcsim gap)" pass when vcsim 0.24.2 still lacks the feature:
# they document what a test against vcsim cannot cover.
# check() evals single-quoted snippets, which use variables set here.
# shellcheck disable=SC2016,SC2034
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd) || exit 1
VCSIM=$HERE/odca-vcsim
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 DIR [BINDIR]" >&2
    exit 2
fi
DIR=$(realpath -m -- "$1")
BINDIR=$(realpath -m -- "${2:-${ODCA_VCSIM_BIN:-$HERE/../../build/vmware/bin}}")
W=$DIR/smoke
LOG=$W/smoke.log
GOVC=$BINDIR/govc
pass=0
fail=0

"$VCSIM" down "$DIR" >/dev/null 2>&1
rm -rf "$W"
mkdir -p "$W" || exit 1
: >"$LOG"
cd "$W" || exit 1
T0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}'; }

# check NAME SNIPPET: run SNIPPET in this shell (so it may set variables),
# its output kept in the log and shown on failure.
check()
{
    local name=$1 out=$W/check.out
    if eval "$2" >"$out" 2>&1; then
        echo "PASS: $name"
        pass=$((pass + 1))
    else
        echo "FAIL: $name"
        tail -n 8 "$out" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
    { echo "### $name"; cat "$out"; } >>"$LOG"
}
trap '"$VCSIM" down "$DIR" >/dev/null 2>&1' EXIT

# fails_with REGEX CMD...: CMD fails, and its output matches REGEX.
fails_with()
{
    local re=$1 out
    shift
    if out=$("$@" 2>&1); then
        printf '%s\nunexpected success\n' "$out"
        return 1
    fi
    printf '%s\n' "$out"
    grep -qE -- "$re" <<<"$out"
}

# --- up ------------------------------------------------------------------------
govcsim_before=$(ls -d /tmp/govcsim-* 2>/dev/null | sort)
t=$(date +%s.%N)
check "odca-vcsim up starts vc, esx and vpx" '"$VCSIM" up "$DIR" "$BINDIR" >"$W/up.json"'
T_UP=$(elapsed "$t")
[ -f "$DIR/vcsim.env" ] || { echo "FAIL: nothing to test"; exit 1; }
# shellcheck disable=SC1091
. "$DIR/vcsim.env"
CA=$ODCA_VCSIM_CA_FILE
PW=$(sed -n 's/^password=//p' "$ODCA_VCSIM_CREDENTIALS" | head -n 1)
export GOVC_PASSWORD=$PW
export LIBVIRT_AUTH_FILE=$ODCA_VCSIM_LIBVIRT_AUTH_FILE
# libvirt's esx driver warns about every property it does not know.
export LIBVIRT_LOG_OUTPUTS="1:file:$W/libvirt.log"
VC=${ODCA_VCSIM_VC_URL%/sdk}
REST=$ODCA_VCSIM_REST_URL

check "status says all three answer" '"$VCSIM" status "$DIR"'
check "endpoints.json names the vsphere endpoint, endpoints-libvirt.json esx and vpx" \
    'grep -q "\"name\": \"vmware\", \"uri\": \"vsphere://127.0.0.1:" "$DIR/endpoints.json" && grep -c "\"name\": \"\(esx\|vpx\)\"" "$DIR/endpoints-libvirt.json" | grep -qx 2 && cmp -s "$DIR/endpoints.json" "$W/up.json"'
check "credential files are mode 0600, vcsim.env holds no password" \
    '[ "$(stat -c %a "$DIR/credentials" "$DIR/libvirt-auth.conf" | sort -u)" = 600 ] && ! grep -qF -- "$PW" "$DIR/vcsim.env" "$DIR"/log/*.log'
check "no password on any vcsim command line" \
    '! grep -qF -- "$PW" /proc/$(cat "$DIR/run/vc.pid")/cmdline'

# --- TLS -------------------------------------------------------------------------
check "curl verifies vcsim against DIR/tls/ca.pem" \
    'curl -sS --cacert "$CA" -o /dev/null "$VC/about"'
check "curl without the CA fails verification (rc 60)" \
    'curl -sS -o /dev/null "$VC/about"; [ $? = 60 ]'

# --- govc (SOAP vim25) -----------------------------------------------------------------
check "govc about (vCenter model)" '$GOVC about | grep "govmomi simulator"'
check "govc ls /DC0/vm" '[ "$($GOVC ls /DC0/vm | tee /dev/stderr | wc -l)" -ge 4 ]'
vm=DC0_H0_VM0
check "govc vm.power -off" '$GOVC vm.power -off $vm && $GOVC vm.info $vm | grep "poweredOff"'
check "govc vm.power -on" '$GOVC vm.power -on $vm && $GOVC vm.info $vm | grep "poweredOn"'
check "govc vm.power -suspend" '$GOVC vm.power -suspend $vm && $GOVC vm.info $vm | grep "suspended"'
check "govc vm.power -on, -reset" '$GOVC vm.power -on $vm && $GOVC vm.power -reset $vm'
check "govc vm.power -s (ShutdownGuest)" '$GOVC vm.power -s $vm && $GOVC vm.info $vm | grep "poweredOff"'
check "govc vm.power -r fails: RebootGuest not implemented (vcsim gap)" \
    '$GOVC vm.power -on $vm && fails_with "does not implement: RebootGuest" $GOVC vm.power -r $vm'
check "SOAP login with a wrong password fails: Login failure" \
    'GOVC_PASSWORD=wrong-$PW fails_with "ServerFaultCode: Login failure" $GOVC about'

qemu-img create -q -f vmdk -o subformat=streamOptimized tiny-disk1.vmdk 16M
sed "s/@SIZE@/$(stat -c %s tiny-disk1.vmdk)/" "$HERE/tiny.ovf.in" >tiny.ovf
tar cf tiny.ova tiny.ovf tiny-disk1.vmdk
check "govc import.ova (OVF + streamOptimized vmdk)" \
    '$GOVC import.ova -ds=LocalDS_0 -pool=/DC0/host/DC0_H0/Resources -name=tiny-ova tiny.ova && $GOVC vm.info tiny-ova | grep "Memory: *64MB"'
check "govc export.ovf fails: ExportVm not implemented (vcsim gap)" \
    'fails_with "does not implement: ExportVm" $GOVC export.ovf -vm tiny-ova exp'

# --- raw SOAP ----------------------------------------------------------------------
soap_login()
{
    curl -sS --cacert "$CA" -H 'Content-Type: text/xml; charset=utf-8' \
        -H 'SOAPAction: urn:vim25/6.5' -c "$W/soap.cookies" -o "$W/soap.out" -w '%{http_code}' \
        --data-binary "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$ODCA_VCSIM_USER</userName><password>$1</password></Login></soapenv:Body></soapenv:Envelope>" \
        "$ODCA_VCSIM_VC_URL"
}
check "raw SOAP Login: LoginResponse + vmware_soap_session cookie" \
    '[ "$(soap_login "$PW")" = 200 ] && grep -q LoginResponse "$W/soap.out" && grep vmware_soap_session "$W/soap.cookies"'
check "raw SOAP Login with a wrong password: HTTP 500, InvalidLogin fault" \
    '[ "$(soap_login "wrong-$PW")" = 500 ] && grep -o "<faultstring>[^<]*</faultstring>" "$W/soap.out" && grep -q InvalidLogin "$W/soap.out"'

# --- vSphere Automation REST (/rest, vCenter 6.5-6.7 style) ----------------------------
# rest METHOD PATH [JSON]: body in $W/body, HTTP status printed.
rest()
{
    local d=()
    [ $# -ge 3 ] && d=(--data-binary "$3")
    curl -sS --max-time 30 --cacert "$CA" -X "$1" -H "vmware-api-session-id: ${SID:-}" \
        -H 'Content-Type: application/json' "${d[@]}" -o "$W/body" -w '%{http_code}' "$REST$2"
}
value() { sed -n 's/^{"value":"\([^"]*\)"}$/\1/p' "$W/body"; }
SID=
check "REST POST /rest/com/vmware/cis/session (basic auth): 200, {\"value\":id}, cookie" \
    'c=$(curl -sS --cacert "$CA" -u "$ODCA_VCSIM_USER:$PW" -X POST -D "$W/hdr" -o "$W/body" -w "%{http_code}" "$REST/com/vmware/cis/session") &&
     [ "$c" = 200 ] && SID=$(value) && [ -n "$SID" ] && grep -i "^set-cookie: vmware-api-session-id=$SID" "$W/hdr"'
check "REST GET session with header vmware-api-session-id" \
    '[ "$(rest GET /com/vmware/cis/session)" = 200 ] && grep "\"user\":\"$ODCA_VCSIM_USER\"" "$W/body"'
check "REST GET session with the cookie only" \
    'curl -sSf --cacert "$CA" -b "vmware-api-session-id=$SID" "$REST/com/vmware/cis/session" | grep "\"user\""'
check "REST POST session?~action=get" \
    '[ "$(rest POST "/com/vmware/cis/session?~action=get")" = 200 ] && grep "\"user\"" "$W/body"'
check "REST session without credentials: 401" \
    '[ "$(curl -sS --cacert "$CA" -X POST -o /dev/null -w "%{http_code}" "$REST/com/vmware/cis/session")" = 401 ]'
check "REST session with a WRONG password: 200 (vcsim gap: any non-empty password is accepted)" \
    '[ "$(curl -sS --cacert "$CA" -u "$ODCA_VCSIM_USER:wrong" -X POST -o /dev/null -w "%{http_code}" "$REST/com/vmware/cis/session")" = 200 ]'
check "REST without a session: 401" \
    '[ "$(SID=bogus rest GET /com/vmware/cis/tagging/category)" = 401 ]'
check "POST /api/session: 404 (vcsim gap: no 7.0U2 /api)" \
    '[ "$(curl -sS --cacert "$CA" -u "$ODCA_VCSIM_USER:$PW" -X POST -o /dev/null -w "%{http_code}" "$VC/api/session")" = 404 ]'
check "GET /rest/vcenter/vm: not served (vcsim gap: 301 then 404)" \
    'c=$(rest GET /vcenter/vm); echo "$c"; [ "$c" = 301 ] || [ "$c" = 404 ]'

# tagging
VMID=$($GOVC ls -i /DC0/vm/$vm | sed 's/^VirtualMachine://')
check "REST tagging: create category" \
    '[ "$(rest POST /com/vmware/cis/tagging/category "{\"create_spec\":{\"name\":\"odca-cat\",\"description\":\"\",\"cardinality\":\"SINGLE\",\"associable_types\":[\"VirtualMachine\"]}}")" = 200 ] && CAT=$(value) && [ -n "$CAT" ]'
check "REST tagging: create tag" \
    '[ "$(rest POST /com/vmware/cis/tagging/tag "{\"create_spec\":{\"name\":\"odca-tag\",\"description\":\"\",\"category_id\":\"$CAT\"}}")" = 200 ] && TAG=$(value) && [ -n "$TAG" ]'
check "REST tagging: attach tag to VM $VMID" \
    '[ "$(rest POST "/com/vmware/cis/tagging/tag-association/id:$TAG?~action=attach" "{\"object_id\":{\"id\":\"$VMID\",\"type\":\"VirtualMachine\"}}")" = 200 ]'
check "REST tagging: list-attached-tags has it; govc agrees" \
    '[ "$(rest POST "/com/vmware/cis/tagging/tag-association?~action=list-attached-tags" "{\"object_id\":{\"id\":\"$VMID\",\"type\":\"VirtualMachine\"}}")" = 200 ] &&
     grep -F "\"$TAG\"" "$W/body" && $GOVC tags.attached.ls -r /DC0/vm/$vm | grep -x odca-tag'

# content library: govc, then the same calls raw
check "govc library.create" '$GOVC library.create -ds LocalDS_0 odca-lib'
check "govc library.import (OVF)" '$GOVC library.import odca-lib tiny.ovf && $GOVC library.ls /odca-lib/ | grep tiny'
check "govc library.deploy" \
    '$GOVC library.deploy -pool /DC0/host/DC0_H0/Resources -ds LocalDS_0 /odca-lib/tiny lib-vm && $GOVC vm.info lib-vm | grep "Memory: *64MB"'
DS=$($GOVC ls -i /DC0/datastore/LocalDS_0 | sed 's/^Datastore://')
POOL=$($GOVC ls -i /DC0/host/DC0_H0/Resources | sed 's/^ResourcePool://')
FOLDER=$($GOVC ls -i /DC0 | sed -n 's/^Folder://p' | head -n 1)
check "REST library: create local library" \
    '[ "$(rest POST /com/vmware/content/local-library "{\"create_spec\":{\"name\":\"raw-lib\",\"type\":\"LOCAL\",\"storage_backings\":[{\"type\":\"DATASTORE\",\"datastore_id\":\"$DS\"}]}}")" = 200 ] && LIB=$(value) && [ -n "$LIB" ]'
check "REST library: create item, open update session" \
    '[ "$(rest POST /com/vmware/content/library/item "{\"create_spec\":{\"name\":\"tiny\",\"library_id\":\"$LIB\",\"type\":\"ovf\"}}")" = 200 ] && ITEM=$(value) &&
     [ "$(rest POST /com/vmware/content/library/item/update-session "{\"create_spec\":{\"library_item_id\":\"$ITEM\"}}")" = 200 ] && UPS=$(value) && [ -n "$UPS" ]'
upload()
{
    local f=$1 ep
    [ "$(rest POST "/com/vmware/content/library/item/updatesession/file/id:$UPS?~action=add" \
        "{\"file_spec\":{\"name\":\"$f\",\"size\":$(stat -c %s "$f"),\"source_type\":\"PUSH\"}}")" = 200 ] || return 1
    ep=$(sed -n 's/.*"upload_endpoint":{"uri":"\([^"]*\)".*/\1/p' "$W/body")
    echo "upload endpoint: $ep"
    [ -n "$ep" ] || return 1
    [ "$(curl -sS --cacert "$CA" -X PUT -H "vmware-api-session-id: $SID" \
        -H 'Content-Type: application/octet-stream' -T "$f" -o /dev/null -w '%{http_code}' "$ep")" = 200 ]
}
check "REST library: add + PUT tiny.ovf" 'upload tiny.ovf'
check "REST library: add + PUT tiny-disk1.vmdk" 'upload tiny-disk1.vmdk'
check "REST library: complete the session; item lists both files with their sizes" \
    '[ "$(rest POST "/com/vmware/content/library/item/update-session/id:$UPS?~action=complete")" = 200 ] &&
     [ "$(rest GET "/com/vmware/content/library/item/file?library_item_id=$ITEM")" = 200 ] && cat "$W/body" &&
     grep -F "\"name\":\"tiny-disk1.vmdk\",\"size\":$(stat -c %s tiny-disk1.vmdk)" "$W/body"'
check "REST library: deploy the OVF item" \
    '[ "$(rest POST "/com/vmware/vcenter/ovf/library-item/id:$ITEM?~action=deploy" "{\"deployment_spec\":{\"name\":\"raw-vm\",\"accept_all_EULA\":true,\"default_datastore_id\":\"$DS\"},\"target\":{\"resource_pool_id\":\"$POOL\",\"folder_id\":\"$FOLDER\"}}")" = 200 ] &&
     grep "\"succeeded\":true" "$W/body" && $GOVC vm.info raw-vm | grep "Memory: *64MB"'
check "REST DELETE session, then 401" \
    '[ "$(rest DELETE /com/vmware/cis/session)" = 200 ] && [ "$(rest GET /com/vmware/cis/tagging/category)" = 401 ]'

# --- libvirt esx:// and vpx:// (vcsim-libvirt) -------------------------------------------
vsh() { timeout 60 virsh -q -c "$@"; }
E=$ODCA_VCSIM_ESX_URI
V=$ODCA_VCSIM_VPX_URI
check "virsh esx version" 'vsh "$E" version | grep "Running hypervisor: ESX 6.5.0"'
check "virsh esx list --all" 'vsh "$E" list --all | grep ha-host_VM0'
for a in "shutdown:shut off" "start:running" "suspend:paused" "resume:running" \
    "destroy:shut off" "start:running"; do
    check "virsh esx ${a%%:*} -> ${a#*:}" \
        "vsh \"\$E\" ${a%%:*} ha-host_VM0 && [ \"\$(vsh \"\$E\" domstate ha-host_VM0)\" = \"${a#*:}\" ]"
done
check "virsh esx reboot fails: RebootGuest not implemented (vcsim gap)" \
    'fails_with "does not implement: RebootGuest" vsh "$E" reboot ha-host_VM0'
# define needs HostMountInfo.path (patch 0002; without it virsh crashes) and,
# because vcsim's RegisterVM opens them, <name>.nvram and vmware.log.
: >empty
cat >lv1.xml <<'EOF'
<domain type='vmware'><name>lv1</name><memory unit='KiB'>65536</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os>
<devices><disk type='file' device='disk'><source file='[LocalDS_0] lv1/lv1.vmdk'/><target dev='sda' bus='scsi'/></disk>
<interface type='bridge'><source bridge='VM Network'/><model type='e1000'/></interface></devices></domain>
EOF
check "virsh esx define/start/destroy/undefine" \
    'GOVC_URL=$ODCA_VCSIM_ESX_URL $GOVC datastore.upload -ds LocalDS_0 empty lv1/lv1.nvram &&
     GOVC_URL=$ODCA_VCSIM_ESX_URL $GOVC datastore.upload -ds LocalDS_0 empty lv1/vmware.log &&
     vsh "$E" define lv1.xml && vsh "$E" start lv1 && vsh "$E" destroy lv1 && vsh "$E" undefine lv1'
check "virsh vpx list --all" 'vsh "$V" list --all | grep DC0_H0_VM0'
check "virsh vpx destroy/start" \
    'vsh "$V" destroy DC0_H0_VM1 && vsh "$V" start DC0_H0_VM1 && [ "$(vsh "$V" domstate DC0_H0_VM1)" = running ]'
check "virsh esx without no_verify and without the CA: refused (certificate)" \
    'fails_with "certificate verification failed" vsh "${E%%\?*}" version'
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    check "virsh esx and vpx verify vcsim against our CA (odca-vcsim with-ca)" \
        '"$VCSIM" with-ca "$DIR" virsh -q -c "${E%%\?*}" version | grep "ESX 6.5.0" &&
         "$VCSIM" with-ca "$DIR" virsh -q -c "${V%%\?*}" list --all | grep DC0_H0_VM0'
fi
check "unpatched vcsim refuses libvirt: AnyType is missing 'type' property" \
    'fails_with "AnyType is missing .type. property" vsh "esx://$ODCA_VCSIM_USER@127.0.0.1:${VC##*:}/?no_verify=1" version'

# --- restart, down -------------------------------------------------------------------
t=$(date +%s.%N)
check "restart gives a clean model (the imported VM is gone)" \
    '"$VCSIM" restart "$DIR" >/dev/null && $GOVC ls /DC0/vm && ! $GOVC ls /DC0/vm | grep -q tiny-ova && "$VCSIM" status "$DIR"'
T_RESTART=$(elapsed "$t")
t=$(date +%s.%N)
check "down stops everything" '"$VCSIM" down "$DIR"'
T_DOWN=$(elapsed "$t")
# leftovers: vcsim processes of DIR, listeners on its ports, datastore dirs
leftovers()
{
    local p port
    for p in /proc/[0-9]*; do
        tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF "$DIR/tls/server.pem" &&
            echo "process ${p#/proc/}"
    done
    for port in "${VC##*:}" "$(port_of "$ODCA_VCSIM_ESX_URL")" "$(port_of "$ODCA_VCSIM_VPX_URL")"; do
        ss -Htln "sport = :$port" | grep -q . && echo "listener on :$port"
    done
    [ -e "$DIR/tmp" ] && echo "$DIR/tmp"
    [ "$(ls -d /tmp/govcsim-* 2>/dev/null | sort)" = "$govcsim_before" ] || echo "new /tmp/govcsim-*"
}
port_of() { local p=${1#https://127.0.0.1:}; echo "${p%/sdk}"; }
check "no vcsim process, listener or datastore dir is left" '[ -z "$(leftovers | tee /dev/stderr)" ]'
check "down again is a no-op" '"$VCSIM" down "$DIR" 2>&1 | grep "no vcsim is up"'
trap - EXIT

echo "timings: up ${T_UP} s, restart ${T_RESTART} s, down ${T_DOWN} s, all $(elapsed "$T0") s"
echo "$pass passed, $fail failed (log: $LOG)"
[ "$fail" = 0 ]
