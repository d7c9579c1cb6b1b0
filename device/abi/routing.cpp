// Routing kernels of kernel_abi.h: the claim a descriptor declares, and a run that hands
// logits, bias, ids and weights over as DLPack tensors.
#include <cmath>
#include <cstring>

#include "device/abi/abi_support.hpp"
#include "device/abi/descriptors.hpp"

namespace ulpcheck::abi {

namespace {

ulpcheck_routing_config abi_config(const RoutingConfig& c) {
  return {c.experts,
          c.n_group,
          c.topk_group,
          c.topk,
          c.scoring == Scoring::softmax ? ULPCHECK_SCORING_SOFTMAX : ULPCHECK_SCORING_SIGMOID,
          c.renormalize ? 1 : 0,
          static_cast<float>(c.routed_scaling_factor)};
}

/// Empty when every field of the claim is valid; otherwise the first that is not.
std::string check_claim(const ulpcheck_routing_claim& c) {
  if (c.arithmetic != 0 && !format_of_bit(c.arithmetic))
    return fmt::format("claim.arithmetic is {}; expected 0 (the logits' dtype) or one of {}", c.arithmetic,
                       dtypes_help());
  if (!(c.score_abs_error >= 0)) return fmt::format("claim.score_abs_error is {}; it must be >= 0", c.score_abs_error);
  if (std::isnan(c.weight_max_ulp)) return "claim.weight_max_ulp is NaN";
  if (c.weight_max_ulp >= 0 && !(c.weight_abs_floor >= 0))
    return fmt::format("claim.weight_abs_floor is {}; it must be >= 0", c.weight_abs_floor);
  if (std::isnan(c.min_score_sum)) return "claim.min_score_sum is NaN";
  for (auto [field, v] : {std::pair{"nan_weights_when_scores_vanish", c.nan_weights_when_scores_vanish},
                          std::pair{"sorted", c.sorted}})
    if (v != 0 && v != 1) return fmt::format("claim.{} is {}; expected 0 or 1", field, v);
  return {};
}

class AbiRoutingKernel final : public RoutingKernel {
 public:
  AbiRoutingKernel(const ulpcheck_routing_kernel& k, const Isolation& isolation)
      : k_(k), name_(k.name), description_(k.description ? k.description : ""), isolation_(isolation) {}

  std::string_view name() const override { return name_; }
  std::string_view description() const override { return description_; }

  std::optional<RoutingClaim> claim(const RoutingConfig& config, Format logits, Format bias) const override {
    if (!(k_.logits_dtypes & dtype_bit(logits)) || !(k_.bias_dtypes & dtype_bit(bias))) return std::nullopt;
    if (!config.validate().empty()) return std::nullopt;
    const ulpcheck_routing_config c = abi_config(config);
    struct Declared {
      int takes;
      ulpcheck_routing_claim claim;
    };
    const Declared declared =
        !k_.claim_for
            ? Declared{1, k_.claim}
            : run_isolated<Declared>(isolation_, name_, fmt::format("its claim_for {}", config.label()), [&] {
                Declared out{0, k_.claim};
                out.takes = k_.claim_for(&c, dtype_bit(logits), dtype_bit(bias), &out.claim, k_.user_data);
                return out;
              });
    if (!declared.takes) return std::nullopt;
    const ulpcheck_routing_claim& d = declared.claim;
    if (std::string why = check_claim(d); !why.empty())
      throw KernelError(fmt::format("{}: the claim for {} ({} logits, {} bias): {}", name_, config.label(),
                                    ulpcheck::name(logits), ulpcheck::name(bias), why));
    RoutingClaim out;
    out.arithmetic = d.arithmetic == 0 ? logits : *format_of_bit(d.arithmetic);
    out.score_abs_error = d.score_abs_error;
    if (d.weight_max_ulp >= 0) out.weights = Budget{d.weight_max_ulp, d.weight_abs_floor};
    if (d.min_score_sum >= 0) out.min_score_sum = d.min_score_sum;
    out.nan_weights_when_scores_vanish = d.nan_weights_when_scores_vanish != 0;
    out.sorted = d.sorted != 0;
    return out;
  }

  void run(const RoutingConfig& config, const RoutingInputs& in, RoutingOutputs& out) const override {
    require_valid_run(name_, config, in, out);
    if (!claim(config, in.logits_format, in.bias_format))
      throw KernelError(fmt::format("{}: does not take {} with {} logits and {} bias", name_, config.label(),
                                    ulpcheck::name(in.logits_format), ulpcheck::name(in.bias_format)));
    require_memory(name_, k_.memory);
    const std::string call = fmt::format("its run of {} on {} tokens ({} logits, {} bias)", config.label(), in.tokens,
                                         ulpcheck::name(in.logits_format), ulpcheck::name(in.bias_format));
    const cuda::CallScope scope(name_, call);
    const BitTensor logits{in.logits_format, in.tokens, config.experts, in.logits};
    const BitTensor bias{in.bias_format, 1, config.experts, in.bias};
    Staging logits_s(k_.memory, to_storage_bytes(logits)), bias_s(k_.memory, to_storage_bytes(bias));
    Staging ids_s(k_.memory, out.ids.size() * sizeof(std::int32_t), isolation_);
    Staging weights_s(k_.memory, out.weights.size() * sizeof(float), isolation_);
    const Tensor logits_t(logits_s.data(), dl_dtype(in.logits_format), {in.tokens, config.experts}, k_.memory);
    const Tensor bias_t(bias_s.data(), dl_dtype(in.bias_format), {config.experts}, k_.memory);
    Tensor ids_t(ids_s.data(), dl_int32(), {in.tokens, config.topk}, k_.memory);
    Tensor weights_t(weights_s.data(), dl_dtype(Format::fp32), {in.tokens, config.topk}, k_.memory);
    const ulpcheck_routing_config c = abi_config(config);
    RunOutcome outcome = call_run(isolation_, name_, call, [&](char* error, std::size_t size) {
      return k_.run(&c, &logits_t.t, &bias_t.t, &ids_t.t, &weights_t.t, nullptr, k_.user_data, error, size);
    });
    check_outcome(name_, outcome);
    finish(name_, k_.memory);
    std::memcpy(out.ids.data(), ids_s.fetch().data(), out.ids.size() * sizeof(std::int32_t));
    std::memcpy(out.weights.data(), weights_s.fetch().data(), out.weights.size() * sizeof(float));
  }

 private:
  const ulpcheck_routing_kernel& k_;
  std::string name_, description_;
  Isolation isolation_;
};

void check_routing(const ulpcheck_routing_kernel& k, const std::string& where) {
  if (!k.run) fail(where, "run is NULL");
  if (std::string why = check_dtypes("logits_dtypes", k.logits_dtypes); !why.empty()) fail(where, why);
  if (std::string why = check_dtypes("bias_dtypes", k.bias_dtypes); !why.empty()) fail(where, why);
  if (std::string why = check_memory(k.memory); !why.empty()) fail(where, why);
  if (std::string why = check_claim(k.claim); !why.empty()) fail(where, why);
}

}  // namespace

void add_routing_kernels(std::span<const ulpcheck_routing_kernel> descs, const Isolation& isolation,
                         AbiKernels& out) {
  for (std::size_t i = 0; i < descs.size(); ++i) {
    const ulpcheck_routing_kernel& k = descs[i];
    bool repeat = false;
    for (std::size_t j = 0; j < i; ++j) repeat = repeat || (k.name && descs[j].name && std::string_view(k.name) == descs[j].name);
    const std::string where = check_name("routing kernel", i, k.name, false);
    if (repeat) fail(where, "the table names a routing kernel this twice; names must be unique");
    check_routing(k, where);
    out.routing.push_back(std::make_unique<AbiRoutingKernel>(k, isolation));
  }
}

}  // namespace ulpcheck::abi
