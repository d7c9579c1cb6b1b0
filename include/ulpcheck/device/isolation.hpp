// Running a plugin's code in a child process (--isolate): a kernel that crashes, aborts,
// exits or hangs then ends only that child, and ulpcheck reports it as the kernel's failure
// and goes on. In-process, such a plugin takes ulpcheck down with it, and no check of a
// shared library's table or code can prevent that.
//
// The child is a fork of the caller, made per call: it sees the caller's memory as it was
// (inputs, the plugin's tables) and gives back only what it writes into SharedBytes. So it
// serves host-memory kernels: a forked process cannot use its parent's CUDA context.
#pragma once

#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

#include "ulpcheck/device/kernel.hpp"

namespace ulpcheck {

/// How plugin kernels run. Off: in ulpcheck's own process (the fastest; a crash ends it).
struct Isolation {
  bool enabled = false;
  double timeout_seconds = 60;  ///< per call; a child still running then is killed
};

/// A kernel's call ended so that it cannot be measured: its child process died (a signal,
/// named in the message, or an exit the kernel made itself), was killed at the timeout, or
/// the kernel's fault lost this process's CUDA context (cuda/runtime.hpp).
struct KernelCrash : KernelError {
  enum class Cause {
    died,        ///< its process; the next call starts a new one
    hung,        ///< killed at the timeout; each further call would wait it out too
    device_lost  ///< a sticky CUDA error: no later CUDA call of this process succeeds
  };
  KernelCrash(const std::string& message, Cause why) : KernelError(message), cause(why) {}
  Cause cause;
  /// Whether calling the kernel again tells nothing new, only at a cost (a timeout) or not
  /// at all (the CUDA context is gone).
  bool calls_are_over() const { return cause != Cause::died; }
};

/// Memory that a forked child writes and its parent reads: an anonymous shared mapping,
/// zero-filled. Moves, does not copy.
class SharedBytes {
 public:
  explicit SharedBytes(std::size_t size);
  SharedBytes(SharedBytes&& other) noexcept;
  SharedBytes& operator=(SharedBytes&&) = delete;
  ~SharedBytes();
  unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  unsigned char* data_;
  std::size_t size_;
};

/// Runs `body` in a forked child and waits for it. Returns when `body` returned there;
/// throws KernelCrash("<who>: <what happened> during <call>") when the child died by a
/// signal, exited before `body` returned, or ran past `timeout_seconds` (then it is killed),
/// and KernelError when no child could be made. `body` must report through SharedBytes:
/// nothing else it changes reaches this process.
void run_in_child(const std::string& who, const std::string& call, double timeout_seconds,
                  const std::function<void()>& body);

/// `call()`'s result: computed here when isolation is off, else in a child (run_in_child)
/// that hands it back through shared memory.
template <class Result>
Result run_isolated(const Isolation& isolation, const std::string& who, const std::string& call,
                    const std::function<Result()>& fn) {
  static_assert(std::is_trivially_copyable_v<Result>, "the result crosses processes as bytes");
  if (!isolation.enabled) return fn();
  SharedBytes shared(sizeof(Result));
  run_in_child(who, call, isolation.timeout_seconds, [&] {
    const Result r = fn();
    std::memcpy(shared.data(), &r, sizeof r);
  });
  Result r;
  std::memcpy(&r, shared.data(), sizeof r);
  return r;
}

}  // namespace ulpcheck
