#include "fpt/train/batch_prefetcher.h"

#include <ATen/Parallel.h>

#include "fpt/core/error.h"

namespace fpt::train {

BatchPrefetcher::BatchPrefetcher(Produce produce, int64_t count, int64_t capacity,
                                 int producer_threads)
    : produce_(std::move(produce)), count_(count), capacity_(capacity) {
  if (count_ < 0) fail("BatchPrefetcher: count {} must be >= 0", count_);
  if (capacity_ < 1) fail("BatchPrefetcher: capacity {} must be >= 1", capacity_);
  if (producer_threads < 1)
    fail("BatchPrefetcher: producer threads {} must be >= 1", producer_threads);
  thread_ = std::thread([this, producer_threads] { run(producer_threads); });
}

BatchPrefetcher::~BatchPrefetcher() {
  stop();
}

void BatchPrefetcher::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BatchPrefetcher::run(int producer_threads) {
  // the process-wide default as this new thread sees it, restored on exit (see the header)
  const int previous_threads = at::get_num_threads();
  at::set_num_threads(producer_threads);
  for (int64_t made = 0; made < count_; ++made) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock,
                    [&] { return stopping_ || static_cast<int64_t>(queue_.size()) < capacity_; });
      if (stopping_) break;
    }
    try {
      tasks::Batch                batch = produce_();
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(batch));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      error_ = std::current_exception();
      break;
    }
    changed_.notify_all();
  }
  at::set_num_threads(previous_threads);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  changed_.notify_all();
}

tasks::Batch BatchPrefetcher::next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (taken_ >= count_) fail("BatchPrefetcher: all {} batches were taken", count_);
  changed_.wait(lock, [&] { return !queue_.empty() || finished_; });
  if (queue_.empty()) {
    if (error_) std::rethrow_exception(error_);
    fail("BatchPrefetcher: the producer stopped after {} of {} batches", taken_, count_);
  }
  tasks::Batch batch = std::move(queue_.front());
  queue_.pop_front();
  ++taken_;
  lock.unlock();
  changed_.notify_all();
  return batch;
}

}  // namespace fpt::train
