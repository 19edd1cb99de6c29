# What a user installs besides the binaries, and the Debian package:
# - the man page (help2man, from `joule --help`) and the bash completion (from
#   every subcommand's --help), generated at build time so they never drift
#   from the binary, and installed by `cmake --install` too;
# - `cpack -G DEB` in the build tree: joule_<version>_<arch>.deb with the
#   dependencies dpkg-shlibdeps reads from what the binaries link, the Python
#   package in /usr/lib/python3/dist-packages (python/CMakeLists.txt), and the
#   files Debian asks of a package (copyright, changelog, lintian overrides).
# Included from the top CMakeLists after every install rule (CPack collects
# the components declared so far). docs/install.md describes the result.
include(GNUInstallDirs)
set(packaging_dir ${PROJECT_SOURCE_DIR}/packaging)
set(generated_dir ${PROJECT_BINARY_DIR}/packaging)
# cpack stages the install with this umask-independent mode (lintian checks it).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# --- Man page and bash completion ------------------------------------------
set(completion_file ${generated_dir}/bash-completion/joule)
set(manual_outputs ${completion_file})
# `joule bench --help` is joule-bench's: with it built, its options are completed.
set(manual_tools joule)
if(TARGET joule-bench)
  list(APPEND manual_tools joule-bench)
endif()
add_custom_command(OUTPUT ${completion_file}
  COMMAND bash ${packaging_dir}/make-bash-completion.sh $<TARGET_FILE:joule> ${completion_file}
  DEPENDS ${manual_tools} ${packaging_dir}/make-bash-completion.sh
  COMMENT "Generating joule's bash completion from its --help")
install(FILES ${completion_file} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

find_program(JOULE_HELP2MAN help2man)
if(JOULE_HELP2MAN)
  set(man_page ${generated_dir}/man/joule.1)
  add_custom_command(OUTPUT ${man_page}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${generated_dir}/man
    COMMAND ${JOULE_HELP2MAN} --no-info --no-discard-stderr --section 1
            --name "energy and carbon accounting for deep learning"
            --include ${packaging_dir}/joule.h2m --output ${man_page} $<TARGET_FILE:joule>
    # -n: no time stamp in the archive, so the package is reproducible.
    COMMAND gzip -n -9 -f ${man_page}
    DEPENDS joule ${packaging_dir}/joule.h2m
    COMMENT "Generating joule(1) from joule --help")
  list(APPEND manual_outputs ${man_page}.gz)
  install(FILES ${man_page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  set(JOULE_MAN_PAGE ON)
else()
  message(WARNING "joule: no man page: help2man not found (scripts/install-deps.sh installs it)")
  set(JOULE_MAN_PAGE OFF)
endif()
add_custom_target(joule_manual ALL DEPENDS ${manual_outputs})

# --- Files only the .deb carries -------------------------------------------
set(CPACK_PACKAGE_CONTACT "joule maintainers <maintainers@users.noreply.r-seed-5c4281a6.example>"
    CACHE STRING "The .deb's Maintainer field")
# The changelog's date honours SOURCE_DATE_EPOCH, like help2man's; the day only, so that
# reconfiguring does not rebuild the changelog each time.
string(TIMESTAMP joule_changelog_date "%a, %d %b %Y 00:00:00 +0000" UTC)
configure_file(${packaging_dir}/changelog.Debian.in ${generated_dir}/changelog @ONLY)
add_custom_command(OUTPUT ${generated_dir}/changelog.gz
  COMMAND gzip -n -9 -c ${generated_dir}/changelog > ${generated_dir}/changelog.gz
  DEPENDS ${generated_dir}/changelog)
add_custom_target(joule_deb_changelog ALL DEPENDS ${generated_dir}/changelog.gz)
set(doc_dir ${CMAKE_INSTALL_DATADIR}/doc/joule)
# The version has no Debian revision: a native package, whose changelog is changelog.gz.
install(FILES ${packaging_dir}/copyright ${generated_dir}/changelog.gz DESTINATION ${doc_dir}
  COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${packaging_dir}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
  RENAME joule COMPONENT deb EXCLUDE_FROM_ALL)

# --- CPack -------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME joule)
set(CPACK_PACKAGE_VENDOR "the joule maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "energy and carbon accounting for deep learning")
set(package_extras "")
if(TARGET joule-bench)
  list(APPEND package_extras "joule-bench (joule bench, with LibTorch)")
endif()
if(TARGET joule_python)
  list(APPEND package_extras "the Python module")
endif()
list(JOIN package_extras " and " package_extras)
if(package_extras)
  set(package_extras "\nIt also holds ${package_extras}.")
endif()
# CPack puts the summary first: the rest is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "joule measures the energy of a machine, a command or a scope of code from
hardware counters (RAPL, NVML, hwmon) where they exist and from a labelled
model where they do not, accounts it as carbon following the Software Carbon
Intensity specification, records every run in a ledger, and compares model
families on accuracy against joules.
.
This package holds the joule program and libjoule with its C and C++
headers, CMake and pkg-config files.${package_extras}")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libjoule's shlibs file, and the ldconfig trigger that goes with it.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${packaging_dir}/triggers)
set(CPACK_STRIP_FILES ON)
# Loaded at run time, by some subcommands only: libpq for a PostgreSQL ledger
# (JOULE_LEDGER=postgresql://...), Chromium for `joule label --png`, and
# joule bench's data sets (src/bench/data.hpp); fmt's headers for programs
# that include joule/format.hpp.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libpq5, chromium, libfmt-dev")
if(TARGET joule-bench)
  string(APPEND CPACK_DEBIAN_PACKAGE_SUGGESTS ", dataset-fashion-mnist, r-cran-janeaustenr")
endif()
# dpkg-shlibdeps cannot see that python3 runs the extension: its ABI is one
# minor version's.
if(TARGET joule_python)
  string(REPLACE "." ";" python_version "${JOULE_PYTHON_VERSION}")
  list(GET python_version 0 python_major)
  list(GET python_version 1 python_minor)
  math(EXPR python_next_minor "${python_minor} + 1")
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "python3 (>= ${python_major}.${python_minor}), python3 (<< ${python_major}.${python_next_minor})")
endif()

# One package from every component except python_local: the .deb's Python
# package goes where Debian's own do (component python_deb).
get_cmake_property(CPACK_COMPONENTS_ALL COMPONENTS)
list(REMOVE_ITEM CPACK_COMPONENTS_ALL python_local)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
include(CPack)
