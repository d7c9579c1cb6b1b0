// An exclusive lock on "<path>.lock" (internal to golden/): writers of one golden file that
// read, change and rewrite it (fuzz runs keeping counterexamples) take turns.
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ulpcheck/golden/golden_file.hpp"

namespace ulpcheck::golden {

/// An exclusive flock on "<path>.lock" for the life of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(::open((path + ".lock").c_str(), O_CREAT | O_RDWR, 0644)) {
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0)
      throw GoldenError(fmt::format("{}.lock: cannot lock ({}); is the directory writable?", path, std::strerror(errno)));
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace ulpcheck::golden
