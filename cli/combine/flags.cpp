#include "cli/combine/flags.hpp"

#include <fmt/format.h>

#include "cli/validators.hpp"

namespace ulpcheck::cli {

namespace {

constexpr const char* kCombineGroup = "moe_combine";

}  // namespace

void CombineFlags::add_to(CLI::App& sub) {
  shared_topk_ = sub.get_option_no_throw("--topk");
  shared_tokens_ = sub.get_option_no_throw("--tokens");
  if (!shared_topk_)
    options_.push_back(sub.add_option("--topk", topk_, "routed experts per token (moe_combine; default 8)")
                           ->check(CLI::Range(1, 32))
                           ->group(kCombineGroup));
  options_.push_back(
      sub.add_option("--hidden", hidden_,
                     "hidden size of the combined outputs (moe_combine; default 256)")
          ->check(CLI::Range(1, 65536))
          ->group(kCombineGroup));
  if (!shared_tokens_)
    options_.push_back(sub.add_option("--tokens", tokens_,
                                      fmt::format("tokens per config and dtype (moe_combine; default {})",
                                                  kDefaultCombineTokens))
                           ->check(CLI::Range(std::int64_t{1}, kMaxCombineTokens))
                           ->group(kCombineGroup));
  options_.push_back(sub.add_option("--routed-scaling-factor", factor_,
                                    "routed_scaling_factor of moe_combine, rounded to fp32 (default: three configs, factors "
                                    "2.5, 16 and 1; a config flag measures DeepSeek-V3's, k=8 hidden=256 scale=2.5, "
                                    "with the values given)")
                         ->check(finite_positive())
                         ->group(kCombineGroup));
}

CombineReportOptions CombineFlags::given() const {
  CombineReportOptions o;
  o.topk = topk_;
  if (shared_topk_ && shared_topk_->count() > 0) o.topk = shared_topk_->as<int>();
  o.hidden = hidden_;
  o.tokens = tokens_;
  if (shared_tokens_ && shared_tokens_->count() > 0) o.tokens = shared_tokens_->as<std::int64_t>();
  o.routed_scaling_factor = factor_;
  return o;
}

}  // namespace ulpcheck::cli
