// An exclusive lock on a golden directory (internal to golden/): writers that read, change
// and rewrite a golden file in it (fuzz runs keeping counterexamples) take turns.
//
// The lock is an flock on the directory itself, not on a "<file>.lock" beside the file: a
// lock file would be left behind in a checkout's golden/data, untracked, after every run.
// Not on the golden file either: it is replaced by a rename, so a writer waiting on the old
// inode and one arriving after the rename would both get in. The directory is never
// replaced. One lock per directory also serialises writers of different ops' files there,
// which costs little (a write takes milliseconds, a fuzz failure far longer).
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ulpcheck/golden/elementwise/golden_file.hpp"

namespace ulpcheck::golden {

/// An exclusive flock on the directory `dir` for the life of the object; creates nothing.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir) : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ < 0)
      throw GoldenError(fmt::format("{}: cannot open the directory to lock it ({}); give an existing, readable directory",
                                    dir, std::strerror(errno)));
    if (::flock(fd_, LOCK_EX) != 0) {
      const int error = errno;
      ::close(fd_);
      // NFS emulates flock with byte-range locks, which need a file open for writing: a
      // directory cannot be, so the lock fails there (EBADF) unless mounted local_lock=flock.
      throw GoldenError(fmt::format("{}: cannot lock the directory ({}); on NFS mount it with local_lock=flock or give "
                                    "a directory on a local disk",
                                    dir, std::strerror(error)));
    }
  }
  ~DirectoryLock() { ::close(fd_); }  // closing releases the lock
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_;
};

}  // namespace ulpcheck::golden
