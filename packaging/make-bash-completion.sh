#!/usr/bin/env bash
# Writes joule's bash completion from the help joule prints, so that it never
# drifts from the subcommands and options the binary has (CLI11 has no
# completion generator). Run at build time by cmake/JoulePackage.cmake:
#   make-bash-completion.sh JOULE OUTPUT
# A subcommand whose --help fails (`joule bench` without joule-bench) gets its
# name completed but no options.
set -euo pipefail
joule=$1
output=$2

# The names listed under "Subcommands:" in a help text.
subcommands_of() {
  awk '/^Subcommands:$/ { inside = 1; next }
       inside && /^$/   { inside = 0 }
       inside && /^  [^ ]/ { print $1 }'
}

# Every long or short option a help text lists ("  -h,--help ...", "    --country TEXT").
options_of() {
  awk '/^ +-/ { n = split($1, names, ","); for (i = 1; i <= n; i++) if (names[i] ~ /^-/) print names[i] }' |
    sort -u | paste -s -d ' '
}

help_of() { "$joule" "$@" --help 2>/dev/null || true; }

top_help=$(help_of)
mapfile -t commands < <(subcommands_of <<<"$top_help")
if ((${#commands[@]} == 0)); then
  echo "make-bash-completion.sh: no subcommands in '$joule --help'" >&2
  exit 1
fi

options_cases=()
nested_cases=()
add_options() {  # path (words joined by spaces), help text
  options_cases+=("    \"$1\") echo '$(options_of <<<"$2")' ;;")
}
add_options "" "$top_help"
for command in "${commands[@]}"; do
  help=$(help_of "$command")
  add_options "$command" "$help"
  mapfile -t nested < <(subcommands_of <<<"$help")
  ((${#nested[@]} == 0)) && continue
  nested_cases+=("    $command) echo '${nested[*]}' ;;")
  for sub in "${nested[@]}"; do
    add_options "$command $sub" "$(help_of "$command" "$sub")"
  done
done

temporary=$(mktemp "$output.XXXXXX")
trap 'rm -f "$temporary"' EXIT
{
  cat <<EOF
# bash completion for joule: generated from \`joule --help\` and each
# subcommand's --help by packaging/make-bash-completion.sh. Do not edit.

_joule_subcommands() {
  case "\$1" in
    "") echo '${commands[*]}' ;;
$(printf '%s\n' "${nested_cases[@]}")
  esac
}

_joule_options() {
  case "\$1" in
$(printf '%s\n' "${options_cases[@]}")
  esac
}
EOF
  cat <<'EOF'

_joule() {
  local cur prev words cword
  _init_completion || return
  # The subcommand path typed so far ("", "ledger", "ledger prune"); after
  # `joule run ... --` the rest of the line is another command's.
  local path="" i word
  for ((i = 1; i < cword; i++)); do
    word=${words[i]}
    if [[ $word == -- ]]; then
      _command_offset $((i + 1))
      return
    fi
    [[ $word == -* ]] && continue
    if [[ " $(_joule_subcommands "$path") " == *" $word "* ]]; then
      path=${path:+$path }$word
    fi
  done
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_joule_options "$path")" -- "$cur")
    return
  fi
  local subcommands
  subcommands=$(_joule_subcommands "$path")
  if [[ -n $subcommands ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subcommands" -- "$cur")
    return
  fi
  _filedir
}
complete -F _joule joule
EOF
} >"$temporary"
chmod 644 "$temporary"
mv "$temporary" "$output"
trap - EXIT
