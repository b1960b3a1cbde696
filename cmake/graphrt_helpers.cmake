# graphrt_library(NAME SRCS ... DEPS ...): a static library graphrt_NAME with the
# alias graphrt::NAME, compiled with the project's warnings and sanitizers.
# GCC 12 reports maybe-uninitialized falsely inside absl::InlinedVector moves.
set(GRAPHRT_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND GRAPHRT_WARNINGS -Wno-maybe-uninitialized)
endif()
if(GRAPHRT_WERROR)
  list(APPEND GRAPHRT_WARNINGS -Werror)
endif()

function(graphrt_apply_flags target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${GRAPHRT_WARNINGS}>)
  if(GRAPHRT_SANITIZE)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=${GRAPHRT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all>)
    target_link_options(${target} PRIVATE -fsanitize=${GRAPHRT_SANITIZE})
  endif()
endfunction()

function(graphrt_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(graphrt_${name} STATIC ${ARG_SRCS})
  add_library(graphrt::${name} ALIAS graphrt_${name})
  set_target_properties(graphrt_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(graphrt_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:include>)
  target_link_libraries(graphrt_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  graphrt_apply_flags(graphrt_${name})
  set_property(GLOBAL APPEND PROPERTY GRAPHRT_LIBRARIES graphrt_${name})
endfunction()

# graphrt_test(NAME SRCS ... DEPS ...): a GoogleTest binary registered with CTest.
function(graphrt_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main)
  graphrt_apply_flags(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
endfunction()

function(graphrt_bench name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark)
  graphrt_apply_flags(${name})
endfunction()

# graphrt_proto_library(NAME PROTOS a.proto ...): compiles the .proto files
# (paths relative to the current source folder) with protoc into a static
# library graphrt::NAME. Imports resolve from the project root and generated
# files sit under the build tree at the .proto's own relative path, so code
# includes "core/graph/io/graph.pb.h".
function(graphrt_proto_library name)
  cmake_parse_arguments(ARG "" "" "PROTOS" ${ARGN})
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
  set(srcs)
  foreach(p ${ARG_PROTOS})
    get_filename_component(stem ${p} NAME_WE)
    set(out ${PROJECT_BINARY_DIR}/${rel}/${stem})
    add_custom_command(
      OUTPUT ${out}.pb.cc ${out}.pb.h
      COMMAND protobuf::protoc --cpp_out=${PROJECT_BINARY_DIR} -I${PROJECT_SOURCE_DIR}
              ${rel}/${p}
      DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${p} protobuf::protoc
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      COMMENT "protoc ${rel}/${p}")
    list(APPEND srcs ${out}.pb.cc)
  endforeach()
  add_library(graphrt_${name} STATIC ${srcs})
  add_library(graphrt::${name} ALIAS graphrt_${name})
  set_target_properties(graphrt_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(graphrt_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}> $<INSTALL_INTERFACE:include>)
  target_link_libraries(graphrt_${name} PUBLIC protobuf::libprotobuf)
  # Generated code is not ours to warn about; sanitizers still apply.
  if(GRAPHRT_SANITIZE)
    target_compile_options(graphrt_${name} PRIVATE
      -fsanitize=${GRAPHRT_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  endif()
  set_property(GLOBAL APPEND PROPERTY GRAPHRT_LIBRARIES graphrt_${name})
endfunction()
