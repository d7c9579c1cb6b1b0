#include "cli/output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <filesystem>

#include "cli/usage_error.hpp"
#include "ulpcheck/support/atomic_file.hpp"

namespace ulpcheck::cli {

void check_output_path(const std::string& path, const char* flag) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.empty()) throw UsageError(fmt::format("{}: empty file name", flag));
  if (fs::is_directory(path, ec)) throw UsageError(fmt::format("{} {}: is a directory; give a file name", flag, path));
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  if (!fs::is_directory(dir, ec))
    throw UsageError(fmt::format("{} {}: directory {} does not exist; create it first", flag, path, dir.string()));
  if (::access(dir.c_str(), W_OK) != 0)
    throw UsageError(fmt::format("{} {}: directory {} is not writable", flag, path, dir.string()));
}

void emit(const std::optional<std::string>& output, const std::string& text) {
  if (!output) {
    // A full disk or a closed pipe behind standard output loses the text: say so.
    const bool written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
    if (std::fflush(stdout) != 0 || !written || std::ferror(stdout))
      throw UsageError(fmt::format("standard output: cannot write ({})", std::strerror(errno)));
    return;
  }
  try {
    write_file_atomically(*output, text);
  } catch (const std::runtime_error& e) {
    throw UsageError(fmt::format("-o {}", e.what()));
  }
}

nlohmann::json read_json_file(const std::string& path, const std::string& where) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot read ({})", where, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  // "[json.exception.parse_error.101] parse error at line 3, ...": the part after the tag.
  const auto untagged = [](std::string what) {
    if (const auto end = what.find("] "); what.starts_with("[json.exception") && end != std::string::npos)
      what = what.substr(end + 2);
    return what;
  };
  try {
    return nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(fmt::format("{}: not valid JSON: {}", where, untagged(e.what())));
  } catch (const nlohmann::json::out_of_range& e) {
    // A number no double holds (1e400): valid JSON, but not a value a report can hold.
    // Found by tests/fuzz/reports/report_document_fuzz; it was an internal error (exit 3).
    throw UsageError(fmt::format("{}: a number beyond double's range: {}", where, untagged(e.what())));
  }
}

}  // namespace ulpcheck::cli
