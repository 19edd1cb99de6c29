# joule_layer(NAME DEPENDS ...): one static library per src/<layer> folder.
# Sources are globbed so that adding a backend or a subcommand is adding one
# file; CONFIGURE_DEPENDS re-runs the glob on every build.
function(joule_layer name)
  cmake_parse_arguments(ARG "" "" "DEPENDS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_library(joule_${name} STATIC ${sources})
  add_library(joule::${name} ALIAS joule_${name})
  target_include_directories(joule_${name}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
           $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
           $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(joule_${name} PUBLIC ${ARG_DEPENDS})
endfunction()

# joule_test(LAYER LIBS ... [ENVIRONMENT VAR=value] [ONE_PROCESS gtest-filter]):
# one GoogleTest binary per tests/<layer> folder, each test its own ctest
# entry, except the tests ONE_PROCESS matches: those run as one ctest entry in
# one process, so that they share what the binary starts once (a PostgreSQL
# server) instead of starting it per test.
function(joule_test layer)
  cmake_parse_arguments(ARG "" "ENVIRONMENT;ONE_PROCESS" "LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${layer}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(joule_${layer}_tests ${sources})
  target_link_libraries(joule_${layer}_tests PRIVATE ${ARG_LIBS} GTest::gtest_main GTest::gmock)
  target_include_directories(joule_${layer}_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src)
  target_compile_definitions(joule_${layer}_tests PRIVATE
    JOULE_FIXTURES_DIR="${CMAKE_CURRENT_SOURCE_DIR}/fixtures"
    JOULE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  set(filter_args)
  if(ARG_ONE_PROCESS)
    set(filter_args TEST_FILTER "-${ARG_ONE_PROCESS}")
    add_test(NAME ${layer}.one_process COMMAND joule_${layer}_tests --gtest_filter=${ARG_ONE_PROCESS})
    # Alone: its server and its concurrent runs must not starve the timing-
    # sensitive tests ctest would run beside it (ctest -j2 on 2 cores).
    set_tests_properties(${layer}.one_process PROPERTIES LABELS ${layer} RUN_SERIAL TRUE)
    if(ARG_ENVIRONMENT)
      set_tests_properties(${layer}.one_process PROPERTIES ENVIRONMENT ${ARG_ENVIRONMENT})
    endif()
  endif()
  if(ARG_ENVIRONMENT)
    gtest_discover_tests(joule_${layer}_tests DISCOVERY_TIMEOUT 60 ${filter_args}
      PROPERTIES LABELS ${layer} ENVIRONMENT ${ARG_ENVIRONMENT})
  else()
    gtest_discover_tests(joule_${layer}_tests DISCOVERY_TIMEOUT 60 ${filter_args}
      PROPERTIES LABELS ${layer})
  endif()
endfunction()
