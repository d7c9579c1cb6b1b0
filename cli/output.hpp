// Where a command's document goes: standard output, or -o FILE written atomically.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace ulpcheck::cli {

/// Refuses an output path (given to `flag`) that cannot be written, before anything is
/// measured.
void check_output_path(const std::string& path, const char* flag = "-o");

/// Writes `text` to -o FILE (atomically) or, without one, to standard output.
void emit(const std::optional<std::string>& output, const std::string& text);

/// The JSON document in file `path`; throws UsageError beginning with `where` when it cannot
/// be read or is not JSON.
nlohmann::json read_json_file(const std::string& path, const std::string& where);

}  // namespace ulpcheck::cli
