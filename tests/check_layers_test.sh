#!/usr/bin/env bash
# scripts/check-layers can fail: on a copy of the tree with one include
# pointing up (the engine including the HTTP API), one YAML include outside
# app/ and one JSON include in a core header, it must exit 1 and name each.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
copy=$(mktemp -d /tmp/check-layers.XXXXXX)
trap 'rm -rf "$copy"' EXIT
cp -r "$root/src" "$root/app" "$copy/"
python3 "$root/scripts/check-layers" "$copy" > /dev/null  # the copy starts clean
echo '#include "http/api.h"' >> "$copy/src/engine/engine.cc"
echo '#include <yaml-cpp/yaml.h>' >> "$copy/src/triage/rules.cc"
echo '#include <nlohmann/json.hpp>' >> "$copy/src/core/ticket.h"
if out=$(python3 "$root/scripts/check-layers" "$copy"); then
  echo "check-layers passed a tree with wrong includes:"; echo "$out"; exit 1
fi
echo "$out"
grep -q "src/engine/engine.cc:.*'engine' includes 'http/api.h' from 'http', a layer above it" <<< "$out"
grep -q "src/triage/rules.cc:.*YAML is read in app/ only" <<< "$out"
grep -q "src/core/ticket.h:.*a public header of 'core' includes nlohmann/json.hpp" <<< "$out"
echo "check-layers refused all three"
