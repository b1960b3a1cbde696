# cmake -DBUILD_DIR=.. -DSOURCE_DIR=.. -DWORK_DIR=.. -DGENERATOR=.. -DCONSUMER_CACHE=..
#       -P run_consumer_test.cmake      (CTest install_consumer, tests/install/CMakeLists.txt)
#   1. cmake --install BUILD_DIR --prefix WORK_DIR/prefix   (WORK_DIR is in the build tree)
#   2. configure tests/install/consumer with CONSUMER_CACHE (the build's compiler,
#      ccache launcher, build type; CMAKE_PREFIX_PATH=WORK_DIR/prefix) to build
#      the README example (examples/readme_example.cc, the very file); build it
#   3. run it and compare its output with the README example's
# It also checks that no kernels/ header is installed and that the exported
# targets keep the INTERFACE_LINK_OPTIONS (WITH_LINK_OPTIONS libraries have some).
# WORK_DIR is removed on success and kept, for a look, on failure.
cmake_minimum_required(VERSION 3.25)
set(expected "float32[1,2] {2, 0}")  # relu(x w), x = [1 2 3], w = [1 -1; .5 2; 0 -2]

function(step what)
  string(TIMESTAMP t0 "%s")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(TIMESTAMP t1 "%s")
  math(EXPR dt "${t1} - ${t0}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install_consumer: ${what} failed (${rc}); scratch kept in "
      "${WORK_DIR}\n${ARGN}\n${out}")
  endif()
  message(STATUS "install_consumer: ${what}: ${dt} s")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
if(EXISTS ${prefix}/include/kernels)
  message(FATAL_ERROR "install_consumer: kernels/ headers were installed; only the public "
    "API should be (cmake/graphrt_public_headers.cmake)")
endif()
file(GLOB targets_file ${prefix}/lib*/cmake/graphrt/graphrtTargets.cmake)
file(STRINGS "${targets_file}" link_options REGEX "INTERFACE_LINK_OPTIONS")
list(LENGTH link_options n)
if(n LESS WITH_LINK_OPTIONS)
  message(FATAL_ERROR "install_consumer: ${WITH_LINK_OPTIONS} graphrt libraries have "
    "INTERFACE_LINK_OPTIONS but the installed ${targets_file} carries ${n}")
endif()
step("configure" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/install/consumer
  -B ${WORK_DIR}/build -G ${GENERATOR} -C ${CONSUMER_CACHE}
  -DCONSUMER_SOURCE=${SOURCE_DIR}/examples/readme_example.cc)
step("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step("run" ${WORK_DIR}/build/app)
string(STRIP "${step_output}" got)
if(NOT got STREQUAL expected)
  message(FATAL_ERROR "install_consumer: the app printed\n  ${got}\nexpected\n  ${expected}\n"
    "(scratch kept in ${WORK_DIR})")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
message(STATUS "install_consumer: OK (${got})")
