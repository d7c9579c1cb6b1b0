#include "ulpcheck/support/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>

namespace ulpcheck {

namespace {

std::string reason(int error) { return std::strerror(error); }

/// Six letters and digits, different in every call and every process.
std::string random_suffix() {
  static constexpr std::string_view kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 engine{(std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}() ^
                                      static_cast<std::uint64_t>(::getpid())};
  std::uniform_int_distribution<std::size_t> pick(0, kChars.size() - 1);
  std::string s(6, ' ');
  for (char& c : s) c = kChars[pick(engine)];
  return s;
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? "." : dir.string();
}

}  // namespace

/// Whether `path` names something other than a regular file or nothing: a device such as
/// /dev/null, a pipe, a socket. Renaming over one would put a file in its place.
bool special_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::file_status s = std::filesystem::status(path, ec);
  return !ec && std::filesystem::exists(s) && !std::filesystem::is_regular_file(s) && !std::filesystem::is_directory(s);
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  if (special_file(path_))
    throw std::runtime_error(fmt::format("{}: is not a regular file (a device, pipe or socket); give a file name", path_));
  if (std::error_code ec; std::filesystem::is_symlink(std::filesystem::symlink_status(path_, ec)))
    throw std::runtime_error(fmt::format("{}: is a symbolic link; give the file it leads to", path_));
  // O_EXCL: a name another writer holds (or a link planted there) is never opened; 0666
  // less the umask, as any new file.
  for (int attempt = 0; fd_ < 0; ++attempt) {
    temp_ = path_ + ".tmp." + random_suffix();
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ < 0 && (errno != EEXIST || attempt == 100))
      throw std::runtime_error(fmt::format("{}: cannot create the temporary file {} ({})", path_, temp_, reason(errno)));
  }
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!renamed_) ::unlink(temp_.c_str());
}

void AtomicFile::write(std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd_, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("{}: cannot write the temporary file {} ({})", path_, temp_, reason(errno)));
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::commit() {
  if (::fsync(fd_) != 0)
    throw std::runtime_error(fmt::format("{}: cannot flush the temporary file {} to disk ({})", path_, temp_, reason(errno)));
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0)
    throw std::runtime_error(fmt::format("{}: cannot close the temporary file {} ({})", path_, temp_, reason(errno)));
  if (std::rename(temp_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error(fmt::format("{}: cannot rename {} into place ({})", path_, temp_, reason(errno)));
  renamed_ = true;
  // The rename itself lasts only once the directory is on disk. Some file systems cannot
  // flush a directory (EINVAL): the rename is then as durable as they make it.
  const std::string dir = directory_of(path_);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0)
    throw std::runtime_error(fmt::format("{}: renamed into place, but cannot open the directory {} to flush it ({})",
                                         path_, dir, reason(errno)));
  const int synced = ::fsync(dir_fd) == 0 ? 0 : errno;
  ::close(dir_fd);
  if (synced != 0 && synced != EINVAL)
    throw std::runtime_error(
        fmt::format("{}: renamed into place, but cannot flush the directory {} to disk ({})", path_, dir, reason(synced)));
}

/// The file a symbolic link leads to, so that the new content replaces that file and the
/// link stays; `path` itself when it is no link. A link that leads nowhere is refused.
std::string through_links(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec))) return path;
  const std::filesystem::path target = std::filesystem::canonical(path, ec);
  if (ec)
    throw std::runtime_error(fmt::format("{}: is a symbolic link to {}, which does not exist; give a file name", path,
                                         std::filesystem::read_symlink(path, ec).string()));
  return target.string();
}

void write_file_atomically(const std::string& given, std::string_view text) {
  const std::string path = through_links(given);
  if (special_file(path)) {
    // A device or a pipe (/dev/null, /dev/stdout, a FIFO) takes the text as it comes.
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open ({})", path, reason(errno)));
    while (!text.empty()) {
      const ssize_t n = ::write(fd, text.data(), text.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int error = errno;
        ::close(fd);
        throw std::runtime_error(fmt::format("{}: cannot write ({})", path, reason(error)));
      }
      text.remove_prefix(static_cast<std::size_t>(n));
    }
    ::close(fd);
    return;
  }
  AtomicFile file(path);
  file.write(text);
  file.commit();
}

}  // namespace ulpcheck
