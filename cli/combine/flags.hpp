// The MoE combine family's flags (moe_combine's config and batch size), grouped under the
// op's name in --help. --hidden and --routed-scaling-factor are the combine's own; --topk
// and --tokens are the flags of those names a report already has where it has them (the
// routing's top-k is the combine's, and --tokens sizes a batch for both), and added here
// otherwise.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "ulpcheck/runs/combine/report.hpp"

namespace ulpcheck::cli {

/// The values given to the combine flags; filled by CLI11.
class CombineFlags {
 public:
  /// Adds the combine flags to `sub`, after the routing and layout flags so that --topk and
  /// --tokens are found there when present. The combine's own flags check their values at
  /// parse: --hidden in [1, 65536], --routed-scaling-factor a finite number > 0; --topk and
  /// --tokens, where added here, in [1, 32] and [1, kMaxCombineTokens].
  void add_to(CLI::App& sub);
  /// The values given, read from the shared flags too. plan_combine checks what parsing
  /// cannot (a factor beyond fp32, a batch too large, a shared flag's value out of the
  /// combine's range) and throws RequestError naming the flag: the command's exit 2.
  CombineReportOptions given() const;
  /// The flags added here, for options that exclude them (--diff).
  const std::vector<CLI::Option*>& options() const { return options_; }

 private:
  std::optional<int> topk_, hidden_;
  std::optional<std::int64_t> tokens_;
  std::optional<std::string> factor_;
  CLI::Option* shared_topk_ = nullptr;    ///< another family's --topk, when the report had one
  CLI::Option* shared_tokens_ = nullptr;  ///< the layout's --tokens, when the report had one
  std::vector<CLI::Option*> options_;
};

}  // namespace ulpcheck::cli
