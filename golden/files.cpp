#include "ulpcheck/golden/files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/reference/routing.hpp"
#include "ulpcheck/runs/request_error.hpp"
#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck::golden {

namespace fs = std::filesystem;

std::string golden_path(const std::string& dir, std::string_view op) {
  return (fs::path(dir) / (std::string(op) + ".h5")).string();
}

std::string file_op(const FileOf<ElementwiseFamily>& f) { return std::string(f.op->name); }
std::string file_op(const FileOf<RoutingFamily>&) { return std::string(kRoutingOpName); }
std::string file_op(const FileRef& f) {
  return std::visit([](const auto& file) { return file_op(file); }, f);
}
std::string file_path(const std::string& dir, const FileRef& f) { return golden_path(dir, file_op(f)); }

void add_files(ElementwiseFamily, const std::vector<std::string>& ops, std::vector<FileRef>& out) {
  for (const ElementwiseOp* op : all_ops())
    if (ops.empty() || std::ranges::find(ops, op->name) != ops.end()) out.push_back(FileOf<ElementwiseFamily>{op});
}

void add_files(RoutingFamily, const std::vector<std::string>& ops, std::vector<FileRef>& out) {
  if (ops.empty() || std::ranges::find(ops, kRoutingOpName) != ops.end()) out.push_back(FileOf<RoutingFamily>{});
}

std::vector<FileRef> named_files(const std::vector<std::string>& ops) {
  for (const std::string& n : ops) require_known_op(n);
  std::vector<FileRef> files;
  Families::for_each([&](auto family) { add_files(family, ops, files); });
  return files;
}

void require_dir(const std::string& dir, bool create) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (create && !fs::exists(dir, ec) && fs::create_directories(dir, ec)) return;
  throw RequestError(fmt::format("--dir {}: {}; run from the repository root (golden files live in {}) or give --dir",
                                 dir, fs::exists(dir) ? "not a directory" : "no such directory", kDefaultDir));
}

std::vector<FileRef> files_present(const std::string& dir, const std::vector<std::string>& ops) {
  require_dir(dir, false);
  std::vector<FileRef> files = named_files(ops);
  if (!ops.empty()) return files;
  std::erase_if(files, [&](const FileRef& f) { return !fs::exists(file_path(dir, f)); });
  if (files.empty())
    throw RequestError(fmt::format("--dir {}: holds no golden file of any op ({}); create them with 'ulpcheck golden "
                                   "regen --dir {}'",
                                   dir, all_op_names(), dir));
  return files;
}

}  // namespace ulpcheck::golden
