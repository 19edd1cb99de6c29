#!/usr/bin/env bash
# The Debian package as a user gets it: build it with cpack from the build
# tree, check its control fields and contents, run lintian on it, unpack it
# into a temporary root and run joule, joule-bench and `import joule` from
# there.
#   check_deb.sh BUILD_DIR VERSION HAS_BENCH HAS_PYTHON HAS_MAN C_COMPILER
# HAS_*: 1 or 0, whether this build made that part; a part the build left out
# is not looked for, and the test says so.
set -euo pipefail
build=$1 version=$2 has_bench=$3 has_python=$4 has_man=$5 c_compiler=$6

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

left_out=()
((has_bench)) || left_out+=("joule-bench (configured with JOULE_BUILD_BENCH=OFF)")
((has_python)) || left_out+=("the Python module (JOULE_BUILD_PYTHON=OFF, or no python3-dev/pybind11-dev)")
((has_man)) || left_out+=("the man page (help2man not found)")
for part in "${left_out[@]}"; do echo "check_deb: not in this build, not checked: $part"; done

echo "== cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$work/out/joule_${version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || fail "cpack made no $deb: $(ls "$work/out")"

echo "== dpkg-deb -I"
dpkg-deb -I "$deb" | tee "$work/info"
field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == joule ]] || fail "Package is '$(field Package)', expected joule"
[[ $(field Version) == "$version" ]] || fail "Version is '$(field Version)', expected $version"
depends=$(field Depends)
# Declared by dpkg-shlibdeps from what the binaries link, not written by hand.
for library in libc6 libstdc++6; do
  [[ $depends == *"$library ("* ]] || fail "Depends lacks $library: $depends"
done
if ((has_python)); then
  [[ $depends == *"python3 (>= "* ]] || fail "Depends lacks python3: $depends"
fi
grep -q "activate-noawait ldconfig" < <(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./triggers) ||
  fail "no ldconfig trigger"

echo "== dpkg-deb -c"
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$work/contents"
expected=(/usr/bin/joule /usr/lib/libjoule.so.0 /usr/lib/libjoule.so /usr/include/joule/joule.h
  /usr/include/joule/scope.hpp /usr/include/joule/version.h /usr/lib/cmake/joule/jouleConfig.cmake
  /usr/lib/cmake/joule/jouleTargets.cmake /usr/lib/pkgconfig/joule.pc
  /usr/share/bash-completion/completions/joule /usr/share/doc/joule/copyright
  /usr/share/doc/joule/changelog.gz /usr/share/lintian/overrides/joule)
((has_man)) && expected+=(/usr/share/man/man1/joule.1.gz)
((has_bench)) && expected+=(/usr/libexec/joule/joule-bench)
((has_python)) && expected+=(/usr/lib/python3/dist-packages/joule/__init__.py
  /usr/lib/python3/dist-packages/joule/_joule.pyi /usr/lib/python3/dist-packages/joule/py.typed)
for path in "${expected[@]}"; do
  grep -qxF "$path" "$work/contents" || fail "$path is not in the package"
done
if ((has_python)); then
  grep -qE '^/usr/lib/python3/dist-packages/joule/_joule\.cpython-.*\.so$' "$work/contents" ||
    fail "the Python extension is not in /usr/lib/python3/dist-packages/joule"
  # /usr/local's place (lib/python3.X) must not leak into the package.
  ! grep -qE '^/usr/lib/python3\.[0-9]+/' "$work/contents" || fail "a python3.X directory in the package"
fi
echo "$(grep -vc '/$' "$work/contents") files, every expected one present"

echo "== lintian"
# Fails on any error or warning not overridden (packaging/lintian-overrides
# says why for each).
lintian_status=0
lintian --fail-on error,warning "$deb" >"$work/lintian" 2>&1 || lintian_status=$?
grep -v 'running with root privileges' "$work/lintian" || true
((lintian_status == 0)) || fail "lintian reports errors or warnings (exit $lintian_status)"
echo "lintian: no error or warning"

echo "== dpkg -x, then run from the unpacked root"
root=$work/root
dpkg -x "$deb" "$root"
# joule links the layers statically; libjoule is for the Python module and
# outside programs. The sensors found depend on the machine: any answer with
# its backends table will do.
"$root/usr/bin/joule" --version | grep -qxF "joule $version" || fail "joule --version"
"$root/usr/bin/joule" sensors >"$work/sensors" 2>&1 || { cat "$work/sensors"; fail "joule sensors failed"; }
grep -q '^BACKENDS' "$work/sensors" || fail "joule sensors printed no backends: $(cat "$work/sensors")"
echo "joule sensors: $(head -1 "$work/sensors")"
if ((has_bench)); then
  # joule finds joule-bench in ../libexec/joule from its own place.
  env -u JOULE_BENCH "$root/usr/bin/joule" bench --help >"$work/bench" 2>&1 ||
    { cat "$work/bench"; fail "joule bench --help from the package"; }
  echo "joule bench --help: ran $root/usr/libexec/joule/joule-bench"
fi
# A C program built against the unpacked headers and libjoule through the
# package's joule.pc, which finds its prefix from its own place.
printf '#include <joule/joule.h>\n#include <stdio.h>\nint main(void) { puts(joule_version_string()); return 0; }\n' \
  >"$work/version.c"
read -ra pc_flags < <(PKG_CONFIG_PATH=$root/usr/lib/pkgconfig pkg-config --cflags --libs joule)
[[ " ${pc_flags[*]} " == *" -I$root/usr/"* ]] || fail "joule.pc does not point into the root: ${pc_flags[*]}"
"$c_compiler" "$work/version.c" "${pc_flags[@]}" -o "$work/version" || fail "building against the package"
[[ $(LD_LIBRARY_PATH=$root/usr/lib "$work/version") == "$version" ]] || fail "joule_version_string()"
echo "a C program built with pkg-config joule runs: libjoule $version"
if ((has_python)); then
  # Debian's python3; the extension finds libjoule through its RPATH
  # ($ORIGIN/../../..), so no LD_LIBRARY_PATH: the check below proves the
  # unpacked libjoule is the one loaded.
  PYTHONPATH=$root/usr/lib/python3/dist-packages /usr/bin/python3 - "$root" <<'EOF' || fail "import joule"
import sys
root = sys.argv[1]
import joule
assert joule.__file__.startswith(root), f"joule imported from {joule.__file__}, not {root}"
libjoule = {line.split()[-1] for line in open("/proc/self/maps") if "libjoule.so" in line}
assert libjoule and all(path.startswith(root) for path in libjoule), f"libjoule loaded from {libjoule}"
print(f"import joule: {joule.__file__}, libjoule from the package")
EOF
fi
echo "check_deb: the package is complete, lintian-clean, and runs from $root"
