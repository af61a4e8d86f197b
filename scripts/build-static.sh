#!/usr/bin/env bash
# Builds the recotap-mock binary statically linked, in release mode, and prints its path on the
# last line of stdout (cargo's output goes to stderr). The container image's build stage, CI
# (.ci/image, .ci/node through scripts/npm-pack.sh) and the npm platform package all take the
# binary from here.
#
# Static with glibc (`-C target-feature=+crt-static` on the host's *-linux-gnu target): a musl
# target's standard library cannot be installed on machines that reach only crates.io, PyPI,
# npm and Debian packages. Such a binary needs no loader and no shared library, so it runs in
# an empty image (FROM scratch) and on musl systems; it binds IP addresses without any lookup,
# but a host *name* (`--host localhost`) would need glibc's resolver plugins at run time: give
# the binary addresses.
#
# Built once per source change: the output lives in target/<triple>/release/ (a directory of
# its own, apart from `cargo build --release`, since the flags differ), so a second call, from
# .ci/image after .ci/node or the reverse, is cargo's no-op check (about a second).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"

host="$(rustc -vV | sed -n 's/^host: //p')"
case "$host" in
  *-linux-gnu) ;;
  *) echo "build-static: builds on a *-linux-gnu host only (this one is $host)" >&2; exit 1 ;;
esac

# --target keeps the flag off build scripts and proc macros, which must stay dynamic; symbols
# are stripped (a smaller binary and package; panic messages stay).
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
  cargo build --release --locked -p recotap-mock-cli --target "$host" \
  --config 'profile.release.strip="symbols"' >&2

binary="${CARGO_TARGET_DIR:-$repo/target}/$host/release/recotap-mock"
# Proof of "static": no program interpreter and no shared library needed.
if readelf -l "$binary" | grep -q 'program interpreter' || readelf -d "$binary" | grep -q '(NEEDED)'; then
  echo "build-static: $binary is dynamically linked:" >&2
  readelf -d "$binary" | grep '(NEEDED)' >&2 || true
  exit 1
fi
echo "$binary"
