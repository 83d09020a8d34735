// World: the MPI process group fpt runs in — initialisation and shutdown, this rank's place
// (rank, size, rank on its node), the intra-op thread count a rank should use, and small text
// messages (JSON) between ranks for the sweep's coordinator/worker protocol.
//
// The World's own calls (messages) come from the thread that constructed it: on rank 0 the
// coordinator runs there, and rank 0's own worker runs on a second thread that talks to it without
// MPI — except inside a worker group (dist/group_communicator.h), which needs MPI_THREAD_MULTIPLE.
#pragma once

#include <optional>
#include <string>

namespace fpt::dist {

struct ReceivedText {
  int         source = -1;
  int         tag    = -1;
  std::string text;
};

class World {
 public:
  World(int* argc, char*** argv);
  ~World();
  World(const World&)            = delete;
  World& operator=(const World&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }  // rank among the ranks on this node
  int local_size() const { return local_size_; }  // ranks on this node
  const std::string& host() const { return host_; }
  // Whether the MPI library gave MPI_THREAD_MULTIPLE on every rank (needed for worker groups).
  bool thread_multiple() const { return thread_multiple_; }

  // Intra-op threads a rank should use: the CPUs it is bound to, or — when unbound — this node's
  // CPUs shared evenly among its ranks. Always at least 1.
  int default_threads() const;

  void                        send_text(int destination, int tag, const std::string& text) const;
  ReceivedText                receive_any() const;      // blocking, any source and tag
  std::optional<ReceivedText> try_receive_any() const;  // non-blocking

  // Rank 0's value of `value`, on every rank.
  int broadcast_int(int value) const;

  static std::string mpi_library_version();

 private:
  int         rank_       = 0;
  int         size_       = 1;
  int         local_rank_ = 0;
  int         local_size_ = 1;
  std::string host_;
  bool        thread_multiple_ = false;
};

// Intra-op threads for a process that shares its node's CPUs with `ranks_on_node` ranks.
int threads_for_ranks(int ranks_on_node);

}  // namespace fpt::dist
