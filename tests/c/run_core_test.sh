#!/usr/bin/env bash
# Build tests/c/core_test.c against the committed header and the built
# library, start an emulator, and run the test (under valgrind when present).
#
#   tests/c/run_core_test.sh <exo-emulator binary> <dir holding libexo_bridge.so>
#
# Env: VALGRIND=0 to skip valgrind; CC (default cc); OUT (build dir, default <libdir>).
set -euo pipefail

emu=${1:?usage: run_core_test.sh <exo-emulator> <libdir>}
libdir=$(cd "${2:?usage: run_core_test.sh <exo-emulator> <libdir>}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$libdir}
cc=${CC:-cc}
mailboxes=23

"$cc" -std=c11 -Wall -Wextra -Werror -g -I"$root/src" "$here/core_test.c" \
    -L"$libdir" -lexo_bridge -Wl,-rpath,"$libdir" -o "$out/core_test"

work=$(mktemp -d)
fifo="$work/stdin"
mkfifo "$fifo"
"$emu" --tenants 2 --mailboxes "$mailboxes" --device-code-interval 1 <"$fifo" >"$work/start.json" 2>"$work/emulator.log" &
emu_pid=$!
exec 3>"$fifo" # the emulator serves until its stdin closes
cleanup() {
    exec 3>&- || true
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
    [ -s "$work/start.json" ] && break
    sleep 0.1
done
[ -s "$work/start.json" ] || { echo "emulator did not start"; cat "$work/emulator.log"; exit 1; }

eval "$(python3 - "$work/start.json" "$mailboxes" <<'EOF'
import json, shlex, sys
s = json.loads(open(sys.argv[1]).readline())
v = {
    "EXO_URL": s["url"],
    "EXO_TENANT": s["customers"][0]["tenantId"],
    "EXO_MAILBOXES": str(s["customers"][0].get("mailboxes", sys.argv[2])),
    "EXO_APP_ID": s["applicationId"],
    "EXO_CLIENT_SECRET": s["clientSecret"],
    "EXO_REFRESH_TOKEN": s["refreshToken"],
    "EXO_PUBLIC_CLIENT_ID": s["publicClientId"],
    "EXO_PARTNER_TENANT": s["partnerTenantId"],
}
for k, x in v.items():
    print(f"export {k}={shlex.quote(x)}")
EOF
)"

if [ "${VALGRIND:-1}" != 0 ] && command -v valgrind >/dev/null; then
    valgrind --quiet --error-exitcode=1 --leak-check=full --suppressions="$here/valgrind.supp" \
        "$out/core_test"
else
    "$out/core_test"
fi
