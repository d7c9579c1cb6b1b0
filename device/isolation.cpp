#include "ulpcheck/device/isolation.hpp"

#include <fmt/format.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ulpcheck {

namespace {

/// The child's status when `body` returned; any other way out of the child is a crash.
constexpr int kReturned = 0;
/// The status of a child whose code called exit(): the handler the child registers last
/// runs first, and leaves before the parent's handlers (HDF5's among them, with the
/// parent's open files) and stdio buffers run a second time.
constexpr int kCalledExit = 97;

std::string errno_text(int e) { return std::strerror(e); }

std::string signal_text(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  const char* description = strsignal(sig);
  return fmt::format("SIG{} (signal {}: {})", abbrev ? abbrev : "?", sig, description ? description : "unknown");
}

}  // namespace

SharedBytes::SharedBytes(std::size_t size) : size_(size) {
  void* p = mmap(nullptr, std::max<std::size_t>(size, 1), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    throw KernelError(fmt::format("cannot map {} bytes shared with a child process: {}", size, errno_text(errno)));
  data_ = static_cast<unsigned char*>(p);
}

SharedBytes::SharedBytes(SharedBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SharedBytes::~SharedBytes() {
  if (data_) munmap(data_, std::max<std::size_t>(size_, 1));
}

void run_in_child(const std::string& who, const std::string& call, double timeout_seconds,
                  const std::function<void()>& body) {
  int done[2];  // the child holds the write end: it closes when the child is gone
  if (pipe2(done, O_CLOEXEC) != 0)
    throw KernelError(fmt::format("{}: cannot make a pipe to a child process: {}", who, errno_text(errno)));
  std::fflush(nullptr);  // buffered output would otherwise be written by both processes
  const pid_t pid = fork();
  if (pid < 0) {
    const int e = errno;
    close(done[0]);
    close(done[1]);
    throw KernelError(fmt::format("{}: cannot fork a child process for {}: {}", who, call, errno_text(e)));
  }
  if (pid == 0) {
    close(done[0]);
    const rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);  // a crash leaves no core file in the user's directory
    std::atexit([] { _exit(kCalledExit); });
    try {
      body();
    } catch (...) {
      _exit(kCalledExit + 1);
    }
    _exit(kReturned);
  }
  close(done[1]);

  const auto start = std::chrono::steady_clock::now();
  bool timed_out = false;
  for (;;) {
    const double left = timeout_seconds - std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{done[0], POLLIN, 0};
    const int wait_ms = static_cast<int>(std::min(std::ceil(left * 1000), 3.6e6));
    const int n = poll(&p, 1, wait_ms);
    if (n > 0) break;  // POLLHUP: the child's end closed
    if (n < 0 && errno != EINTR) break;
  }
  close(done[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (timed_out)
    throw KernelCrash(fmt::format("{}: did not return within {:g} s from {} (killed; the timeout is --isolate-timeout)",
                                  who, timeout_seconds, call),
                      KernelCrash::Cause::hung);
  if (WIFSIGNALED(status))
    throw KernelCrash(fmt::format("{}: crashed with {} during {}", who, signal_text(WTERMSIG(status)), call),
                      KernelCrash::Cause::died);
  if (WIFEXITED(status) && WEXITSTATUS(status) != kReturned) {
    const int code = WEXITSTATUS(status);
    throw KernelCrash(fmt::format("{}: {} during {}", who,
                                  code == kCalledExit       ? "called exit()"
                                  : code == kCalledExit + 1 ? "threw a C++ exception out of its entry point"
                                                            : fmt::format("exited with status {}", code),
                                  call),
                      KernelCrash::Cause::died);
  }
}

}  // namespace ulpcheck
