#!/usr/bin/env bash
# Proves the README's quick start on a bare Debian 12: builds a debootstrap chroot holding only
# g++, make, cmake, python3 and git (plus this machine's Node 20 binary and npm), copies the
# repository's HEAD into it (git archive), runs `npm install && npm run train` there as root, and
# prints the training speed (samples/s), then what `snntorch-node doctor` says. Nothing else is
# installed by hand: LibTorch and its BLAS come from the install step. Slow (minutes, downloads LibTorch); not part of npm test or CI.
#
#   sudo bash scripts/fresh-machine-check.sh [--keep] [--reuse] [--dir DIR] [--rev REV] [-- train options]
#
#   --dir DIR   where the chroot lives (default /var/tmp/snntorch-fresh-debian12)
#   --reuse     reuse a bare chroot made by an earlier run (a pristine copy is kept as DIR.base.tar)
#   --keep      leave the chroot in place afterwards (default: removed)
#   --rev REV   the commit to test (default HEAD)
#   anything after -- goes to `npm run train --` (e.g. -- --epochs 1)
# The Debian mirror is the one this machine's apt uses (/etc/apt/sources.list*); the chroot gets this
# machine's resolv.conf and its local CA certificates (/usr/local/share/ca-certificates, for networks
# that intercept TLS), nothing else. Needs root.
set -euo pipefail

DIR=/var/tmp/snntorch-fresh-debian12
KEEP=0
REUSE=0
REV=HEAD
TRAIN_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=1; shift ;;
    --rev) REV="$2"; shift 2 ;;
    --) shift; TRAIN_ARGS=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "fresh-machine-check: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "fresh-machine-check: run as root (debootstrap and chroot need it)" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
BASE_TAR="$DIR.base.tar"

# The mirror apt uses here: the first URIs:/deb line naming a Debian archive (not -security).
mirror() {
  local m
  m=$(grep -hE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$m" ] || m=$(grep -hE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

mounted=()
cleanup() {
  set +e
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null; done
  if [ "$KEEP" = 0 ] && [ -d "$DIR" ]; then rm -rf --one-file-system "$DIR"; fi
}
trap cleanup EXIT

if [ "$REUSE" = 1 ] && [ -f "$BASE_TAR" ]; then
  echo "== reusing the bare chroot in $BASE_TAR"
  rm -rf --one-file-system "$DIR" && mkdir -p "$DIR" && tar -C "$DIR" -xf "$BASE_TAR"
else
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }
  MIRROR=$(mirror)
  echo "== debootstrap bookworm from $MIRROR into $DIR (g++ make cmake python3 git)"
  rm -rf --one-file-system "$DIR"
  debootstrap --variant=minbase --include=g++,make,cmake,python3,git,ca-certificates bookworm "$DIR" "$MIRROR" >"$DIR.debootstrap.log" 2>&1 ||
    { tail -20 "$DIR.debootstrap.log"; echo "fresh-machine-check: debootstrap failed (log: $DIR.debootstrap.log)" >&2; exit 1; }
  echo "deb $MIRROR bookworm main" >"$DIR/etc/apt/sources.list"
  tar -C "$DIR" -cf "$BASE_TAR" .
fi

echo "== Node $(node --version) and npm $(npm --version) from this machine"
NODE_BIN=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
install -m 0755 "$NODE_BIN" "$DIR/usr/local/bin/node"
mkdir -p "$DIR/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$DIR/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$DIR/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$DIR/usr/local/bin/npx"

echo "== the repository at $REV ($(git -C "$REPO" rev-parse --short "$REV")) into /root/snntorch-node"
mkdir -p "$DIR/root/snntorch-node"
git -C "$REPO" archive "$REV" | tar -C "$DIR/root/snntorch-node" -x

cp -L /etc/resolv.conf "$DIR/etc/resolv.conf"
CA_ENV=()
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$DIR/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$DIR/usr/local/share/ca-certificates/"
  chroot "$DIR" update-ca-certificates >/dev/null 2>&1 || echo "fresh-machine-check: warning: update-ca-certificates failed in the chroot" >&2
  # Node trusts only its own CA list unless told otherwise.
  CA_ENV=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
for m in proc sys dev dev/pts; do
  mkdir -p "$DIR/$m"
  case $m in
    proc) mount -t proc proc "$DIR/proc" ;;
    sys) mount --rbind /sys "$DIR/sys" ;;
    dev) mount --rbind /dev "$DIR/dev" ;;
    dev/pts) continue ;;
  esac
  mounted+=("$DIR/$m")
done

LOG="$DIR.train.log"
echo "== npm install && npm run train (log: $LOG)"
set +e
chroot "$DIR" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive "${CA_ENV[@]}" bash -c \
  'cd /root/snntorch-node && npm install --no-audit --no-fund && npm run train -- --report none --no-progress "$@" && { node bin/snntorch-node.mjs doctor || true; }' \
  bash "${TRAIN_ARGS[@]}" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e
echo "== exit code $rc"
grep -E 'BLAS|samples/s\)|accuracy on the test set|^OK$|^FAILED' "$LOG" | sed 's/^/   /' || true
[ "$rc" = 0 ] || exit "$rc"
