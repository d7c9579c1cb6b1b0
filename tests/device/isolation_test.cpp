// Isolation (device/isolation.cpp, --isolate): a plugin's function run in a child process,
// whose crash, abort, exit or hang becomes that kernel's failure with the cause named, while
// the caller goes on; loading a plugin whose entry point or table faults, in a child first.
// The faults are planted in tests/device/plugins/faulty_plugin.c.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>

#include "tests/device/plugin_loading.hpp"
#include "ulpcheck/device/isolation.hpp"
#include "ulpcheck/device/plugin.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/device/routing_kernel.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck {
namespace {

/// Expects `part` within `text`, and shows `text` where it is not.
#define EXPECT_HAS(text, part)                                         \
  do {                                                                 \
    const std::string text_ = (text);                                  \
    EXPECT_NE(text_.find(part), std::string::npos) << "in: " << text_; \
  } while (0)

using test::test_plugin;

/// What run_in_child threw, or "" when it returned.
std::string crash_of(const std::function<void()>& body, double timeout = 10) {
  try {
    run_in_child("k", "a call", timeout, body);
  } catch (const KernelCrash& e) {
    return e.what();
  }
  return "";
}

TEST(RunInChild, WhatTheChildWritesToSharedBytesComesBackAndNothingElse) {
  SharedBytes shared(sizeof(int));
  int local = 1;
  run_in_child("k", "a call", 10, [&] {
    *reinterpret_cast<int*>(shared.data()) = 42;
    local = 2;
  });
  EXPECT_EQ(*reinterpret_cast<int*>(shared.data()), 42);
  EXPECT_EQ(local, 1);  // the child's own copy
}

TEST(RunInChild, EachWayOutOfTheChildIsNamed) {
  EXPECT_HAS(crash_of([] { *static_cast<volatile int*>(nullptr) = 1; }),
              ("k: crashed with SIGSEGV (signal 11"));
  EXPECT_HAS(crash_of([] { std::abort(); }), ("crashed with SIGABRT (signal 6"));
  EXPECT_HAS(crash_of([] { raise(SIGBUS); }), ("crashed with SIGBUS"));
  EXPECT_HAS(crash_of([] { std::exit(0); }), ("k: called exit() during a call"));
  EXPECT_HAS(crash_of([] { _exit(5); }), ("exited with status 5 during a call"));
  EXPECT_HAS(crash_of([] { throw 1; }), ("threw a C++ exception out of its entry point"));
  EXPECT_EQ(crash_of([] {}), "");
}

TEST(RunInChild, AHangIsKilledAtTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  try {
    run_in_child("k", "a call", 0.3, [] {
      for (;;) pause();
    });
    FAIL() << "a hang returned";
  } catch (const KernelCrash& e) {
    EXPECT_EQ(e.cause, KernelCrash::Cause::hung);
    EXPECT_HAS(std::string(e.what()), ("k: did not return within 0.3 s from a call (killed"));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(seconds, 0.3);
  EXPECT_LT(seconds, 5.0);
}

TEST(RunInChild, ACrashIsNotAHang) {
  try {
    run_in_child("k", "a call", 10, [] { std::abort(); });
  } catch (const KernelCrash& e) {
    EXPECT_EQ(e.cause, KernelCrash::Cause::died);
  }
}

// --- Plugins ------------------------------------------------------------------------------

const Isolation kIsolated{true, 2.0};

/// The faulty plugin, loaded isolated once per process.
const Kernel& faulty(const char* name) {
  static const bool loaded = (load_plugin(test_plugin("faulty"), kIsolated), true);
  (void)loaded;
  const Kernel* k = find_kernel(name);
  EXPECT_NE(k, nullptr) << name;
  return *k;
}

/// What running `kernel` on silu_and_mul, fp32, 6 rows of 4, threw ("" when it ran).
std::string failure_of(const Kernel& kernel, BitTensor* out = nullptr) {
  BitTensor in = BitTensor::zeros(Format::fp32, 6, 8), y = BitTensor::zeros(Format::fp32, 6, 4);
  for (std::size_t i = 0; i < in.bits.size(); ++i) in.bits[i] = 0x3f800000u + static_cast<std::uint32_t>(i);
  try {
    kernel.run(*find_op("silu_and_mul"), Params{}, in, y);
  } catch (const KernelError& e) {
    return e.what();
  }
  if (out) *out = y;
  return "";
}

TEST(PluginIsolation, EachFaultIsThatKernelsFailureAndTheNextCallRuns) {
  EXPECT_HAS(failure_of(faulty("faulty.segv")),
              ("faulty.segv: crashed with SIGSEGV (signal 11: Segmentation fault) during its run of "
                        "silu_and_mul in fp32 on [6 x 8]"));
  EXPECT_HAS(failure_of(faulty("faulty.abort")), ("faulty.abort: crashed with SIGABRT"));
  EXPECT_HAS(failure_of(faulty("faulty.exit")), ("faulty.exit: called exit() during its run"));
  EXPECT_HAS(failure_of(faulty("faulty.hang")), ("faulty.hang: did not return within 2 s"));
  EXPECT_HAS(failure_of(faulty("faulty.segv_on_long_inputs")), ("SIGSEGV"));

  // The kernel that runs, after all of those: its output comes back from its child.
  BitTensor y;
  ASSERT_EQ(failure_of(faulty("faulty.copies_up"), &y), "");
  for (std::int64_t r = 0; r < 6; ++r)
    for (std::int64_t c = 0; c < 4; ++c)
      EXPECT_EQ(y.at(r, c), 0x3f800000u + static_cast<std::uint32_t>(r * 8 + 4 + c)) << r << "," << c;
}

TEST(PluginIsolation, AClaimFunctionThatCrashesIsTheKernelsFailure) {
  faulty("faulty.copies_up");
  const RoutingKernel* k = find_routing_kernel("faulty.claim_segv");
  ASSERT_NE(k, nullptr);
  RoutingConfig c;
  c.experts = 16, c.n_group = 4, c.topk_group = 2, c.topk = 3;
  try {
    (void)k->claim(c, Format::fp32, Format::fp32);
    FAIL() << "claim_for crashed in the caller's process, or not at all";
  } catch (const KernelCrash& e) {
    EXPECT_HAS(std::string(e.what()), ("faulty.claim_segv: crashed with SIGSEGV"));
  }
}

/// The PluginError of loading the faulty plugin built as `variant`, isolated.
std::string load_error(const std::string& variant, double timeout = 2.0) {
  try {
    load_plugin(test_plugin(variant), Isolation{true, timeout});
  } catch (const PluginError& e) {
    return e.what();
  }
  return "";
}

TEST(PluginIsolation, AnEntryPointThatIsDataFaultsInTheChild) {
  const std::string path = test_plugin("faulty_data_entry");
  EXPECT_HAS(load_error("faulty_data_entry"),
              (path + ": crashed with SIGSEGV (signal 11: Segmentation fault) during loading"));
  // In ulpcheck's own process the same plugin takes the process down: why isolation exists.
  EXPECT_DEATH(load_plugin(path), "");
}

TEST(PluginIsolation, ACountPastTheArrayIsReadInTheChildOnly) {
  // Past the array lies whatever the library holds next: a descriptor check fails on it, or
  // the read faults; either way it is a PluginError, and this process read none of it.
  const std::string why = load_error("faulty_count_past_end");
  EXPECT_HAS(why, (test_plugin("faulty_count_past_end") + ": "));
}

TEST(PluginIsolation, AnEntryPointThatHangsIsKilled) {
  EXPECT_HAS(load_error("faulty_hang_in_entry", 0.5), ("did not return within 0.5 s from loading"));
}

TEST(PluginIsolation, ACudaMemoryKernelIsRefusedUnderIsolationOnly) {
  EXPECT_HAS(load_error("faulty_cuda_memory"),
              ("kernel 'faulty_cuda.copies_up' takes CUDA memory, and --isolate runs host-memory kernels "
                        "only"));
  EXPECT_EQ(find_kernel("faulty_cuda.copies_up"), nullptr);
  EXPECT_NO_THROW(load_plugin(test_plugin("faulty_cuda_memory")));  // in-process, it loads
  EXPECT_NE(find_kernel("faulty_cuda.copies_up"), nullptr);
}

}  // namespace
}  // namespace ulpcheck
