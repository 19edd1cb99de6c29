#!/usr/bin/env bash
# Builds examples/cpp against an installed joule, as a user's project would,
# and the C test program through pkg-config. Usage: PREFIX BUILD_DIR SOURCE_DIR
set -euo pipefail
prefix=$1 build=$2 source=$3
# A user's project only sees the install tree: no joule sources on any path.
cmake -S "$source/examples/cpp" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$prefix"
cmake --build "$build" -j2
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pkg-config --exists --print-errors joule
# shellcheck disable=SC2046  # pkg-config's words are meant to split
cc -std=c11 -Wall -Wextra -pedantic -Werror -o "$build/c_api_program" \
  "$source/tests/c/c_api_program.c" $(pkg-config --cflags --libs joule) \
  -Wl,-rpath,"$(pkg-config --variable=libdir joule)"
echo "examples built in $build"
