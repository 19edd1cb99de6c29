#!/usr/bin/env bash
# `cmake --install` as a user runs it, staged with DESTDIR: the Python package
# must land where Debian's python3 looks for that prefix (lib/python3.X under
# /usr/local), and import from there with the installed libjoule; the man page
# and the bash completion are installed too.
#   check_install.sh BUILD_DIR PREFIX PYTHON_DIR HAS_PYTHON HAS_MAN
# PYTHON_DIR: the package's directory below PREFIX, as configured.
set -euo pipefail
build=$1 prefix=$2 python_dir=$3 has_python=$4 has_man=$5

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

DESTDIR=$work/stage cmake --install "$build" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install"; }
staged=$work/stage$prefix
for path in bin/joule include/joule/joule.h share/bash-completion/completions/joule; do
  [[ -e $staged/$path ]] || fail "$prefix/$path not installed"
done
if ((has_man)); then
  [[ -f $staged/share/man/man1/joule.1.gz ]] || fail "$prefix/share/man/man1/joule.1.gz not installed"
fi
# The .deb's own files stay out of a plain install.
[[ ! -e $staged/share/lintian ]] || fail "lintian overrides installed outside the package"

if ((!has_python)); then
  echo "check_install: no Python module in this build, its place not checked"
  exit 0
fi
site=$staged/$python_dir
[[ -f $site/joule/__init__.py ]] || fail "the Python package is not in $prefix/$python_dir: $(cd "$staged" && find . -name __init__.py)"
echo "Python package installed in $prefix/$python_dir"
# Where Debian's python3 looks, for the prefixes it knows.
case $prefix in
  /usr | /usr/local)
    /usr/bin/python3 -c 'import sys; sys.exit(sys.argv[1] not in sys.path)' "$prefix/$python_dir" ||
      fail "$prefix/$python_dir is not on /usr/bin/python3's sys.path: $(/usr/bin/python3 -c 'import sys; print(sys.path)')"
    echo "$prefix/$python_dir is on /usr/bin/python3's sys.path"
    ;;
  *) echo "prefix $prefix is not one python3 searches: PYTHONPATH=$prefix/$python_dir is needed" ;;
esac
# The extension finds the installed libjoule by its RPATH, with no LD_LIBRARY_PATH.
PYTHONPATH=$site /usr/bin/python3 - "$staged" <<'PY' || fail "import joule from the install"
import sys
staged = sys.argv[1]
import joule
assert joule.__file__.startswith(staged), joule.__file__
libjoule = {line.split()[-1] for line in open("/proc/self/maps") if "libjoule.so" in line}
assert libjoule and all(path.startswith(staged) for path in libjoule), f"libjoule loaded from {libjoule}"
print(f"import joule: {joule.__file__}")
PY
