// Exact sums of products in MPFR (reference/exact_sum.hpp).
#include "ulpcheck/reference/exact_sum.hpp"

#include <mpfr.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "reference/mpfr_thread_caches.hpp"
#include "ulpcheck/reference/mpfr_rounding.hpp"

namespace ulpcheck {

namespace {

/// Terms kept across calls (one set per thread), each an MPFR number of at least 53 bits.
class ProductTerms {
 public:
  /// A product of three doubles has at most 3 * 53 = 159 significant bits.
  static constexpr mpfr_prec_t kProductBits = 160;

  ProductTerms() {
    detail::free_mpfr_caches_at_thread_exit();
    mpfr_init2(sum_, kProductBits);
  }
  ~ProductTerms() {
    for (auto& t : terms_) mpfr_clear(t.value);
    mpfr_clear(sum_);
  }
  ProductTerms(const ProductTerms&) = delete;
  ProductTerms& operator=(const ProductTerms&) = delete;

  void clear() { used_ = 0; }

  /// Appends x * y * z exactly (zero products are left out: they change nothing).
  ///
  /// Where every factor lies in [2^-300, 2^300] the product is split into doubles by
  /// error-free transformations: x y = p + e with p = fl(x y) and e = fma(x, y, -p) exact
  /// (Dekker; |e| >= 2^-1006 stays far from double's subnormals and |p| from overflow),
  /// then p z and e z the same way, four doubles whose sum is x y z. Elsewhere the product
  /// is formed in MPFR at 160 bits, which holds it exactly.
  void add(double x, double y, double z) {
    if (x == 0.0 || y == 0.0 || z == 0.0) return;
    if (in_safe_range(x) && in_safe_range(y) && in_safe_range(z)) {
      const double p = x * y, e = std::fma(x, y, -p);
      if (z == 1.0) {
        add_double(p);
        add_double(e);
        return;
      }
      const double pz = p * z, ez = e * z;
      add_double(pz);
      add_double(std::fma(p, z, -pz));
      add_double(ez);
      add_double(std::fma(e, z, -ez));
      return;
    }
    mpfr_ptr t = next_term();
    mpfr_set_prec(t, kProductBits);
    mpfr_set_d(t, x, MPFR_RNDN);
    mpfr_mul_d(t, t, y, MPFR_RNDN);
    mpfr_mul_d(t, t, z, MPFR_RNDN);
  }

  /// Appends the double v (a zero is left out).
  void add_double(double v) {
    if (v != 0.0) mpfr_set_d(next_term(), v, MPFR_RNDN);
  }

  /// The exact sum of the terms appended since clear().
  mpfr_srcptr sum() {
    mpfr_exp_t top = std::numeric_limits<mpfr_exp_t>::min(), bottom = std::numeric_limits<mpfr_exp_t>::max();
    pointers_.clear();
    for (std::size_t i = 0; i < used_; ++i) {
      mpfr_srcptr t = terms_[i].value;
      pointers_.push_back(const_cast<mpfr_ptr>(t));
      top = std::max(top, mpfr_get_exp(t));
      bottom = std::min(bottom, mpfr_get_exp(t) - static_cast<mpfr_exp_t>(mpfr_min_prec(t)));
    }
    if (used_ == 0) {
      mpfr_set_zero(sum_, 1);
      return sum_;
    }
    // n terms below 2^top carry at most bit_width(n) bits above it.
    const auto carries = static_cast<mpfr_prec_t>(std::bit_width(used_)) + 2;
    mpfr_set_prec(sum_, std::max<mpfr_prec_t>(static_cast<mpfr_prec_t>(top - bottom) + carries, kProductBits));
    mpfr_sum(sum_, pointers_.data(), static_cast<unsigned long>(used_), MPFR_RNDN);
    return sum_;
  }

 private:
  static bool in_safe_range(double v) {
    const double a = std::fabs(v);
    return a >= 0x1p-300 && a <= 0x1p300;
  }
  /// The next free term: a new one of 53 bits, or a used one of at least that, which
  /// mpfr_set_d fills exactly.
  mpfr_ptr next_term() {
    if (used_ == terms_.size()) {
      terms_.emplace_back();
      mpfr_init2(terms_.back().value, 53);
    }
    return terms_[used_++].value;
  }

  struct Term {
    mpfr_t value;
  };
  std::vector<Term> terms_;
  std::vector<mpfr_ptr> pointers_;
  std::size_t used_ = 0;
  mpfr_t sum_;
};

ProductTerms& product_terms() {
  thread_local ProductTerms terms;
  return terms;
}

void require_finite_term(const DoubleDouble& v, const char* which) {
  if (!std::isfinite(v.hi) || !std::isfinite(v.lo))
    throw std::invalid_argument(std::string("exact_sum_of_products: an element of ") + which + " is not finite");
}

ExactDot finish_exact_sum(Format f, ProductTerms& terms, double scale) {
  mpfr_srcptr s = terms.sum();
  return ExactDot{Exact{round_to(f, s), to_double_double(s)}, scale};
}

}  // namespace

ExactDot exact_sum_of_products(Format f, std::span<const DoubleDouble> a, std::span<const DoubleDouble> b,
                               std::span<const DoubleDouble> c) {
  if (a.size() != b.size() || (!c.empty() && c.size() != a.size()))
    throw std::invalid_argument("exact_sum_of_products: the factors' lengths differ");
  ProductTerms& terms = product_terms();
  terms.clear();
  double scale = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const DoubleDouble one = DoubleDouble::of(1.0);
    const DoubleDouble& z = c.empty() ? one : c[i];
    require_finite_term(a[i], "a");
    require_finite_term(b[i], "b");
    require_finite_term(z, "c");
    for (double x : {a[i].hi, a[i].lo})
      for (double y : {b[i].hi, b[i].lo})
        for (double w : {z.hi, z.lo}) terms.add(x, y, w);
    scale += std::fabs(a[i].hi * b[i].hi * z.hi);
  }
  return finish_exact_sum(f, terms, scale);
}

ExactDot exact_dot(Format f, std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) throw std::invalid_argument("exact_dot: the factors' lengths differ");
  ProductTerms& terms = product_terms();
  terms.clear();
  double scale = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a[i]) || !std::isfinite(b[i])) throw std::invalid_argument("exact_dot: an input is not finite");
    terms.add(a[i], b[i], 1.0);
    scale += std::fabs(a[i] * b[i]);
  }
  return finish_exact_sum(f, terms, scale);
}

double round_double_double(Format f, const DoubleDouble& v) {
  const double r = round_to(f, v.hi);
  if (v.lo == 0.0 || !std::isfinite(v.hi) || !std::isfinite(r)) return r;
  const double half_ulp = std::ldexp(1.0, ulp_exponent(f, v.hi) - 1);
  if (std::fabs(v.hi - r) != half_ulp) return r;
  // v.hi is a midpoint: v.lo's side decides. A double one step from v.hi towards v.lo lies
  // on that side and is nearer to v.hi than any other point of f.
  return round_to(f, std::nextafter(v.hi, v.lo > 0.0 ? HUGE_VAL : -HUGE_VAL));
}

}  // namespace ulpcheck
