# Installs the libraries, the public headers and a CMake package:
# find_package(graphrt) then link graphrt::graphrt (everything) or a single
# module (graphrt::graph). Exported targets keep their INTERFACE_LINK_OPTIONS
# (e.g. -Wl,-u,<anchor> that pulls self-registering kernels out of static
# libraries), so set those on the targets, not on consumers.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(graphrt_all INTERFACE)
add_library(graphrt::graphrt ALIAS graphrt_all)
set_target_properties(graphrt_all PROPERTIES EXPORT_NAME graphrt)
get_property(_graphrt_libs GLOBAL PROPERTY GRAPHRT_LIBRARIES)
target_link_libraries(graphrt_all INTERFACE ${_graphrt_libs})

install(TARGETS ${_graphrt_libs} graphrt_all EXPORT graphrtTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Headers: the public API only, i.e. the include closure of the public roots
# (scripts/layering.rules), listed in graphrt_public_headers.cmake and kept
# equal to the closure by scripts/check-layering. protoc's headers
# (core/graph/io/graph.pb.h, ...) live in the build tree.
include(${CMAKE_CURRENT_LIST_DIR}/graphrt_public_headers.cmake)
foreach(_h ${GRAPHRT_PUBLIC_HEADERS})
  get_filename_component(_dir ${_h} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${_h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${_dir})
endforeach()
foreach(_h ${GRAPHRT_PUBLIC_GENERATED_HEADERS})
  get_filename_component(_dir ${_h} DIRECTORY)
  install(FILES ${PROJECT_BINARY_DIR}/${_h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${_dir})
endforeach()
install(EXPORT graphrtTargets NAMESPACE graphrt::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/graphrt)
configure_package_config_file(cmake/graphrtConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/graphrtConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/graphrt)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/graphrtConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/graphrtConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/graphrtConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/graphrt)
