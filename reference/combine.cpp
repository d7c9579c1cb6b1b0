// The exact MoE combine (reference/combine.hpp): one exact MPFR sum per output element.
#include "ulpcheck/reference/combine.hpp"

#include <fmt/format.h>
#include <mpfr.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "reference/mpfr_thread_caches.hpp"
#include "ulpcheck/reference/mpfr_rounding.hpp"
#include "ulpcheck/reference/routed_scaling_factor.hpp"
#include "ulpcheck/support/parallel.hpp"

namespace ulpcheck {

namespace {

constexpr int kMaxTopk = 32;

/// The terms of one element as MPFR numbers, kept across elements: rsf * w_k * y_k has at
/// most 3 * 24 significant bits and shared at most 24, so precision 80 holds each exactly.
class ExactSum {
 public:
  ExactSum() {
    detail::free_mpfr_caches_at_thread_exit();
    for (auto& t : terms_) mpfr_init2(t, kTermBits);
    mpfr_init2(sum_, kTermBits);
    for (std::size_t i = 0; i < terms_.size(); ++i) pointers_[i] = terms_[i];
  }
  ~ExactSum() {
    for (auto& t : terms_) mpfr_clear(t);
    mpfr_clear(sum_);
  }
  ExactSum(const ExactSum&) = delete;
  ExactSum& operator=(const ExactSum&) = delete;

  /// Sets term i to rsf * w * y exactly (each factor is an fp32 value or narrower).
  void set_product(int i, double rsf, double w, double y) {
    mpfr_set_d(terms_[static_cast<std::size_t>(i)], w, MPFR_RNDN);
    mpfr_mul_d(terms_[static_cast<std::size_t>(i)], terms_[static_cast<std::size_t>(i)], y, MPFR_RNDN);
    mpfr_mul_d(terms_[static_cast<std::size_t>(i)], terms_[static_cast<std::size_t>(i)], rsf, MPFR_RNDN);
  }
  void set_value(int i, double v) { mpfr_set_d(terms_[static_cast<std::size_t>(i)], v, MPFR_RNDN); }

  /// The exact sum of the first n terms (all finite): the sum's precision spans from the
  /// highest term's leading bit to the lowest term's last bit, plus carries, so mpfr_sum's
  /// correct rounding to it is no rounding at all.
  mpfr_srcptr sum(int n) {
    mpfr_exp_t top = std::numeric_limits<mpfr_exp_t>::min(), bottom = std::numeric_limits<mpfr_exp_t>::max();
    for (int i = 0; i < n; ++i) {
      mpfr_srcptr t = terms_[static_cast<std::size_t>(i)];
      if (mpfr_zero_p(t)) continue;
      top = std::max(top, mpfr_get_exp(t));
      bottom = std::min(bottom, mpfr_get_exp(t) - static_cast<mpfr_exp_t>(mpfr_min_prec(t)));
    }
    const mpfr_prec_t bits = top < bottom ? kTermBits : static_cast<mpfr_prec_t>(top - bottom) + 8;
    mpfr_set_prec(sum_, std::max<mpfr_prec_t>(bits, kTermBits));
    mpfr_sum(sum_, pointers_.data(), static_cast<unsigned long>(n), MPFR_RNDN);
    return sum_;
  }

 private:
  static constexpr mpfr_prec_t kTermBits = 80;
  std::array<mpfr_t, kMaxTopk + 1> terms_;
  std::array<mpfr_ptr, kMaxTopk + 1> pointers_{};
  mpfr_t sum_;
};

}  // namespace

std::string CombineConfig::validate() const {
  if (topk < 1 || topk > kMaxTopk) return fmt::format("topk is {}; it must be in [1, {}]", topk, kMaxTopk);
  if (hidden < 1 || hidden > 65536) return fmt::format("hidden is {}; it must be in [1, 65536]", hidden);
  return check_routed_scaling_factor(routed_scaling_factor);
}

std::string CombineConfig::label() const {
  return fmt::format("k={} hidden={} scale={}", topk, hidden, routed_scaling_factor_text(routed_scaling_factor));
}

std::string check_sizes(const CombineConfig& c, const CombineInputs& in) {
  if (in.tokens < 0) return fmt::format("tokens is {}; it must be >= 0", in.tokens);
  const auto T = static_cast<std::size_t>(in.tokens), K = static_cast<std::size_t>(c.topk),
             H = static_cast<std::size_t>(c.hidden);
  if (in.routed.size() != T * K * H)
    return fmt::format("routed has {} elements; [tokens, topk, hidden] = [{}, {}, {}] is {}", in.routed.size(), T,
                       K, H, T * K * H);
  if (in.weights.size() != T * K)
    return fmt::format("weights has {} elements; [tokens, topk] = [{}, {}] is {}", in.weights.size(), T, K, T * K);
  if (in.shared.size() != T * H)
    return fmt::format("shared has {} elements; [tokens, hidden] = [{}, {}] is {}", in.shared.size(), T, H, T * H);
  return {};
}

CombineExact combine_exact(const CombineConfig& c, const CombineInputs& in, int threads) {
  if (const std::string why = c.validate(); !why.empty()) throw std::invalid_argument(why);
  if (const std::string why = check_sizes(c, in); !why.empty()) throw std::invalid_argument(why);
  const std::int64_t H = c.hidden, K = c.topk;
  const auto elements = static_cast<std::size_t>(in.tokens * H);
  CombineExact out{std::vector<Exact>(elements), std::vector<double>(elements), std::vector<std::uint8_t>(elements)};
  const double rsf = c.routed_scaling_factor;

  parallel_for(
      in.tokens,
      [&](std::int64_t t) {
        thread_local ExactSum sum;
        for (std::int64_t h = 0; h < H; ++h) {
          const auto e = static_cast<std::size_t>(t * H + h);
          const double shared = decode(in.format, in.shared[e]);
          // In double each w * y is exact (at most 48 bits) and the terms cannot overflow
          // (|rsf w y| < 2^384), so IEEE double arithmetic gives the NaN and infinity
          // rules, and a finite sum here means a finite exact sum.
          double ieee = shared, scale = std::fabs(shared);
          bool finite = std::isfinite(shared);
          for (std::int64_t k = 0; k < K; ++k) {
            const double w = in.weights[static_cast<std::size_t>(t * K + k)];
            const double y = decode(in.format, in.routed[static_cast<std::size_t>((t * K + k) * H + h)]);
            finite = finite && std::isfinite(w) && std::isfinite(y);
            ieee += rsf * (w * y);
            scale += rsf * std::fabs(w * y);
          }
          out.finite_inputs[e] = finite;
          out.scale[e] = std::isfinite(ieee) ? scale : HUGE_VAL;
          if (!std::isfinite(ieee)) {
            out.out[e] = Exact{ieee, DoubleDouble::of(ieee)};
            continue;
          }
          for (int k = 0; k < static_cast<int>(K); ++k)
            sum.set_product(k, rsf, in.weights[static_cast<std::size_t>(t * K + k)],
                            decode(in.format, in.routed[static_cast<std::size_t>((t * K + k) * H + h)]));
          sum.set_value(static_cast<int>(K), shared);
          mpfr_srcptr exact = sum.sum(static_cast<int>(K) + 1);
          out.out[e] = Exact{round_to(in.format, exact), to_double_double(exact)};
        }
      },
      threads);
  return out;
}

}  // namespace ulpcheck
