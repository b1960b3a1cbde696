# NCCL for the GPU collectives of kernels/gpu/nccl_* (CollectiveReduceV2,
# CollectiveBcast*V2 and CollectiveGatherV2 between GPUs of one process).
# Only the header is needed to build: the kernels load libnccl.so.2 when the
# first multi-GPU collective runs (kernels/gpu/nccl_library.h), so binaries
# start on machines without NCCL and such a collective fails with a status
# instead. Looked for beside the CUDA toolkit first, then in the system paths
# or NCCL_ROOT. Defines GRAPHRT_HAVE_NCCL and, when found,
# GRAPHRT_NCCL_INCLUDE_DIR. NCCL 2.13 or later (ncclGetLastError).
#
# GRAPHRT_NCCL: AUTO (default) builds the NCCL kernels when the header is
# found; ON makes a missing one a configure error; OFF never builds them
# (collectives on GPUs then fall back to the CPU kernels: soft placement).
set(GRAPHRT_NCCL "AUTO" CACHE STRING "Build the NCCL GPU collectives: AUTO, ON, OFF")
set_property(CACHE GRAPHRT_NCCL PROPERTY STRINGS AUTO ON OFF)
set(GRAPHRT_HAVE_NCCL OFF)
if(GRAPHRT_HAVE_CUDA AND NOT GRAPHRT_NCCL STREQUAL "OFF")
  find_path(GRAPHRT_NCCL_INCLUDE_DIR nccl.h
    HINTS ${CUDAToolkit_INCLUDE_DIRS} ${NCCL_ROOT} $ENV{NCCL_ROOT} ${CUDAToolkit_LIBRARY_ROOT}
      ${CUDAToolkit_TARGET_DIR}
    PATH_SUFFIXES include)
  set(_graphrt_nccl_version 0)
  if(GRAPHRT_NCCL_INCLUDE_DIR)
    file(STRINGS "${GRAPHRT_NCCL_INCLUDE_DIR}/nccl.h" _graphrt_nccl_line
         REGEX "^#define NCCL_VERSION_CODE [0-9]+")
    string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _graphrt_nccl_version "${_graphrt_nccl_line}")
  endif()
  if(_graphrt_nccl_version GREATER_EQUAL 21300)
    set(GRAPHRT_HAVE_NCCL ON)
    message(STATUS "graphrt: NCCL ${_graphrt_nccl_version} header at ${GRAPHRT_NCCL_INCLUDE_DIR} "
      "(libnccl.so.2 is loaded at run time)")
  elseif(GRAPHRT_NCCL STREQUAL "ON")
    message(FATAL_ERROR "GRAPHRT_NCCL=ON but no nccl.h of NCCL 2.13 or later was found "
      "(found: ${GRAPHRT_NCCL_INCLUDE_DIR}, version code ${_graphrt_nccl_version}); set NCCL_ROOT")
  else()
    message(STATUS "graphrt: no NCCL 2.13+ header found: collectives on GPUs get no GPU kernels "
      "(they run on the CPU); set NCCL_ROOT to point at one")
  endif()
endif()
