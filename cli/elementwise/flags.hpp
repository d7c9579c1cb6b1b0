// The elementwise family's flags: one --<name> per parameter an op declares (ParamSpec), so
// a new parameter becomes a flag of every subcommand that takes parameters without code here.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/runs/resolve.hpp"

namespace ulpcheck::cli {

/// The values given to the parameter flags, by parameter name; filled by CLI11.
class ParamFlags {
 public:
  /// Adds --<name> for every parameter name some op declares, with the ops' own docs.
  void add_to(CLI::App& sub);
  /// The values given, by name (empty when none was).
  ParamValues given() const;
  /// The flags added, for options that exclude them.
  const std::vector<CLI::Option*>& options() const { return options_; }

 private:
  std::map<std::string, std::optional<std::string>> text_;
  std::vector<CLI::Option*> options_;
};

}  // namespace ulpcheck::cli
