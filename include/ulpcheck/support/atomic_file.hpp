// Files replaced whole or not at all. The new content goes to a temporary beside the file,
// created under a name no other writer has ("<file>.tmp.XXXXXX", opened O_EXCL), is
// flushed to disk and renamed over the file, and then the directory is flushed: a reader
// sees the old file or the new one, never part of one, even after a crash. A failed write
// leaves the old file as it was and removes the temporary; a process killed before the
// rename leaves its temporary behind and the file as it was.
#pragma once

#include <string>
#include <string_view>

namespace ulpcheck {

/// Writes `text` to `path` as above; to a device or a pipe already there (/dev/null,
/// /dev/stdout, a FIFO), directly; through a symbolic link to the file it leads to (the link
/// stays). Throws std::runtime_error naming the path and the
/// system's reason.
void write_file_atomically(const std::string& path, std::string_view text);

/// The same steps for writers that open the file themselves by name (HDF5): the constructor
/// creates the temporary, empty; the writer fills temp_path() (or calls write()), then
/// commit() puts it in place. The destructor removes the temporary unless commit() renamed
/// it. A path naming a device, pipe, socket or symbolic link is refused. Errors are std::runtime_error
/// naming the path and the system's reason.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_; }
  /// Whether commit() got as far as the rename: the new content is in place, though a
  /// failure to flush the directory after it may still be thrown.
  bool renamed() const { return renamed_; }

  /// Appends `text` to the temporary.
  void write(std::string_view text);
  /// Flushes the temporary to disk, renames it over path() and flushes the directory.
  void commit();

 private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool renamed_ = false;
};

}  // namespace ulpcheck
