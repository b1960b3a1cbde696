# Installs the libraries, headers and a CMake package: find_package(graphrt)
# then link graphrt::graphrt (everything) or a single module (graphrt::graph).
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
install(DIRECTORY core kernels DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
# protoc's headers (core/graph/io/graph.pb.h, ...) live in the build tree.
install(DIRECTORY ${PROJECT_BINARY_DIR}/core DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.pb.h")
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
