#include "tests/properties/planted_kernels.hpp"

#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <iterator>
#include <vector>

#include "ulpcheck/device/host/elementwise_kernel.hpp"
#include "ulpcheck/device/math/silu.cuh"
#include "ulpcheck/device/gelu_family_claims.hpp"
#include "ulpcheck/device/math/gelu.cuh"
#include "ulpcheck/device/silu_family_claims.hpp"
#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::planted {

namespace {

using math::clamp_gate;
using math::clamp_up;
using math::round_to_storage;
using math::silu_fp32;

template <Format F>
float clamp_after_activation(float g, float u, float L) {  // min(silu(g), L): the order swapped
  return round_to_storage<F>(std::fmin(silu_fp32(g), L) * clamp_up(u, L));
}
template <Format F>
float gate_clamped_both_sides(float g, float u, float L) {  // clamp(g, -L, L) instead of min(g, L)
  return round_to_storage<F>(silu_fp32(clamp_up(g, L)) * clamp_up(u, L));
}
template <Format F>
float up_unclamped(float g, float u, float L) {
  return round_to_storage<F>(silu_fp32(clamp_gate(g, L)) * u);
}
template <Format F>
float gate_up_swapped(float g, float u, float L) {
  return round_to_storage<F>(silu_fp32(clamp_gate(u, L)) * clamp_up(g, L));
}
template <Format F>
float nan_clamped_to_limit(float g, float u, float L) {  // fminf/fmaxf return the non-NaN operand
  return round_to_storage<F>(silu_fp32(std::fmin(g, L)) * std::fmax(std::fmin(u, L), -L));
}
template <Format F>
float limit_zero_means_no_clamp(float g, float u, float L) {  // `if (limit)` treats 0 as unset
  if (L == 0.0f) L = HUGE_VALF;
  return round_to_storage<F>(silu_fp32(clamp_gate(g, L)) * clamp_up(u, L));
}
/// __expf's dominant error on the host: exp2 of x * log2(e) rounded to fp32, |x| 2^-24
/// relative, about 60 fp32 ulps near |x| = 88.
struct Exp2Of {
  static float eval(float x) { return std::exp2(x * 1.44269504f); }
};
template <Format F>
float fast_exp(float g, float u, float L) {
  return round_to_storage<F>(silu_fp32<Exp2Of>(clamp_gate(g, L)) * clamp_up(u, L));
}
template <Format F>
float single_rounding(float g, float u, float L) {
  return round_to_storage<F>(silu_fp32(clamp_gate(g, L)) * clamp_up(u, L));
}
template <Format F>
float double_rounding(float g, float u, float L) {  // the clamp path's second code path
  return round_to_storage<F>(round_to_storage<F>(silu_fp32(clamp_gate(g, L))) * clamp_up(u, L));
}
template <Format F>
float truncating_conversion(float g, float u, float L) {  // fp32 -> storage by dropping bits
  const float y = silu_fp32(clamp_gate(g, L)) * clamp_up(u, L);
  std::uint32_t b;
  std::memcpy(&b, &y, 4);
  if constexpr (F == Format::bf16) b &= 0xffff0000u;
  if constexpr (F == Format::fp16) return round_to_storage<F>(y);  // (bf16 and fp32 only)
  if constexpr (F == Format::fp32) b &= 0xfffffffcu;
  float r;
  std::memcpy(&r, &b, 4);
  return r;
}
// The GELU family's planted bugs.
template <Format F>
float gelu_computes_tanh_form(float g, float u, float) {  // the Hugging Face names mixed up
  return round_to_storage<F>(math::GeluTanh::eval(g) * u);
}
template <Format F>
float gelu_tanh_truncated_kappa(float x, float, float) {  // 0.044715 typed as 0.0447
  return round_to_storage<F>(0.5f * x * (1.0f + std::tanh(math::kTanhBeta * (x + 0.0447f * x * x * x))));
}
template <Format F>
float gelu_cancelling(float g, float u, float) {  // 1 + erf, claiming the accurate form's budget
  return round_to_storage<F>(math::GeluErf::eval(g) * u);
}

template <float (*B)(float, float, float), float (*H)(float, float, float), float (*S)(float, float, float)>
constexpr std::array<ElementFn, 3> fns() {
  return {B, H, S};
}
#define PLANTED_FNS(name) fns<&name<Format::bf16>, &name<Format::fp16>, &name<Format::fp32>>()

const ElementwiseOp& clamp_op() { return *find_op("silu_and_mul_clamp"); }
const ElementwiseOp& mul_op() { return *find_op("silu_and_mul"); }

using silu_budgets::kSingle;

const HostOpImpl kClampAfter[] = {{&clamp_op(), PLANTED_FNS(clamp_after_activation), kSingle}};
const HostOpImpl kBothSides[] = {{&clamp_op(), PLANTED_FNS(gate_clamped_both_sides), kSingle}};
const HostOpImpl kUpUnclamped[] = {{&clamp_op(), PLANTED_FNS(up_unclamped), kSingle}};
const HostOpImpl kSwapped[] = {{&mul_op(), PLANTED_FNS(gate_up_swapped), kSingle}};
const HostOpImpl kNanToLimit[] = {{&clamp_op(), PLANTED_FNS(nan_clamped_to_limit), kSingle}};
const HostOpImpl kZeroUnset[] = {{&clamp_op(), PLANTED_FNS(limit_zero_means_no_clamp), kSingle}};
const HostOpImpl kFastExp[] = {{&mul_op(), PLANTED_FNS(fast_exp), kSingle}};
// Two code paths: the clamped op rounds silu(g) to storage, the plain one does not, so
// limit = inf is not the plain op.
const HostOpImpl kTwoPaths[] = {{&mul_op(), PLANTED_FNS(single_rounding), kSingle},
                                {&clamp_op(), PLANTED_FNS(double_rounding), silu_budgets::kDouble}};
const HostOpImpl kTruncating[] = {{&mul_op(), PLANTED_FNS(truncating_conversion), kSingle}};
const HostOpImpl kGeluSwapped[] = {{find_op("gelu_and_mul"), PLANTED_FNS(gelu_computes_tanh_form), gelu_budgets::kSingleGated}};
const HostOpImpl kWrongKappa[] = {{find_op("gelu_tanh"), PLANTED_FNS(gelu_tanh_truncated_kappa), gelu_budgets::kSingleUnary}};
const HostOpImpl kCancelling[] = {{find_op("gelu_and_mul"), PLANTED_FNS(gelu_cancelling), gelu_budgets::kAccurateErfc}};

/// The bits of y rounded toward zero in format f.
std::uint32_t toward_zero(Format f, float y) {
  const std::uint32_t nearest = encode(f, round_to(f, y));
  // Rounded away from zero: the next pattern toward zero (sign and magnitude: one less).
  return std::fabs(decode(f, nearest)) > std::fabs(y) ? nearest - 1 : nearest;
}

/// Indexing and batch bugs need the whole tensor, so they are kernels of their own.
class RowBugKernel final : public Kernel {
 public:
  enum class Bug { tail_dropped, up_from_row_zero, nondeterministic, truncates_above_128_tokens };
  RowBugKernel(std::string_view name, Bug bug) : name_(name), bug_(bug) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "planted indexing bug"; }
  std::optional<Budget> claim(const ElementwiseOp& o, Format f) const override {
    if (&o != &mul_op()) return std::nullopt;
    return silu_budgets::kSingle[static_cast<int>(f)];
  }
  void run(const ElementwiseOp& o, const Params&, const BitTensor& in, BitTensor& out) const override {
    const Format f = in.format;
    const std::int64_t d = out.cols;
    // The vector path runs in steps of 8 and nothing handles the rest of the row.
    const std::int64_t written = bug_ == Bug::tail_dropped ? d / 8 * 8 : d;
    for (std::int64_t r = 0; r < in.rows; ++r)
      for (std::int64_t c = 0; c < written; ++c) {
        const std::int64_t up_row = bug_ == Bug::up_from_row_zero ? 0 : r;  // forgot the token offset
        const float g = static_cast<float>(decode(f, in.at(r, c)));
        const float u = static_cast<float>(decode(f, in.at(up_row, d + c)));
        const float y = silu_fp32(g) * u;
        // Above 128 tokens the wide-load path (vLLM switches there) converts to storage
        // toward zero instead of to nearest.
        out.at(r, c) = bug_ == Bug::truncates_above_128_tokens && in.rows > 128 ? toward_zero(f, y)
                                                                                 : encode(f, round_to(f, y));
      }
    // A race: every other launch, the first element comes out one ulp up.
    if (bug_ == Bug::nondeterministic && (runs_.fetch_add(1) % 2) && !out.bits.empty()) ++out.bits[0];
    (void)o;
  }

 private:
  std::string_view name_;
  Bug bug_;
  mutable std::atomic<unsigned> runs_{0};
};

const HostElementwiseKernel kClampAfterK{"planted.clamp_after_activation", "", kClampAfter};
const HostElementwiseKernel kBothSidesK{"planted.gate_clamped_both_sides", "", kBothSides};
const HostElementwiseKernel kUpUnclampedK{"planted.up_unclamped", "", kUpUnclamped};
const HostElementwiseKernel kSwappedK{"planted.gate_up_swapped", "", kSwapped};
const HostElementwiseKernel kNanToLimitK{"planted.nan_clamped_to_limit", "", kNanToLimit};
const HostElementwiseKernel kZeroUnsetK{"planted.limit_zero_means_no_clamp", "", kZeroUnset};
const HostElementwiseKernel kFastExpK{"planted.fast_exp_under_accurate_budget", "", kFastExp};
const HostElementwiseKernel kTwoPathsK{"planted.clamp_path_rounds_twice", "", kTwoPaths};
const HostElementwiseKernel kTruncatingK{"planted.truncating_conversion", "", kTruncating};
const HostElementwiseKernel kGeluSwappedK{"planted.gelu_computes_tanh_form", "", kGeluSwapped};
const HostElementwiseKernel kWrongKappaK{"planted.gelu_tanh_truncated_kappa", "", kWrongKappa};
const HostElementwiseKernel kCancellingK{"planted.gelu_cancelling_under_accurate_budget", "", kCancelling};
const RowBugKernel kTailDroppedK{"planted.vector_tail_dropped", RowBugKernel::Bug::tail_dropped};
const RowBugKernel kUpFromRowZeroK{"planted.up_from_row_zero", RowBugKernel::Bug::up_from_row_zero};
const RowBugKernel kNondeterministicK{"planted.nondeterministic", RowBugKernel::Bug::nondeterministic};
const RowBugKernel kBatchDependentK{"planted.truncates_above_128_tokens", RowBugKernel::Bug::truncates_above_128_tokens};

const PlantedKernel kAll[] = {
    {&kClampAfterK, "clamp applied after the activation", "within_budget", "silu_and_mul_clamp"},
    {&kBothSidesK, "gate clamped on both sides", "within_budget", "silu_and_mul_clamp"},
    {&kUpUnclampedK, "up left unclamped", "within_budget", "silu_and_mul_clamp"},
    {&kSwappedK, "gate and up swapped", "within_budget", "silu_and_mul"},
    {&kNanToLimitK, "fminf turns a NaN gate into the limit", "nan_inf_semantics", "silu_and_mul_clamp"},
    {&kZeroUnsetK, "limit 0 taken as no clamp", "zero_limit_gives_zeros", "silu_and_mul_clamp"},
    {&kFastExpK, "fast exp under the accurate budget", "within_budget", "silu_and_mul"},
    {&kTruncatingK, "conversion to storage truncates", "within_budget", "silu_and_mul"},
    {&kTwoPathsK, "the clamped op takes another code path that rounds twice", "inf_limit_equals_unclamped",
     "silu_and_mul_clamp"},
    {&kNondeterministicK, "every other run differs by one bit", "reruns_are_identical", "silu_and_mul"},
    {&kTailDroppedK, "the vector path drops the tail when d is not a multiple of 8", "nan_inf_semantics",
     "silu_and_mul"},
    {&kUpFromRowZeroK, "up read without the token offset", "rows_are_independent", "silu_and_mul"},
    {&kBatchDependentK, "above 128 tokens another code path rounds toward zero", "rows_are_independent",
     "silu_and_mul"},
    {&kGeluSwappedK, "exact GELU computed with the tanh form", "within_budget", "gelu_and_mul"},
    {&kWrongKappaK, "tanh GELU with 0.044715 typed as 0.0447", "within_budget", "gelu_tanh"},
    {&kCancellingK, "1 + erf (cancels for x < 0) under the accurate kernel's tight fp32 budget", "within_budget",
     "gelu_and_mul"},
};

// --- Layout bugs: right on the shapes `report` and `golden check` used to hand over
// (even batches, d a multiple of 8 and at most 8192), wrong on others. Each is caught by
// fuzz (its shapes; see all() on the wide row) and by the default calls of report and
// golden check (default_batches).

/// A silu_and_mul kernel, correct but for one shape-dependent mistake.
class LayoutBugKernel final : public Kernel {
 public:
  enum class Bug { tail_multiplies_gate, odd_batch_last_token_unwritten, wide_row_wraps_at_8192 };
  LayoutBugKernel(std::string_view name, Bug bug) : name_(name), bug_(bug) {}
  std::string_view name() const override { return name_; }
  std::string_view description() const override { return "planted layout bug"; }
  std::optional<Budget> claim(const ElementwiseOp& o, Format f) const override {
    if (&o != &mul_op()) return std::nullopt;
    return silu_budgets::kSingle[static_cast<int>(f)];
  }
  void run(const ElementwiseOp&, const Params&, const BitTensor& in, BitTensor& out) const override {
    const Format f = in.format;
    const std::int64_t d = out.cols;
    // Tokens go two to a block and the grid is rows / 2 blocks, rounded down: the last
    // token of an odd batch has no block.
    const std::int64_t rows = bug_ == Bug::odd_batch_last_token_unwritten ? in.rows / 2 * 2 : in.rows;
    const std::int64_t vector_end = d / 8 * 8;
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < d; ++c) {
        // The row is staged in a tile of 8192 elements indexed modulo its size.
        const std::int64_t at = bug_ == Bug::wide_row_wraps_at_8192 ? c % 8192 : c;
        // The scalar tail loop indexes up without the offset d: it multiplies by the gate.
        const std::int64_t up_at = bug_ == Bug::tail_multiplies_gate && c >= vector_end ? c : d + at;
        const float g = static_cast<float>(decode(f, in.at(r, at)));
        const float u = static_cast<float>(decode(f, in.at(r, up_at)));
        out.at(r, c) = encode(f, round_to(f, silu_fp32(g) * u));
      }
  }

 private:
  std::string_view name_;
  Bug bug_;
};

const LayoutBugKernel kTailGateK{"planted.scalar_tail_multiplies_gate", LayoutBugKernel::Bug::tail_multiplies_gate};
const LayoutBugKernel kOddBatchK{"planted.odd_batch_last_token_unwritten",
                                 LayoutBugKernel::Bug::odd_batch_last_token_unwritten};
const LayoutBugKernel kWideRowK{"planted.wide_row_wraps_at_8192", LayoutBugKernel::Bug::wide_row_wraps_at_8192};

const PlantedKernel kLayoutBugs[] = {
    {&kTailGateK, "the scalar tail (d not a multiple of 8) multiplies by the gate instead of up", "within_budget",
     "silu_and_mul"},
    {&kOddBatchK, "the last token of an odd token count is never written (grid of rows / 2 blocks of two)",
     "nan_inf_semantics", "silu_and_mul"},
    {&kWideRowK, "columns past 8192 read the inputs 8192 columns back (a tile indexed modulo its size)",
     "within_budget", "silu_and_mul"},
};

// --- end of the layout bugs.

}  // namespace

std::span<const PlantedKernel> layout_bugs() { return kLayoutBugs; }

std::span<const PlantedKernel> all() {
  // The layout bugs but the wide row: fuzz finds that one too, but shrinking a failure
  // that needs a row of 13827 runs the oracle on the whole row for every candidate, for
  // many minutes.
  static const std::vector<PlantedKernel> every = [] {
    std::vector<PlantedKernel> v(std::begin(kAll), std::end(kAll));
    for (const PlantedKernel& k : kLayoutBugs)
      if (k.kernel != &kWideRowK) v.push_back(k);
    return v;
  }();
  return every;
}

}  // namespace ulpcheck::planted
