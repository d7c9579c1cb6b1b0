// MPFR keeps caches per thread (constants it has computed, a pool of integers for its
// functions' intermediate values) until mpfr_free_cache2 frees them: "you should call this
// function before terminating a thread" (MPFR's manual, "Memory Handling"). The oracle runs
// on parallel_for's threads, started anew for each batch, so without it every batch leaked
// those caches (LeakSanitizer: tens of KB per thread, from mpfr_exp_2 and others). Internal
// to reference/.
#pragma once

#include <mpfr.h>

namespace ulpcheck::detail {

/// Makes the calling thread free its MPFR caches as it ends. Called where the oracle starts
/// computing with MPFR on a thread (each Ziv rung, a routed token, an exact sum's terms);
/// after the first call on a thread, a check of a thread-local flag.
inline void free_mpfr_caches_at_thread_exit() {
  struct FreeAtExit {
    ~FreeAtExit() { mpfr_free_cache2(MPFR_FREE_LOCAL_CACHE); }
  };
  thread_local const FreeAtExit free_at_exit;
  (void)free_at_exit;
}

}  // namespace ulpcheck::detail
