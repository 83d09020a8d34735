// Pieces shared by the communicators: an owned duplicate of the group's MPI communicator, MPI
// return codes turned into fpt::Error, the calling thread allowed to call MPI, and the tensors a
// collective accepts (defined, contiguous, dtype, device) — each failure names the backend, call
// and tensor.
#pragma once

#include <mpi.h>
#include <torch/types.h>

#include <string>

#include "fpt/core/error.h"

namespace fpt::dist {

inline void check_mpi(int code, const char* backend, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int  length = 0;
  MPI_Error_string(code, text, &length);
  fail("{} communicator: MPI {} failed: {}", backend, what, std::string(text, length));
}

// MPI initialised with MPI_THREAD_FUNNELED (or SINGLE) may only be called from the thread that
// initialised it; a worker thread calling a collective there would corrupt MPI state silently.
inline void check_mpi_thread(const char* backend, const char* what) {
  int provided = MPI_THREAD_SINGLE;
  MPI_Query_thread(&provided);
  if (provided >= MPI_THREAD_SERIALIZED) return;
  int is_main = 0;
  MPI_Is_thread_main(&is_main);
  if (!is_main)
    fail(
        "{} communicator: {} called from a thread that did not initialise MPI, but MPI runs with "
        "{}; initialise MPI with MPI_THREAD_SERIALIZED (or MULTIPLE) to communicate from worker "
        "threads",
        backend, what, provided == MPI_THREAD_SINGLE ? "MPI_THREAD_SINGLE" : "MPI_THREAD_FUNNELED");
}

// A duplicate of a worker group's MPI communicator, owned: our collectives never match messages of
// other code on the same group. Errors on it come back as codes (check_mpi turns them into
// fpt::Error) instead of aborting the job. Freed on destruction unless MPI is already finalised.
class DuplicatedComm {
 public:
  DuplicatedComm(MPI_Comm group, const char* backend) {
    if (group == MPI_COMM_NULL)
      fail("{} communicator: the group is MPI_COMM_NULL (this rank is in no worker group)",
           backend);
    check_mpi_thread(backend, "creating a communicator");
    check_mpi(MPI_Comm_dup(group, &comm_), backend, "Comm_dup");
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }
  ~DuplicatedComm() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);
  }
  DuplicatedComm(const DuplicatedComm&)            = delete;
  DuplicatedComm& operator=(const DuplicatedComm&) = delete;

  MPI_Comm get() const { return comm_; }
  int      rank() const { return rank_; }
  int      size() const { return size_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int      rank_ = 0;
  int      size_ = 1;
};

inline void check_root(int root, int size, const char* backend) {
  if (root < 0 || root >= size)
    fail("{} communicator: broadcast root {} is not a member of this group of {}", backend, root,
         size);
}

// "float32 tensor of shape [3, 4] on cpu"
inline std::string describe_tensor(const torch::Tensor& tensor) {
  return fmt::format("{} tensor of shape {} on {}", c10::toString(tensor.scalar_type()),
                     c10::str(tensor.sizes()), tensor.device().str());
}

// A tensor a collective can use in place: defined, contiguous, on `device`; for averaging also
// float32 or float64.
inline void check_collective_tensor(const torch::Tensor& tensor, const torch::Device& device,
                                    bool needs_floating, const char* backend, const char* what) {
  if (!tensor.defined()) fail("{} communicator: {} got an undefined tensor", backend, what);
  if (tensor.device() != device) {
    fail("{} communicator: {} needs a tensor on {}, got a {}{}", backend, what, device.str(),
         describe_tensor(tensor),
         device.is_cpu() ? " (CUDA tensors go through the NCCL communicator: make_communicator "
                           "with the CUDA device)"
                         : "");
  }
  if (needs_floating && tensor.scalar_type() != torch::kFloat32 &&
      tensor.scalar_type() != torch::kFloat64) {
    fail("{} communicator: {} averages float32 or float64 tensors, got a {}", backend, what,
         describe_tensor(tensor));
  }
  if (!tensor.is_contiguous()) {
    fail(
        "{} communicator: {} works in place on contiguous memory, got a non-contiguous {} (call "
        ".contiguous() and copy the result back)",
        backend, what, describe_tensor(tensor));
  }
}

}  // namespace fpt::dist
