// `golden check` as a library call: which files and kernels a request selects, then each
// kernel run over the inputs of each file it takes, measured against the answers the file
// records (trusted here; verify rechecks them), with progress through an Observer.
#pragma once

#include <string>
#include <vector>

#include "ulpcheck/golden/combine/check.hpp"
#include "ulpcheck/golden/elementwise/check.hpp"
#include "ulpcheck/golden/files.hpp"
#include "ulpcheck/golden/routing/check.hpp"
#include "ulpcheck/runs/observer.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck::golden {

/// What one kernel over one file of a family gives: the family's groups measured.
template <class Family>
struct FileCheckPart;
template <>
struct FileCheckPart<ElementwiseFamily> {
  using Result = FileCheck;
};
template <>
struct FileCheckPart<RoutingFamily> {
  using Result = RoutingFileCheck;
};
template <>
struct FileCheckPart<CombineFamily> {
  using Result = CombineFileCheck;
};
template <class Family>
using FileCheckFor = typename FileCheckPart<Family>::Result;

/// One kernel run over one file.
struct KernelCheck {
  std::string kernel;
  std::string path;
  PerFamily<FileCheckFor> check;

  std::size_t groups() const;
  std::size_t failed() const;
};

struct CheckRequest {
  std::string dir = kDefaultDir;
  std::vector<std::string> ops;      ///< empty: every op with a file in dir
  std::vector<std::string> kernels;  ///< empty: every kernel that can run here
};

struct CheckPlan {
  std::string dir;
  std::vector<FileRef> files;
  KernelSelection kernels;
};

/// Resolves the request; throws RequestError for an unknown op or kernel, a --dir that is
/// not a directory or holds no golden file.
CheckPlan plan_check(const CheckRequest& request);

/// Every selected kernel over every file whose op it implements, in file then kernel order.
/// A kernel that takes none of a file's groups is left out (a routing kernel whose groups
/// were all skipped is kept, with the reasons). Throws GoldenError for a file that cannot
/// be read, KernelError for a kernel that cannot run.
std::vector<KernelCheck> run_check(const CheckPlan& plan, Observer& observer);

/// A family's part of run_check: its kernels over the file at `path`.
void check_file(const std::string& path, const FileOf<ElementwiseFamily>& file, const KernelSelection& kernels,
                Observer& observer, std::vector<KernelCheck>& out);
void check_file(const std::string& path, const FileOf<RoutingFamily>& file, const KernelSelection& kernels,
                Observer& observer, std::vector<KernelCheck>& out);
void check_file(const std::string& path, const FileOf<CombineFamily>& file, const KernelSelection& kernels,
                Observer& observer, std::vector<KernelCheck>& out);

}  // namespace ulpcheck::golden
