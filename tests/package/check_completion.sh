#!/usr/bin/env bash
# The generated bash completion, driven as bash would drive it: every
# subcommand `joule --help` lists is offered after `joule `, nested ones after
# `joule ledger `, and a subcommand's options after a dash.
#   check_completion.sh JOULE COMPLETION_FILE
set -uo pipefail
joule=$1 completion=$2
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

if [[ -f /usr/share/bash-completion/bash_completion ]]; then
  # shellcheck disable=SC1091
  source /usr/share/bash-completion/bash_completion
else
  fail "bash-completion is not installed (scripts/install-deps.sh installs it)"
fi
# shellcheck disable=SC1090
source "$completion"
# compopt works only inside a completion bash itself started; here _joule is
# called directly.
compopt() { :; }

# What bash offers for a command line whose last word is being typed.
complete_line() {
  COMP_LINE=$1
  read -ra COMP_WORDS <<<"$1"
  [[ $1 == *" " ]] && COMP_WORDS+=("")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _joule joule "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}"
}

# The subcommands as the help lists them: indented names under "Subcommands:".
listed() { "$joule" "$@" --help | sed -n '/^Subcommands:$/,/^$/p' | sed -n 's/^  \([a-z][a-z0-9-]*\) .*/\1/p'; }

expect_all() {  # line, names...
  local line=$1 offered
  shift
  offered=$(complete_line "$line")
  for name in "$@"; do
    grep -qxF -- "$name" <<<"$offered" || fail "'$line<TAB>' does not offer $name; offers: $(tr '\n' ' ' <<<"$offered")"
  done
  echo "'$line<TAB>' offers all of: $*"
}

mapfile -t commands < <(listed)
((${#commands[@]} >= 10)) || fail "found only ${#commands[@]} subcommands in joule --help"
expect_all "joule " "${commands[@]}"
mapfile -t ledger < <(listed ledger)
expect_all "joule ledger " "${ledger[@]}"
expect_all "joule carbon --co" --country
expect_all "joule ledger prune --b" --before
expect_all "joule run --unit image --" --json --csv --country
offered=$(complete_line "joule sen")
[[ $offered == sensors ]] || fail "'joule sen<TAB>' offers '$offered', expected only sensors"
echo "'joule sen<TAB>' completes to sensors"
# After `--`, the rest of the line is the measured command's.
expect_all "joule run --unit image -- bas" bash
