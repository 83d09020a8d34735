# find_torch.cmake: finds LibTorch (Torch_DIR) and sets what the fpt_torch target is built from:
#   TORCH_LIBRARIES, TORCH_CXX_FLAGS, TORCH_LIBRARY (the library whose directory holds LibTorch),
#   Torch_VERSION, FPT_TORCH_HAS_CUDA (the CUDA half is linked: CUDA tensors, the NCCL communicator).
#
# The pinned LibTorch is the PyPI wheel, which is a CUDA build. Its Caffe2Config.cmake cannot
# configure without a CUDA toolkit ("Your installed Caffe2 version uses CUDA but I cannot find the
# CUDA libraries"), so on a machine without one (a laptop, a CPU node) fpt links the wheel's CPU
# half alone: libtorch_cpu.so and libc10.so, the same code a CPU-only LibTorch runs. fpt then
# trains on CPU. libtorch_cpu.so still needs libcudart.so.13 and libcupti.so.13 at load time (its
# profiler links them); scripts/setup.sh installs both from their PyPI wheels into the wheel's
# nvidia/cu13/lib, a directory libtorch_cpu.so's RPATH names.
#
#   FPT_TORCH_CUDA   AUTO (default): the CUDA half where a CUDA toolkit (nvcc) is found;
#                    ON: always (configure fails without a toolkit); OFF: the CPU half only.
set(FPT_TORCH_CUDA AUTO CACHE STRING
    "Link LibTorch's CUDA half: AUTO (where a CUDA toolkit is found), ON, OFF")
set_property(CACHE FPT_TORCH_CUDA PROPERTY STRINGS AUTO ON OFF)

set(fpt_torch_cuda_build OFF)
if(Torch_DIR)
  get_filename_component(fpt_torch_root "${Torch_DIR}/../../.." ABSOLUTE)
  if(EXISTS "${fpt_torch_root}/lib/libtorch_cuda.so")
    set(fpt_torch_cuda_build ON)
  endif()
endif()

set(fpt_use_cuda_half ${fpt_torch_cuda_build})
if(fpt_torch_cuda_build AND FPT_TORCH_CUDA STREQUAL "AUTO")
  find_program(FPT_NVCC nvcc HINTS "${CUDAToolkit_ROOT}/bin" ENV CUDA_PATH
               PATHS /usr/local/cuda/bin /usr/local/cuda-13.0/bin)
  if(NOT FPT_NVCC)
    set(fpt_use_cuda_half OFF)
    message(STATUS "fpt: no CUDA toolkit (nvcc) found: linking the CPU half of the CUDA LibTorch "
                   "in ${fpt_torch_root} (CPU training only; FPT_TORCH_CUDA=ON to insist)")
  endif()
elseif(FPT_TORCH_CUDA STREQUAL "OFF")
  set(fpt_use_cuda_half OFF)
endif()

if(NOT fpt_torch_cuda_build OR fpt_use_cuda_half)
  # A CPU-only LibTorch, or a CUDA one with the toolkit it configures against.
  find_package(Torch REQUIRED)
  set(FPT_TORCH_HAS_CUDA ${CAFFE2_USE_CUDA})
else()
  include("${Torch_DIR}/TorchConfigVersion.cmake")  # PACKAGE_VERSION
  set(Torch_VERSION ${PACKAGE_VERSION})
  find_library(FPT_TORCH_CPU_LIBRARY torch_cpu PATHS "${fpt_torch_root}/lib" NO_DEFAULT_PATH
               REQUIRED)
  find_library(FPT_C10_LIBRARY c10 PATHS "${fpt_torch_root}/lib" NO_DEFAULT_PATH REQUIRED)
  add_library(fpt_torch_cpu_half INTERFACE)
  target_include_directories(fpt_torch_cpu_half SYSTEM INTERFACE
                             "${fpt_torch_root}/include"
                             "${fpt_torch_root}/include/torch/csrc/api/include")
  # The definitions Caffe2Targets.cmake gives torch_cpu's users, so headers read the same.
  target_compile_definitions(fpt_torch_cpu_half INTERFACE USE_DISTRIBUTED USE_C10D_GLOO USE_RPC
                                                          USE_TENSORPIPE)
  target_link_libraries(fpt_torch_cpu_half INTERFACE "${FPT_TORCH_CPU_LIBRARY}" "${FPT_C10_LIBRARY}")
  set(TORCH_LIBRARIES fpt_torch_cpu_half)
  set(TORCH_CXX_FLAGS "")
  set(TORCH_LIBRARY "${FPT_TORCH_CPU_LIBRARY}")
  set(FPT_TORCH_HAS_CUDA OFF)
endif()
