// parallel_for: every chunk once, whatever the thread count, and the same error.
#include "ulpcheck/support/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace ulpcheck {
namespace {

TEST(ParallelFor, RunsEveryChunkOnceOnAnyNumberOfThreads) {
  for (std::int64_t threads : {0, 1, 2, 3, 64}) {
    std::vector<std::atomic<int>> runs(1000);
    parallel_for(1000, [&](std::int64_t k) { ++runs[static_cast<std::size_t>(k)]; }, threads);
    for (std::size_t k = 0; k < runs.size(); ++k) ASSERT_EQ(runs[k].load(), 1) << "chunk " << k << ", " << threads << " threads";
  }
}

TEST(ParallelFor, NoChunksRunNothing) {
  bool ran = false;
  parallel_for(0, [&](std::int64_t) { ran = true; });
  parallel_for(-3, [&](std::int64_t) { ran = true; });
  EXPECT_FALSE(ran);
}

TEST(ParallelFor, UsesNoMoreThreadsThanChunksOrAsked) {
  for (auto [chunks, threads, most] : {std::tuple{3, 0, 3}, std::tuple{100, 2, 2}, std::tuple{1, 8, 1}}) {
    std::mutex m;
    std::set<std::thread::id> ids;
    parallel_for(chunks, [&](std::int64_t) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      std::lock_guard lock(m);
      ids.insert(std::this_thread::get_id());
    }, threads);
    EXPECT_LE(static_cast<int>(ids.size()), most) << chunks << " chunks, " << threads << " threads asked";
  }
}

TEST(ParallelFor, RethrowsTheLowestChunksErrorWhateverTheThreadCount) {
  for (std::int64_t threads : {1, 2, 4, 16}) {
    try {
      parallel_for(200, [](std::int64_t k) {
        if (k % 10 == 7) throw std::runtime_error("chunk " + std::to_string(k));
      }, threads);
      FAIL() << "no error";
    } catch (const std::runtime_error& e) {
      EXPECT_EQ(std::string(e.what()), "chunk 7") << threads << " threads";
    }
  }
}

TEST(ParallelFor, StartsNoChunkAfterOneThatThrewOnOneThread) {
  std::int64_t last = -1;
  EXPECT_THROW(parallel_for(100, [&](std::int64_t k) {
    last = k;
    if (k == 5) throw std::logic_error("stop");
  }, 1), std::logic_error);
  EXPECT_EQ(last, 5);
}

}  // namespace
}  // namespace ulpcheck
