// reference/mpfr_thread_caches.hpp: a thread that ran the oracle's MPFR tier frees, as it
// ends, every block MPFR allocated on it (its caches and its pool of integers). Counted
// through GMP's memory functions, which MPFR allocates with, so the check holds in any
// build; before the fix each oracle thread left tens of blocks behind.
#include <gmp.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/routing.hpp"

namespace ulpcheck {
namespace {

/// Installs GMP memory functions that keep the set of blocks allocated while installed and
/// not yet freed; restores the previous ones on scope exit.
class LiveGmpBlocks {
 public:
  LiveGmpBlocks() {
    mp_get_memory_functions(&allocate_, &reallocate_, &free_);
    mp_set_memory_functions(&allocate, &reallocate, &release);
  }
  ~LiveGmpBlocks() { mp_set_memory_functions(allocate_, reallocate_, free_); }
  LiveGmpBlocks(const LiveGmpBlocks&) = delete;
  LiveGmpBlocks& operator=(const LiveGmpBlocks&) = delete;

  static std::size_t count() {
    std::lock_guard lock(mutex());
    return live().size();
  }

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static std::unordered_set<void*>& live() {
    static std::unordered_set<void*> blocks;
    return blocks;
  }
  static void* allocate(std::size_t n) {
    void* p = std::malloc(n);
    if (!p) std::abort();  // GMP's own allocator aborts too
    std::lock_guard lock(mutex());
    live().insert(p);
    return p;
  }
  static void* reallocate(void* p, std::size_t, std::size_t n) {
    void* q = std::realloc(p, n);
    if (!q) std::abort();
    std::lock_guard lock(mutex());
    live().erase(p);
    live().insert(q);
    return q;
  }
  static void release(void* p, std::size_t) {
    {
      std::lock_guard lock(mutex());
      live().erase(p);  // a block from before installation is not in the set
    }
    std::free(p);
  }

  void* (*allocate_)(std::size_t) = nullptr;
  void* (*reallocate_)(void*, std::size_t, std::size_t) = nullptr;
  void (*free_)(void*, std::size_t) = nullptr;
};

TEST(MpfrThreadCaches, AnElementwiseOracleThreadFreesWhatMpfrAllocatedOnIt) {
  // SiLU through MPFR alone: mpfr_exp fills the thread's pool of integers.
  std::vector<double> x;
  for (int i = -400; i <= 400; ++i) x.push_back(i / 8.0);
  const LiveGmpBlocks blocks;
  std::thread([&] {
    const std::vector<Exact> e = evaluate(kSiluOp, Format::fp32, x, {}, kSiluOp.default_params(), OracleMethod::mpfr_only);
    ASSERT_EQ(e.size(), x.size());
  }).join();
  EXPECT_EQ(LiveGmpBlocks::count(), 0u) << "blocks MPFR allocated on the oracle's thread and never freed";
}

TEST(MpfrThreadCaches, RoutingOracleThreadsFreeWhatMpfrAllocatedOnThem) {
  // DeepSeek-V3 tokens with every comparison through MPFR, on route_exact's own threads.
  const RoutingConfig config = RoutingConfig::deepseek_v3();
  RoutingInputs in;
  in.tokens = 8;
  std::mt19937 rng(1);
  std::normal_distribution<float> logit(0.0f, 2.0f), bias(2.5f, 0.5f);
  for (std::int64_t i = 0; i < in.tokens * config.experts; ++i) in.logits.push_back(std::bit_cast<std::uint32_t>(logit(rng)));
  for (int i = 0; i < config.experts; ++i) in.bias.push_back(std::bit_cast<std::uint32_t>(bias(rng)));
  const LiveGmpBlocks blocks;
  std::thread([&] {
    const auto routed = route_exact(config, in, RoutingOracleOptions{.method = RoutingMethod::mpfr_only, .threads = 2});
    ASSERT_EQ(routed.size(), 8u);
  }).join();
  EXPECT_EQ(LiveGmpBlocks::count(), 0u) << "blocks MPFR allocated on the routing oracle's threads and never freed";
}

}  // namespace
}  // namespace ulpcheck
