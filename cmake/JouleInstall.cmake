# Install rules: libjoule, include/joule/*, a CMake package (find_package(joule)
# gives joule::joule) and pkg-config's joule.pc. Included from src/api.
include(CMakePackageConfigHelpers)

install(TARGETS joule_library EXPORT jouleTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/joule
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp" PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/joule/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/joule)

set(joule_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/joule)
install(EXPORT jouleTargets NAMESPACE joule:: DESTINATION ${joule_cmake_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/jouleConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/jouleConfig.cmake INSTALL_DESTINATION ${joule_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/jouleConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/jouleConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/jouleConfigVersion.cmake
  DESTINATION ${joule_cmake_dir})

file(RELATIVE_PATH joule_pc_to_prefix ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" joule_pc_to_prefix "${joule_pc_to_prefix}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/joule.pc.in ${PROJECT_BINARY_DIR}/joule.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/joule.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
