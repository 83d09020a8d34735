// BatchPrefetcher: the training batches of an experiment, prepared on a background thread while
// the model trains, through a bounded queue (`capacity` batches, so memory stays at a few
// batches whatever the data set).
//
// - The producer thread calls `produce` exactly `count` times, in order, and is the only caller:
//   give it the task's train_batch with the train generator, and nothing else may touch that
//   generator meanwhile. The batches are therefore the synchronous loop's, bit for bit.
// - An exception thrown by `produce` is rethrown by next() in place of that batch (the batches
//   before it are delivered first), as the synchronous loop would have thrown at that step.
// - The destructor stops the producer and joins it; it never hangs (the producer waits on the
//   queue with a stop flag) — training that ends early, fails or throws just drops the object.
// - Intra-op threads: the producer sets LibTorch's intra-op thread count to `producer_threads`
//   (default 1) on its own thread, so batch preparation does not compete with the training
//   thread's kernels. at::set_num_threads is per OpenMP thread for running work, but it also
//   sets the process-wide default that threads started later (and not setting their own)
//   inherit, so the producer restores the previous default when it exits. fpt's training threads
//   always set their own count (TrainerOptions::threads), so they are unaffected either way.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "fpt/tasks/task.h"

namespace fpt::train {

class BatchPrefetcher {
 public:
  using Produce = std::function<tasks::Batch()>;

  BatchPrefetcher(Produce produce, int64_t count, int64_t capacity = 2, int producer_threads = 1);
  ~BatchPrefetcher();
  BatchPrefetcher(const BatchPrefetcher&)            = delete;
  BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

  // The next batch (blocks until it is ready); rethrows the producer's exception; fails when all
  // `count` batches were taken.
  tasks::Batch next();

  // Stops the producer (it finishes the batch it is making) and joins it. Idempotent.
  void stop();

 private:
  void run(int producer_threads);

  Produce                  produce_;
  int64_t                  count_;
  int64_t                  capacity_;
  int64_t                  taken_ = 0;
  std::mutex               mutex_;
  std::condition_variable  changed_;
  std::deque<tasks::Batch> queue_;
  std::exception_ptr       error_;
  bool                     finished_ = false;  // producer made all it will make
  bool                     stopping_ = false;
  std::thread              thread_;
};

}  // namespace fpt::train
