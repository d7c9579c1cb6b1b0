// The golden files of every family (reference/families.hpp), as the golden commands select
// them: one file per elementwise op (<op>.h5), one for routing, one for the MoE combine. A family names its files in
// golden/<family>/; generic code holds a file as FileRef and never asks which family it is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ulpcheck/reference/families.hpp"
#include "ulpcheck/reference/op.hpp"

namespace ulpcheck::golden {

template <class Family>
struct FileOf;
template <>
struct FileOf<ElementwiseFamily> {
  const ElementwiseOp* op;
};
template <>
struct FileOf<RoutingFamily> {};
template <>
struct FileOf<CombineFamily> {};

using FileRef = PerFamily<FileOf>;

/// Where golden files live when no directory is given: the repository's golden/data, as seen
/// from the repository root.
inline constexpr const char* kDefaultDir = "golden/data";

/// The file of `op` under `dir`: "<dir>/<op>.h5".
std::string golden_path(const std::string& dir, std::string_view op);

/// The op whose file it is (the file is <dir>/<op>.h5).
std::string file_op(const FileOf<ElementwiseFamily>& f);
std::string file_op(const FileOf<RoutingFamily>& f);
std::string file_op(const FileOf<CombineFamily>& f);
std::string file_op(const FileRef& f);
std::string file_path(const std::string& dir, const FileRef& f);

/// The family's files the named ops select (every file of the family when none is named).
void add_files(ElementwiseFamily, const std::vector<std::string>& ops, std::vector<FileRef>& out);
void add_files(RoutingFamily, const std::vector<std::string>& ops, std::vector<FileRef>& out);
void add_files(CombineFamily, const std::vector<std::string>& ops, std::vector<FileRef>& out);

/// The files of the ops named (every op's when none is); throws RequestError for an unknown op.
std::vector<FileRef> named_files(const std::vector<std::string>& ops);
/// For commands that read files: the files of the ops named, or when none is, every file in
/// `dir`. Throws RequestError (naming --dir) when `dir` is not a directory or holds none.
std::vector<FileRef> files_present(const std::string& dir, const std::vector<std::string>& ops);

/// Throws RequestError naming --dir when `dir` is not a directory (and cannot be created,
/// with `create`).
void require_dir(const std::string& dir, bool create);

}  // namespace ulpcheck::golden
