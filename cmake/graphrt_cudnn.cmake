# cuDNN 9 for the GPU kernels of kernels/gpu/cudnn_* (convolution, pooling,
# batch norm). Looked for beside the CUDA toolkit first (the toolkit on the
# build machines ships it in its include/ and lib/), then in the system paths
# or CUDNN_ROOT. Defines GRAPHRT_HAVE_CUDNN and, when found,
# GRAPHRT_CUDNN_INCLUDE_DIR and GRAPHRT_CUDNN_LIBRARY (libcudnn.so, the small
# front library that loads cuDNN's sub-libraries at run time).
#
# GRAPHRT_CUDNN: AUTO (default) uses cuDNN when found and otherwise builds
# the GPU kernels without it (those ops then have no GPU kernel and stay on
# the CPU); ON makes a missing cuDNN a configure error; OFF never uses it.
set(GRAPHRT_CUDNN "AUTO" CACHE STRING "Use cuDNN for the GPU conv/pool/batch-norm kernels: AUTO, ON, OFF")
set_property(CACHE GRAPHRT_CUDNN PROPERTY STRINGS AUTO ON OFF)
set(GRAPHRT_HAVE_CUDNN OFF)
if(GRAPHRT_HAVE_CUDA AND NOT GRAPHRT_CUDNN STREQUAL "OFF")
  set(_graphrt_cudnn_hints ${CUDNN_ROOT} $ENV{CUDNN_ROOT} ${CUDAToolkit_LIBRARY_ROOT}
      ${CUDAToolkit_TARGET_DIR})
  find_path(GRAPHRT_CUDNN_INCLUDE_DIR cudnn.h
    HINTS ${CUDAToolkit_INCLUDE_DIRS} ${_graphrt_cudnn_hints} PATH_SUFFIXES include)
  find_library(GRAPHRT_CUDNN_LIBRARY cudnn
    HINTS ${CUDAToolkit_LIBRARY_DIR} ${_graphrt_cudnn_hints} PATH_SUFFIXES lib lib64)
  set(_graphrt_cudnn_major 0)
  if(GRAPHRT_CUDNN_INCLUDE_DIR AND EXISTS "${GRAPHRT_CUDNN_INCLUDE_DIR}/cudnn_version.h")
    file(STRINGS "${GRAPHRT_CUDNN_INCLUDE_DIR}/cudnn_version.h" _graphrt_cudnn_line
         REGEX "^#define CUDNN_MAJOR [0-9]+")
    string(REGEX REPLACE ".* ([0-9]+)$" "\\1" _graphrt_cudnn_major "${_graphrt_cudnn_line}")
  endif()
  if(GRAPHRT_CUDNN_LIBRARY AND _graphrt_cudnn_major GREATER_EQUAL 9)
    set(GRAPHRT_HAVE_CUDNN ON)
    message(STATUS "graphrt: cuDNN ${_graphrt_cudnn_major} at ${GRAPHRT_CUDNN_LIBRARY}")
  elseif(GRAPHRT_CUDNN STREQUAL "ON")
    message(FATAL_ERROR "GRAPHRT_CUDNN=ON but no cuDNN 9 was found (header: "
      "${GRAPHRT_CUDNN_INCLUDE_DIR}, library: ${GRAPHRT_CUDNN_LIBRARY}); set CUDNN_ROOT")
  else()
    message(STATUS "graphrt: no cuDNN 9 found: Conv2D, pooling and FusedBatchNorm* get no GPU "
      "kernels (they run on the CPU); set CUDNN_ROOT to point at one")
  endif()
endif()
if(GRAPHRT_HAVE_CUDA AND GRAPHRT_CUDNN STREQUAL "OFF")
  message(STATUS "graphrt: cuDNN off (GRAPHRT_CUDNN=OFF): Conv2D, pooling and FusedBatchNorm* "
    "get no GPU kernels (they run on the CPU)")
endif()
