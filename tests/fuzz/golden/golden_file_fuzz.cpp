// libFuzzer harness of the golden file readers: what `golden check`, `golden verify`,
// `golden show` and `exhaustive --against` do with a file before they compute anything.
// The input is the file's bytes; each reader runs over it (read_golden, read_routing_golden,
// read_combine_golden, read_exhaustive), and a file a reader accepts is walked as verify
// walks it (check_integrity with its family's layout: every member read, every digest
// recomputed).
//
// A damaged file is expected: the readers' answer to it is a GoldenError naming the object.
// Anything else is a finding: a crash, a sanitizer report, another exception escaping, an
// HDF5 handle left open, a hang or a runaway allocation (libFuzzer's -timeout and
// -malloc_limit_mb).
//
// The bytes go to a file in a directory of its own under /dev/shm (memory, where it is
// mounted; the system's temporary directory otherwise; $ULPCHECK_FUZZ_DIR overrides it):
// the readers open a path, as the commands do. An in-memory file's /proc/self/fd path will
// not do: HDF5 1.10 resolves the path it opens with realpath(), which fails for it. Both are
// removed after each input.
#include <hdf5.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "golden/layouts.hpp"
#include "ulpcheck/golden/combine/golden_file.hpp"
#include "ulpcheck/golden/elementwise/golden_file.hpp"
#include "ulpcheck/golden/exhaustive/record.hpp"
#include "ulpcheck/golden/routing/golden_file.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace {

using namespace ulpcheck;
using namespace ulpcheck::golden;

/// The input as a file, in a directory of its own, both removed when it goes out of scope
/// (at the end of each input: libFuzzer ends without running exit handlers).
class InputFile {
 public:
  InputFile(const std::uint8_t* data, std::size_t size) {
    const char* base = std::getenv("ULPCHECK_FUZZ_DIR");
    const std::filesystem::path under = base                                  ? std::filesystem::path(base)
                                        : std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                              : std::filesystem::temp_directory_path();
    std::string dir = (under / "golden_file_fuzz.XXXXXX").string();
    if (!mkdtemp(dir.data())) fail("mkdtemp " + dir);
    dir_ = dir;
    path_ = (dir_ / "input.h5").string();
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) fail("writing " + path_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;
  ~InputFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] static void fail(const std::string& what) {
    std::perror(("golden_file_fuzz: " + what).c_str());
    std::abort();
  }
  std::filesystem::path dir_;
  std::string path_;
};

/// Runs one reader; a GoldenError is the expected answer to a damaged file.
template <class Read>
void read_expecting_golden_error(Read read) {
  try {
    read();
  } catch (const GoldenError&) {
  }
}

}  // namespace

// HDF5 allocates what a damaged size field asks for and fails cleanly when malloc returns
// NULL, as it does outside the sanitizer for a request of 2^58 bytes; AddressSanitizer
// aborts on such a request unless told to return NULL. A request that succeeds but passes
// -malloc_limit_mb, and a std::bad_alloc from ulpcheck's own code, remain findings.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const InputFile file(data, size);
  const std::string& path = file.path();

  read_expecting_golden_error([&] {
    const GoldenFile f = read_golden(path);
    const ElementwiseOp& op = *find_op(f.op);  // read_golden checked it
    check_integrity(path, [&](const std::vector<std::string>& at) { return elementwise_layout(op, at); });
  });
  read_expecting_golden_error([&] {
    read_routing_golden(path);
    check_integrity(path, routing_layout);
  });
  read_expecting_golden_error([&] {
    read_combine_golden(path);
    check_integrity(path, combine_layout);
  });
  read_expecting_golden_error([&] { read_exhaustive(path); });

  // Every reader closes what it opened, whichever way it ended: a handle left open would
  // keep the file open in HDF5 and serve the next input from its cache.
  if (const ssize_t open = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL); open != 0) {
    std::fprintf(stderr, "golden_file_fuzz: %zd HDF5 objects left open after the readers\n", open);
    std::abort();
  }
  return 0;
}
