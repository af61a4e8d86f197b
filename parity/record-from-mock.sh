#!/usr/bin/env bash
# Records parity/documented/ and parity/sandbox/ again from a freshly built recotap-mock: for
# each profile, a binary of that profile is the target of `recotap-mock parity --record`.
# There is no live capture yet, and each file's recordedFrom says so. Review the diff before
# committing: every changed line is a change of the emulator's behaviour (docs/parity.md).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build -q -p recotap-mock-cli
bin="${CARGO_TARGET_DIR:-target}/debug/recotap-mock"
key="parity-recording-key"
work="$(mktemp -d)"
mock=""
trap '[ -n "$mock" ] && kill "$mock" 2> /dev/null; rm -rf "$work"' EXIT

for profile in documented sandbox; do
    "$bin" --port 0 --profile "$profile" --api-key "$key" > "$work/$profile.out" 2> /dev/null &
    mock=$!
    until grep -q listening "$work/$profile.out"; do sleep 0.1; done
    url="$(grep -o 'http://[^ ]*' "$work/$profile.out")"
    rm -rf "parity/$profile"
    RECOTAP_PARITY_API_KEY="$key" "$bin" parity --target "$url" --profile "$profile" \
        --record "parity/$profile" --recorded-from "recotap-mock $profile (no live capture yet)"
    kill "$mock" && wait "$mock" || true
    mock=""
done
