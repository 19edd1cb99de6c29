#!/usr/bin/env bash
# Installs every build and test dependency of joule from Debian's archive.
# Idempotent: when everything is already installed it touches nothing, so both
# README commands can call it on every run.
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config make
  # libraries (DEVELOPERS.md lists the allowed set)
  libfmt-dev libcli11-dev nlohmann-json3-dev libsqlite3-dev libtomlplusplus-dev
  libcpp-httplib-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # run-time facts joule reads: the tz database's zone-to-country table
  tzdata
  # used by the tests (ledger inspection) and the demo
  sqlite3 procps
  # the embedding API: Python module, LibTorch and PyTorch examples, their data
  pybind11-dev python3-dev python3-numpy python3-torch libtorch-dev zlib1g-dev
  libopenblas0-openmp dataset-fashion-mnist
  # joule bench: Jane Austen's novels for the character-level task
  r-cran-janeaustenr
  # joule label --png, and the tests that look at the HTML reports headless
  chromium
  # joule serve: the Prometheus its integration test scrapes with (and promtool,
  # which tests the recording rules); OpenSSL for TLS (and the test's
  # certificate), libcrypt for bcrypt basic auth
  prometheus libssl-dev openssl libcrypt-dev
  # the team ledger: libpq to build, a PostgreSQL server the ledger tests start
  # themselves (initdb + pg_ctl in a temporary directory, as nobody under root)
  libpq-dev postgresql-15
  # the Debian package (cpack -G DEB, tests/package): dpkg-shlibdeps and file
  # to declare its dependencies, help2man for the man page, bash-completion
  # to test the completion, lintian to check the package
  dpkg-dev file help2man bash-completion lintian
  # fuzzing: scripts/test.sh builds the libFuzzer targets (fuzz preset) with
  # clang 14, whose libFuzzer and sanitizer runtimes are in libclang-rt-14-dev
  clang-14 libclang-rt-14-dev
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
