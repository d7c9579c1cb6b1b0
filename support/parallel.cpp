#include "ulpcheck/support/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace ulpcheck {

void parallel_for(std::int64_t chunks, const std::function<void(std::int64_t)>& body, std::int64_t threads) {
  if (chunks <= 0) return;
  if (threads <= 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, chunks);
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> first_failed{chunks};  // the lowest chunk that threw, or chunks
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    // Chunks come in increasing order, so once one at or past first_failed comes, every
    // later one would too; the chunks below it were all handed out before it failed.
    for (std::int64_t k; (k = next.fetch_add(1)) < chunks && k < first_failed.load();) {
      try {
        body(k);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (k < first_failed.load()) {
          first_failed = k;
          error = std::current_exception();
        }
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads - 1));
  for (std::int64_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones there are do every chunk
    }
  }
  worker();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace ulpcheck
