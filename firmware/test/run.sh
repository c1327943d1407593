#!/bin/sh
# Host checks of the camera firmware, for machines without Deno (CI runs the same steps from
# tests/firmware_test.ts; keep the flags in step with it):
#   1. logic unit tests (trustcam_logic.*), built with g++ and run;
#   2. compile check of the whole sketch against each stub set (core1: arduino-esp32 1.0.4 and
#      its 2019 camera driver; core2: arduino-esp32 2.0.x and esp32-camera 2.0.x; both with the
#      kmwebnet WebSockets_Generic fork), as gnu++11 and gnu++17;
#   3. link against each set's definitions and run every simulation scenario ("failover" in a
#      build with a fallback hub in HUB_FALLBACKS).
# Builds into a temp dir; the sketch is copied without config.h, so config.example.h is used.
# Usage: firmware/test/run.sh   (CXX=clang++ to try another compiler)
set -eu

CXX=${CXX:-g++}
here=$(cd "$(dirname "$0")" && pwd)
sketch_src="$here/../trustcam_camera"
stubs="$here/stubs"
sets="core1 core2"
scenarios="main heartbeat blocking nopsram"
warnings="-Wall -Wextra -Werror -Wno-error=cpp"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trustcam_fw_XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

mkdir "$tmp/sketch"
for f in "$sketch_src"/*; do
  [ "$(basename "$f")" = config.h ] && continue
  cp "$f" "$tmp/sketch/"
done
sketch="$tmp/sketch"
# The failover scenario needs a fallback hub: the same sketch with hub B in HUB_FALLBACKS.
mkdir "$tmp/failover"
cp "$sketch"/* "$tmp/failover/"
sed 's|^#define HUB_FALLBACKS ""$|#define HUB_FALLBACKS "hub-b.example.com:5001"|' \
  "$sketch/config.example.h" >"$tmp/failover/config.example.h"
grep -q '^#define HUB_FALLBACKS "hub-b' "$tmp/failover/config.example.h"

echo "== logic unit tests"
# shellcheck disable=SC2086
$CXX -std=gnu++11 -Wall -Wextra -Werror -I "$sketch" \
  "$here/logic_test.cpp" "$sketch/trustcam_logic.cpp" -o "$tmp/logic_test"
"$tmp/logic_test"

echo "== compile check"
for set in $sets; do
  for std in gnu++11 gnu++17; do
    # shellcheck disable=SC2086
    $CXX -std=$std $warnings -fsyntax-only -I "$stubs/$set" -I "$stubs/libs" -I "$sketch" \
      -include Arduino.h -x c++ "$sketch/trustcam_camera.ino"
    echo "sketch compiles against $set as $std"
  done
done

echo "== wrong library refused"
# shellcheck disable=SC2086
if $CXX -std=gnu++11 -fsyntax-only -I "$stubs/wrong_lib" -I "$stubs/core1" -I "$stubs/libs" \
  -I "$sketch" -include Arduino.h -x c++ "$sketch/trustcam_camera.ino" 2>"$tmp/wrong.txt"; then
  echo "the sketch compiled with khoih-prog's WebSockets_Generic" >&2
  exit 1
fi
grep -q '#error "Wrong WebSockets_Generic' "$tmp/wrong.txt"
echo "khoih-prog's WebSockets_Generic fails with the sketch's #error"

echo "== link + host simulation"
for set in $sets; do
  inc="-I $stubs/$set -I $stubs/libs -I $sketch"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -include Arduino.h -x c++ -c "$sketch/trustcam_camera.ino" \
    -o "$tmp/sketch.o"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -c "$sketch/trustcam_logic.cpp" -o "$tmp/logic.o"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -c "$here/sketch_sim.cpp" -o "$tmp/sim.o"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -c "$here/sim_fakes.cpp" -o "$tmp/fakes.o"
  $CXX "$tmp/sketch.o" "$tmp/logic.o" "$tmp/sim.o" "$tmp/fakes.o" -o "$tmp/sim"
  for scenario in $scenarios; do
    printf '%s: ' "$set"
    "$tmp/sim" "$scenario"
  done
  inc="-I $stubs/$set -I $stubs/libs -I $tmp/failover"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -include Arduino.h -x c++ -c "$tmp/failover/trustcam_camera.ino" \
    -o "$tmp/sketch.o"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -c "$here/sketch_sim.cpp" -o "$tmp/sim.o"
  # shellcheck disable=SC2086
  $CXX -std=gnu++11 $warnings $inc -c "$here/sim_fakes.cpp" -o "$tmp/fakes.o"
  $CXX "$tmp/sketch.o" "$tmp/logic.o" "$tmp/sim.o" "$tmp/fakes.o" -o "$tmp/sim"
  printf '%s: ' "$set"
  "$tmp/sim" failover
done
