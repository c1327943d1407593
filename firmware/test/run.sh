#!/bin/sh
# Host checks of the camera firmware, for machines without Deno (CI runs the same steps from
# tests/firmware_test.ts; keep the flags in step with it):
#   1. logic unit tests (trustcam_logic.*), built with g++ and run;
#   2. compile check of the whole sketch against the stub headers, as gnu++11 and gnu++17;
#   3. link against the stubs' definitions and run the host simulation.
# Builds into a temp dir; the sketch is copied without config.h, so config.example.h is used.
# Usage: firmware/test/run.sh   (CXX=clang++ to try another compiler)
set -eu

CXX=${CXX:-g++}
here=$(cd "$(dirname "$0")" && pwd)
sketch_src="$here/../trustcam_camera"
stubs="$here/stubs"
warnings="-Wall -Wextra -Werror -Wno-error=cpp"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/trustcam_fw_XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

mkdir "$tmp/sketch"
for f in "$sketch_src"/*; do
  [ "$(basename "$f")" = config.h ] && continue
  cp "$f" "$tmp/sketch/"
done
sketch="$tmp/sketch"

echo "== logic unit tests"
# shellcheck disable=SC2086
$CXX -std=gnu++11 -Wall -Wextra -Werror -I "$sketch" \
  "$here/logic_test.cpp" "$sketch/trustcam_logic.cpp" -o "$tmp/logic_test"
"$tmp/logic_test"

echo "== compile check"
for std in gnu++11 gnu++17; do
  # shellcheck disable=SC2086
  $CXX -std=$std $warnings -fsyntax-only -I "$stubs" -I "$sketch" -include Arduino.h \
    -x c++ "$sketch/trustcam_camera.ino"
  echo "sketch compiles as $std"
done

echo "== link + host simulation"
# shellcheck disable=SC2086
$CXX -std=gnu++11 $warnings -I "$stubs" -I "$sketch" -include Arduino.h -x c++ \
  -c "$sketch/trustcam_camera.ino" -o "$tmp/sketch.o"
# shellcheck disable=SC2086
$CXX -std=gnu++11 $warnings -I "$stubs" -I "$sketch" -c "$sketch/trustcam_logic.cpp" \
  -o "$tmp/logic.o"
# shellcheck disable=SC2086
$CXX -std=gnu++11 $warnings -I "$stubs" -I "$sketch" -c "$here/sketch_sim.cpp" -o "$tmp/sim.o"
$CXX "$tmp/sketch.o" "$tmp/logic.o" "$tmp/sim.o" -o "$tmp/sim"
"$tmp/sim"
