#!/usr/bin/env bash
# Builds the release binary (statically linked, scripts/build-static.sh), copies it into the
# platform package (npm/linux-x64/bin/recotap-mock, not kept in git), and writes both packages'
# `npm pack` tarballs into DIR. Prints the tarballs' paths, main package last.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -ne 1 ]; then
  echo "usage: scripts/npm-pack.sh DIR" >&2
  exit 2
fi
mkdir -p "$1"
out="$(cd "$1" && pwd)"

# The platform package holds a linux-x64 binary: it is built for the host, so the host must be that.
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "npm-pack: the linux-x64 package is built on Linux x86_64 only (this is $(uname -s)-$(uname -m))" >&2
  exit 1
fi

# One version everywhere: the binary's (cli/Cargo.toml), both packages', and the exact one the
# main package asks of the platform package.
crate_version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/cli/Cargo.toml" | head -n 1)"
main_version="$(node -p "require('$repo/npm/recotap-mock/package.json').version")"
platform_version="$(node -p "require('$repo/npm/linux-x64/package.json').version")"
wanted="$(node -p "require('$repo/npm/recotap-mock/package.json').optionalDependencies['@recotap-mock/linux-x64']")"
if [ "$crate_version $crate_version $crate_version" != "$main_version $platform_version $wanted" ]; then
  echo "npm-pack: versions disagree: binary $crate_version, recotap-mock $main_version," \
       "@recotap-mock/linux-x64 $platform_version, wanted by recotap-mock $wanted" >&2
  exit 1
fi

binary="$("$repo/scripts/build-static.sh" | tail -n 1)"
mkdir -p "$repo/npm/linux-x64/bin"
install -m 0755 "$binary" "$repo/npm/linux-x64/bin/recotap-mock"

for package in linux-x64 recotap-mock; do
  name="$(cd "$repo/npm/$package" && npm pack --silent --pack-destination "$out")"
  echo "$out/$name"
done
