#!/usr/bin/env bash
# `make demo`: the project's main job on the embedded default spec — write it, show the plan it
# compiles to, then run it as a busybox container and show what the container sees.
set -euo pipefail
runc=$(realpath "${1:-build/runc}")
top=$(cd "$(dirname "$0")/.." && pwd)
bundle="$top/demo-bundle"
root=$(mktemp -d /tmp/runc-demo-root.XXXXXX)
id="demo-$$"
cleanup() {
  "$runc" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
  rm -rf "$root" "$bundle"
}
trap cleanup EXIT
rm -rf "$bundle"
mkdir -p "$bundle/rootfs"

echo "### runc spec (the embedded default, ociVersion 1.3.0)"
"$runc" spec --bundle "$bundle"
"$runc" validate --bundle "$bundle"

echo
echo "### runc plan (what will happen, step by step, each traced to its config field)"
"$runc" --root "$root" plan --bundle "$bundle" --id "$id"

if [ "$(id -u)" != 0 ] || [ ! -x /bin/busybox ]; then
  echo "(not root or no /bin/busybox: skipping the container run)"
  exit 0
fi

# A busybox rootfs, and the default spec made non-interactive.
mkdir -p "$bundle/rootfs"/{bin,proc,sys,dev,etc,tmp,root}
cp /bin/busybox "$bundle/rootfs/bin/busybox"
for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$app"; done
echo "root:x:0:0:root:/root:/bin/sh" > "$bundle/rootfs/etc/passwd"
sed -i -e 's/"terminal": true/"terminal": false/' \
  -e 's|^\(\s*\)"sh"$|\1"sh", "-c", "echo id=$(id); echo hostname=$(hostname); echo; mount; echo; grep Cap /proc/self/status"|' \
  "$bundle/config.json"

echo
echo "### runc run $id (busybox)"
"$runc" --root "$root" run --bundle "$bundle" "$id"
