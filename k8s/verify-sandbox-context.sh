#!/usr/bin/env bash
# Runs the render sandbox's test suites (41 escape attempts, Python and TikZ renders) under the
# security context the manifests give SciRay's Ray pods, on this machine, without Kubernetes:
#   uid 1000 / gid 100 (the Ray image's `ray` user), no_new_privs (allowPrivilegeEscalation:
#   false), no capabilities (drop: ALL), a read-only root filesystem, and writable tmpfs only at
#   /tmp and /home/ray/.cache, /home/ray/.config (the pods' emptyDir volumes).
# Not emulated: the container runtime's RuntimeDefault seccomp profile (see k8s/README.md).
# Needs root (for a private mount namespace), unshare and setpriv (util-linux), and a developer
# install (pip install -e ".[test]"). Usage, from anywhere:  sudo bash k8s/verify-sandbox-context.sh
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}
if [ "$(id -u)" -ne 0 ]; then
    echo "run as root: it sets up a private mount namespace, then drops to uid 1000" >&2
    exit 2
fi
if [ "${1:-}" != "--inside" ]; then
    exec unshare --mount --propagation private bash "${BASH_SOURCE[0]}" --inside
fi
PREFIX=$("$PYTHON" -c 'import sys; print(sys.prefix)')
readonly_mounts=(/)
# uid 1000 must be able to read the Python installation, as in the Ray image (/home/ray/anaconda3).
# A Python under root's private home (e.g. pyenv in /root) is made reachable in this namespace only.
if [[ "$PREFIX" == /root/* ]]; then
    top=${PREFIX#/root/}; top=${top%%/*}
    stash=$(mktemp -d)
    mount --bind "/root/$top" "$stash"
    mount -t tmpfs -o mode=755 tmpfs /root
    mkdir "/root/$top"
    mount --bind "$stash" "/root/$top"
    umount "$stash"
    readonly_mounts+=("/root/$top")
fi
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /home
mkdir -p /home/ray/.cache /home/ray/.config
chown -R 1000:100 /home/ray
for m in "${readonly_mounts[@]}"; do
    mount -o remount,bind,ro "$m"
done
cd "$REPO"
exec setpriv --reuid=1000 --regid=100 --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
    env -i HOME=/home/ray PATH="$(dirname "$PYTHON"):/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8 \
    XDG_CACHE_HOME=/home/ray/.cache MPLCONFIGDIR=/home/ray/.config/matplotlib PYTHONDONTWRITEBYTECODE=1 \
    "$PYTHON" -c 'import os, sys, pytest
status = open("/proc/self/status").read()
print("uid", os.getuid(), "gid", os.getgid(), "| NoNewPrivs", status.split("NoNewPrivs:")[1].split()[0],
      "| CapEff", status.split("CapEff:")[1].split()[0], "| root fs writable:", os.access("/", os.W_OK), flush=True)
sys.exit(pytest.main(["-p", "no:cacheprovider", "-q", "-rs", "tests/unit/test_render_hostile.py",
                      "tests/unit/test_render_python.py", "tests/unit/test_render_tikz.py"]))'
