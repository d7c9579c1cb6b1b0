// The exact oracle of biased grouped top-k routing: routing.hpp fixes the semantics.
//
// Every decision of the op is a comparison: expert against expert by b = s + bias, group
// against group by the sum of its two largest b. A comparison is the sign of a difference
// D = sum of w_i b_i over a few experts (w = +-1), and this file decides that sign exactly.
//
// Exact representation. Each valid expert's b is split as b = q + r: q = bias + num / den
// is rational and known exactly, r is a transcendental remainder.
//   sigmoid:  den = 2, num = 2, 1, 0 for x > 0, x = 0, x < 0 (+-inf included), and
//             r = -u(x) for finite x > 0, +u(-x) for finite x < 0, 0 otherwise,
//             where u(y) = sigmoid(-y) = 1 / (1 + e^y); so sigmoid(x) = 1 - u(x) = num/2 + r.
//   softmax:  with M the largest finite valid logit, n_M the number of logits equal to it
//             and a_y = e^(y-M) / Z (Z = sum of e^(x-M) over the finite valid logits):
//             den = n_M, num = 1 at the max and 0 elsewhere; r = a_x below the max and
//             r = -(1/n_M) sum_{y < M} n_y a_y at the max (because s_max = 1/Z and
//             n_M / Z + sum n_y a_y = 1). With a +inf logit present, or when every finite
//             logit equals M or none is finite, every s is rational (1/k or 0) and r = 0.
// D is then Q + sum_k c_k A_k: a rational Q and rational coefficients c_k on atoms A_k, one
// per distinct |x| (sigmoid) or distinct logit below the max (softmax).
//
// Exact ties. D = 0 exactly iff Q = 0 and every c_k = 0, because 1 and the atoms are
// linearly independent over the rationals (Lindemann-Weierstrass):
//   sigmoid: the |x| are distinct positive rationals p_k / N, so with t = e^(1/N), which is
//     transcendental (Hermite-Lindemann), Q + sum c_k / (1 + t^(p_k)) = 0 is a rational
//     function of t with rational coefficients vanishing at a transcendental point, hence
//     identically. 1 / (1 + t^P) for the largest P has poles at the primitive 2P-th roots
//     of unity, which no term with p < P has (t^p = -1 needs t^(2p) = 1); so c_P = 0, and
//     by induction every c_k = 0, and then Q = 0.
//   softmax: multiplying by Z gives Q n_M e^0 + sum_y (Q n_y + c_y) e^(y-M) = 0 over
//     distinct rationals y - M; the e^(y-M) are linearly independent over the algebraic
//     numbers (Lindemann-Weierstrass), so Q n_M = 0 and every c_y = 0.
// So ties are proven symbolically, never guessed from numbers, and they include the
// non-obvious ones: sigmoid(+inf) + 0 = sigmoid(-inf) + 1, sigmoid(x) + sigmoid(-x) = 1.
//
// Signs of nonzero D. First the double tier: b in double with a proven absolute error bound
// (comments at score_sigmoid and score_softmax), decided when |b_i - b_j| exceeds twice
// the sum of the bounds. What it leaves goes to MPFR in Ziv's manner: D is evaluated at
// 267 bits with a rigorous bound and decided when |D| exceeds twice it, else at 1065 and
// then 4121 bits. Atoms can be astronomically small (u(10^30)), so D is never formed from
// the b's: the atoms are scaled by the largest one, S = sum c_k A_k / A_max, which is of
// order one; atoms more than e^-65536 below A_max are bounded, not computed. With Q = 0 the
// sign is sign(S); with Q != 0 and A_max < e^-65536 it is sign(Q), since |Q| >= 2^-1084
// (Q is a multiple of 2^-149, or of 2^-1075 after a margin's midpoint test, over den <= 512);
// otherwise D = Q + A_max S numerically. Since D != 0 has been proven, only a number within 2^-4100
// or so of zero relative to its terms could stay undecided: a near-coincidence between
// sigmoid or exponential values of distinct rationals that no input has been seen to
// produce. It would throw std::runtime_error naming the token and experts.
//
// Weights use the unbiased s of the picked experts, scaled by the largest so that tiny
// scores keep their ratios: s = e^l * beta with l = min(x, 0) and beta = 1 / (1 + e^-|x|)
// (sigmoid) or l = x - M and beta = 1 / Z (softmax). Margins are the same forms as the
// comparisons, correctly rounded to double: by the enclosure when its ends round alike, else
// by the exact sign of D minus the midpoint between two doubles (margin_of).
#include "ulpcheck/reference/routing.hpp"

#include <boost/multiprecision/eigen.hpp>
#include <boost/multiprecision/mpfr.hpp>

#include <Eigen/Core>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "reference/ops/ziv.hpp"
#include "ulpcheck/reference/mpfr_rounding.hpp"
#include "ulpcheck/support/parallel.hpp"

namespace ulpcheck {
namespace {

using detail::MpReal;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
/// Unit roundoff of double.
constexpr double kUnit = 0x1p-53;
/// Absolute error floor of the double tier: covers every score it rounds to 0 or 1 or
/// computes from a subnormal exponential (all within e^-700 < 2^-1009 of the truth).
constexpr double kDoubleFloor = 0x1p-1000;
/// Exponents below -kFar are bounded, not computed: e^-65536 < 2^-94548. Any difference of
/// two format values with |difference| < 2^17 is exact at 166 bits (both are multiples of
/// 2^-149, the smallest fp32 and bf16 subnormal), so every exponent the MPFR tier does
/// compute is exact at its precisions.
constexpr double kFar = 65536.0;
/// An upper bound for e^-kFar, as a power of two.
constexpr long kFarBoundExponent = -94000;
/// Below e^-1100 a form's value (at most 2^12 times its largest atom) is under 2^-1575,
/// far below double's smallest subnormal.
constexpr double kBelowDoubles = 1100.0;
/// MPFR precisions of the comparisons' Ziv loop, in Boost's decimal digits: 267, 1065 and
/// 4121 bits.
constexpr std::array<unsigned, 3> kRungDigits10{80, 320, 1240};
/// Exact sums of at most four biases times den (at most 290 bits), and of such a sum and a
/// double times den (a margin's rounding midpoint: at most 131 + 1074 + 64 bits).
using Wide = MpReal<400>;

template <class Real>
Real power_of_two(long e) {
  Real r;
  mpfr_set_ui_2exp(r.backend().data(), 1, e, MPFR_RNDN);
  return r;
}

template <class Real>
long precision_of() {
  const Real r;
  return static_cast<long>(mpfr_get_prec(r.backend().data()));
}

enum class Remainder : std::uint8_t { none, sigmoid, softmax_below_max, softmax_at_max };

struct Expert {
  double x = 0.0;
  double bias = 0.0;
  bool valid = false;
  /// b = bias + num / den + remainder, with the remainder as the file comment defines it.
  int num = 0;
  Remainder rem = Remainder::none;
  double key = 0.0;  ///< the remainder's atom: |x| (sigmoid) or x (softmax)
  int sign = 0;      ///< sigmoid: remainder = sign * u(|x|)
  double b = 0.0;    ///< double tier: |exact b - b| <= err
  double err = 0.0;
};

struct Group {
  int top1 = -1;
  int top2 = -1;
  bool valid = false;
  double score = 0.0;  ///< double tier
  double err = 0.0;
};

template <std::size_t R>
using RungReal = MpReal<kRungDigits10[R]>;

/// One token being routed, with what its comparisons share.
struct Token {
  const RoutingConfig* config = nullptr;
  RoutingMethod method = RoutingMethod::double_then_mpfr;
  std::int64_t index = 0;
  std::vector<Expert> ex;
  int den = 1;
  /// softmax: how many valid logits are +inf (they share 1; every other s is 0).
  int plus_inf = 0;
  /// softmax with some finite valid logit below the max: remainders exist.
  bool softmax_atoms = false;
  double max_logit = 0.0;
  int at_max = 0;
  /// Distinct finite valid logits below the max with their counts, built on first use.
  std::vector<std::pair<double, int>> below_max;
  bool below_max_ready = false;
  /// softmax: Z = sum of e^(x-M) over finite valid logits, at each rung, on first use.
  std::tuple<std::optional<RungReal<0>>, std::optional<RungReal<1>>, std::optional<RungReal<2>>> z;
  RoutingOracleCounts counts;

  bool sigmoid() const { return config->scoring == Scoring::sigmoid; }
  std::int64_t coef_den() const { return softmax_atoms ? at_max : 1; }
};

std::string hex(double v) { return fmt::format("{:a}", v); }

// --- Scores and the double tier -----------------------------------------------------------

/// b = s + bias in double; err bounds |exact s - s| on entry.
void set_double_tier(Expert& e, double s, double s_err) {
  e.b = s + e.bias;
  e.err = s_err + 2.0 * kUnit * std::fabs(e.b) + kDoubleFloor;
}

/// Double tier, with exp within 2 ulp (4 units; glibc documents under 1 ulp): for x >= 0,
/// e = exp(-x) <= 1, 1 + e is within 5 units, s = 1 / (1 + e) within 6; for x < 0,
/// s = e / (1 + e) with e = exp(x) within 4 + 5 + 1 = 10 units. 16 units are declared.
/// Where exp leaves double's normal range (|x| > 708) the absolute error is below e^-708,
/// inside kDoubleFloor.
void score_sigmoid(Token& t) {
  t.den = 2;
  for (Expert& e : t.ex) {
    if (!e.valid) continue;
    const double x = e.x;
    e.num = x > 0 ? 2 : (x == 0 ? 1 : 0);
    if (std::isfinite(x) && x != 0) {
      e.rem = Remainder::sigmoid;
      e.key = std::fabs(x);
      e.sign = x > 0 ? -1 : 1;
    }
    double s = 0.0, err = 0.0;
    if (x == kInfinity) {
      s = 1.0;
    } else if (x == -kInfinity) {
      s = 0.0;
    } else if (x >= 0) {
      s = 1.0 / (1.0 + std::exp(-x));
      err = 16.0 * kUnit * s + kDoubleFloor;
    } else {
      const double ex = std::exp(x);
      s = ex / (1.0 + ex);
      err = 16.0 * kUnit * s + kDoubleFloor;
    }
    set_double_tier(e, s, err);
  }
}

/// Softmax with the max subtracted. Double tier: d = x - M is rounded (1 unit of |d|, so
/// e^d is off by |d| <= 700 units plus exp's 4), Z sums at most E such terms (E more), and
/// s = t / Z adds both and one unit: under (1410 + E) units; 1500 + E are declared. Terms
/// with d < -700 are 0, within e^-700 of the truth.
void score_softmax(Token& t) {
  const int E = t.config->experts;
  int plus_inf = 0, finite = 0;
  double M = -kInfinity;
  for (const Expert& e : t.ex) {
    if (!e.valid) continue;
    if (e.x == kInfinity) {
      ++plus_inf;
    } else if (std::isfinite(e.x)) {
      ++finite;
      M = std::max(M, e.x);
    }
  }
  t.plus_inf = plus_inf;
  if (plus_inf > 0) {  // the +inf logits share 1 equally, every other s is 0
    t.den = plus_inf;
    for (Expert& e : t.ex) {
      if (!e.valid) continue;
      e.num = e.x == kInfinity ? 1 : 0;
      const double s = e.num / static_cast<double>(plus_inf);
      set_double_tier(e, s, kUnit * s);
    }
    return;
  }
  if (finite == 0) {  // every valid logit is -inf: every s is 0
    t.den = 1;
    for (Expert& e : t.ex)
      if (e.valid) set_double_tier(e, 0.0, 0.0);
    return;
  }
  t.max_logit = M;
  t.at_max = 0;
  for (const Expert& e : t.ex) t.at_max += e.valid && e.x == M;
  t.den = t.at_max;
  t.softmax_atoms = finite > t.at_max;
  for (Expert& e : t.ex) {
    if (!e.valid) continue;
    e.num = e.x == M ? 1 : 0;
    if (t.softmax_atoms && std::isfinite(e.x)) {
      e.rem = e.x == M ? Remainder::softmax_at_max : Remainder::softmax_below_max;
      e.key = e.x;
    }
  }
  if (!t.softmax_atoms) {  // every finite logit equals M: s = 1 / n_M there, 0 at -inf
    for (Expert& e : t.ex)
      if (e.valid) set_double_tier(e, e.num / static_cast<double>(t.at_max), kUnit);
    return;
  }
  double z = 0.0;
  for (Expert& e : t.ex) {
    e.b = 0.0;  // e^(x-M) for now
    if (!e.valid || !std::isfinite(e.x)) continue;
    const double d = e.x - M;
    e.b = d >= -700.0 ? std::exp(d) : 0.0;
    z += e.b;
  }
  for (Expert& e : t.ex) {
    if (!e.valid) continue;
    const double s = e.b / z;
    set_double_tier(e, s, std::isfinite(e.x) ? (1500.0 + E) * kUnit * s + kDoubleFloor : 0.0);
  }
}

const std::vector<std::pair<double, int>>& below_max(Token& t) {
  if (!t.below_max_ready) {
    std::vector<double> ys;
    for (const Expert& e : t.ex)
      if (e.valid && std::isfinite(e.x) && e.x < t.max_logit) ys.push_back(e.x);
    std::sort(ys.begin(), ys.end());
    t.below_max.clear();
    for (double y : ys) {
      if (t.below_max.empty() || t.below_max.back().first != y) t.below_max.push_back({y, 0});
      ++t.below_max.back().second;
    }
    t.below_max_ready = true;
  }
  return t.below_max;
}

/// Z = sum of e^(x-M) over the finite valid logits at rung R; terms below e^-kFar are left
/// out (Z >= 1, so they move it by under 2^-94000 relative).
template <std::size_t R>
const RungReal<R>& softmax_denominator(Token& t) {
  using Real = RungReal<R>;
  auto& z = std::get<R>(t.z);
  if (!z) {
    std::vector<double> xs;
    for (const Expert& e : t.ex)
      if (e.valid && std::isfinite(e.x)) xs.push_back(e.x);
    Eigen::Array<Real, Eigen::Dynamic, 1> d(static_cast<Eigen::Index>(xs.size()));
    const Real M(t.max_logit);
    for (Eigen::Index i = 0; i < d.size(); ++i) d[i] = Real(xs[static_cast<std::size_t>(i)]) - M;
    z = d.unaryExpr([](const Real& v) { return v < -kFar ? Real(0) : Real(exp(v)); }).sum();
  }
  return *z;
}

// --- Forms: D = sum of w_i b_i, exactly ---------------------------------------------------

struct Term {
  double key;
  std::int64_t coef;  ///< over Token::coef_den()
};

struct Part {
  int weight;  ///< +1 or -1
  int expert;
};

struct Form {
  std::vector<Part> parts;
  std::vector<Term> terms;  ///< merged by atom, nonzero coefficients only
  Wide q_num;               ///< Q = q_num / den, exactly
  int q_sign = 0;

  bool is_zero() const { return q_sign == 0 && terms.empty(); }
};

Form make_form(Token& t, std::initializer_list<Part> parts) {
  Form f;
  f.parts.assign(parts);
  Wide bias_sum = 0;
  std::int64_t num = 0, at_max_weight = 0;
  for (const Part& p : parts) {
    const Expert& e = t.ex[static_cast<std::size_t>(p.expert)];
    // Exact: a sum of at most four format values spans at most 280 bits.
    if (p.weight > 0) bias_sum += Wide(e.bias);
    else bias_sum -= Wide(e.bias);
    num += p.weight * e.num;
    switch (e.rem) {
      case Remainder::sigmoid: f.terms.push_back({e.key, p.weight * e.sign}); break;
      case Remainder::softmax_below_max: f.terms.push_back({e.key, p.weight * std::int64_t{t.at_max}}); break;
      case Remainder::softmax_at_max: at_max_weight += p.weight; break;
      case Remainder::none: break;
    }
  }
  if (at_max_weight != 0)
    for (const auto& [y, n] : below_max(t)) f.terms.push_back({y, -at_max_weight * n});
  std::sort(f.terms.begin(), f.terms.end(), [](const Term& a, const Term& b) { return a.key < b.key; });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < f.terms.size();) {
    Term merged = f.terms[i];
    for (++i; i < f.terms.size() && f.terms[i].key == merged.key; ++i) merged.coef += f.terms[i].coef;
    if (merged.coef != 0) f.terms[kept++] = merged;
  }
  f.terms.resize(kept);
  f.q_num = bias_sum * t.den + num;  // exact: den <= 512
  f.q_sign = f.q_num.sign();
  return f;
}

struct Verdict {
  int sign = 0;
  double rounded = 0.0;          ///< the value to nearest double (when asked for)
  bool rounded_decided = false;  ///< both ends of the enclosure round to it
};

template <class Real>
Verdict enclose(int sign, const Real& value, const Real& err, bool want_value) {
  Verdict v{.sign = sign};
  if (!want_value) return v;
  Real lo, hi;
  mpfr_sub(lo.backend().data(), value.backend().data(), err.backend().data(), MPFR_RNDD);
  mpfr_add(hi.backend().data(), value.backend().data(), err.backend().data(), MPFR_RNDU);
  v.rounded = mpfr_get_d(value.backend().data(), MPFR_RNDN);
  v.rounded_decided = mpfr_get_d(lo.backend().data(), MPFR_RNDN) == mpfr_get_d(hi.backend().data(), MPFR_RNDN);
  return v;
}

/// The form at rung R: its sign when the error bound decides it (and its value to nearest
/// double when asked), nullopt when a higher precision is needed. Bounds count units of
/// eps = 2^-p for each correctly rounded operation and are doubled at the decision.
template <std::size_t R>
std::optional<Verdict> evaluate(Token& t, const Form& f, bool want_value) {
  using Real = RungReal<R>;
  const long p = precision_of<Real>();
  const Real eps = power_of_two<Real>(-p);
  const Real far_bound = power_of_two<Real>(kFarBoundExponent);
  const Real q = Real(f.q_num) / t.den;  // two roundings
  const Real q_err = 2 * eps * abs(q);
  if (f.terms.empty()) return enclose<Real>(f.q_sign, q, q_err, want_value);

  // S = sum c_k A_k / A_max. The largest atom has the smallest |x| (sigmoid) or the
  // largest logit (softmax); exponents relative to it are <= 0 and exact where computed.
  const bool sigmoid = t.sigmoid();
  double top = f.terms.front().key;
  for (const Term& k : f.terms) top = sigmoid ? std::min(top, k.key) : std::max(top, k.key);
  const auto n = static_cast<Eigen::Index>(f.terms.size());
  Eigen::Array<Real, Eigen::Dynamic, 1> coef(n), scaled(n);
  Real far_coefs = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const Term& k = f.terms[static_cast<std::size_t>(i)];
    coef[i] = static_cast<double>(k.coef);
    const Real delta = sigmoid ? Real(top) - Real(k.key) : Real(k.key) - Real(top);
    if (delta < -kFar) {
      far_coefs += abs(coef[i]);
      scaled[i] = 0;
    } else if (sigmoid) {
      // u(y) = e^-y beta(y) with beta(y) = 1 / (1 + e^-y) in [1/2, 1): relative to e^-top
      // the term is e^(top - y) beta(y).
      const Real beta = k.key > kFar ? Real(1) : Real(1 / (1 + exp(-Real(k.key))));
      scaled[i] = exp(delta) * beta;
    } else {
      scaled[i] = exp(delta);
    }
  }
  const Real S = (coef * scaled).sum();
  const Real A = (coef.abs() * scaled).sum();
  const Real S_err = eps * (static_cast<double>(n) + 8) * A + far_bound * far_coefs;
  // The form's remainder is e^lambda k S: sigmoid lambda = -top, k = 1; softmax
  // lambda = top - M, k = 1 / (Z coef_den).
  const Real lambda = sigmoid ? -Real(top) : Real(top) - Real(t.max_logit);
  auto scale_factor = [&]() -> Real {
    if (sigmoid) return Real(1);
    return 1 / (softmax_denominator<R>(t) * static_cast<double>(t.coef_den()));
  };
  const double E = t.config->experts;

  if (f.q_sign == 0) {
    if (abs(S) <= 2 * S_err) return std::nullopt;
    const int sign = S > 0 ? 1 : -1;
    if (!want_value || lambda < -kBelowDoubles) return Verdict{.sign = sign, .rounded = 0.0, .rounded_decided = true};
    const Real k = scale_factor();
    const Real ex = exp(lambda);
    const Real L = ex * k * S;
    const Real L_err = ex * k * (S_err + eps * (E + 16) * A);
    return enclose<Real>(sign, L, 2 * L_err, want_value);
  }
  if (lambda < -kFar) {  // |A_max S| < 2^-94000 2^12 << |Q| >= 2^-1084
    const Real tiny = far_bound * (A + far_coefs + 1);
    return enclose<Real>(f.q_sign, q, q_err + tiny, want_value);
  }
  const Real k = scale_factor();
  const Real ex = exp(lambda);
  const Real L = ex * k * S;
  const Real L_err = ex * k * (S_err + eps * (E + 16) * A);
  const Real D = q + L;
  const Real D_err = q_err + L_err + eps * abs(D);
  if (abs(D) <= 2 * D_err) return std::nullopt;
  return enclose<Real>(D > 0 ? 1 : -1, D, 2 * D_err, want_value);
}

using Rung = std::optional<Verdict> (*)(Token&, const Form&, bool);
constexpr std::array<Rung, kRungDigits10.size()> kRungs{&evaluate<0>, &evaluate<1>, &evaluate<2>};

std::string describe(const Token& t, const Form& f) {
  std::string lhs, rhs, inputs;
  for (const Part& p : f.parts) {
    std::string& side = p.weight > 0 ? lhs : rhs;
    side += fmt::format("{}b[{}]", side.empty() ? "" : " + ", p.expert);
    const Expert& e = t.ex[static_cast<std::size_t>(p.expert)];
    inputs += fmt::format("; expert {}: logit {} bias {}", p.expert, hex(e.x), hex(e.bias));
  }
  return fmt::format("token {}: {} against {}{}", t.index, lhs, rhs, inputs);
}

[[noreturn]] void throw_undecided(const Token& t, const Form& f) {
  throw std::runtime_error(fmt::format(
      "route_exact: cannot order {} at {} digits: the difference is nonzero (Lindemann-Weierstrass) but "
      "within 2^-4100 of zero relative to its terms; please report these inputs",
      describe(t, f), kRungDigits10.back()));
}

/// The sign of a nonzero form on the rising ladder, and the rung that decided it.
std::pair<int, std::size_t> nonzero_sign(Token& t, const Form& f) {
  for (std::size_t r = 0; r < kRungs.size(); ++r)
    if (auto v = kRungs[r](t, f, false)) return {v->sign, r};
  throw_undecided(t, f);
}

/// The sign of a form: 0 for an exact tie, else decided by MPFR on the rising ladder.
int sign_of(Token& t, const Form& f) {
  if (f.is_zero()) {
    ++t.counts.exact_ties;
    return 0;
  }
  const auto [sign, rung] = nonzero_sign(t, f);
  ++t.counts.mpfr_tier;
  if (rung > 0) ++t.counts.mpfr_retries;
  return sign;
}

/// A margin: the form's value (>= 0 by construction) to nearest double; 0 only for an exact
/// tie, 2^-1074 for a positive value that rounds to 0. When no rung's enclosure rounds to one
/// double (the value lies within about 2^-4100 of the midpoint m of two neighbours, as
/// 1 - 2^-54 - e^-3000 does), the side of m is decided exactly: D - m is the same form with
/// m taken off its rational part, so it is an exact tie (ties to even) or has a sign.
double margin_of(Token& t, const Form& f) {
  if (f.is_zero()) return 0.0;
  std::optional<Verdict> last;
  for (std::size_t r = 0; r < kRungs.size(); ++r) {
    if (r == 1) ++t.counts.mpfr_retries;
    last = kRungs[r](t, f, true);
    if (last && last->rounded_decided) break;
  }
  if (!last) throw_undecided(t, f);
  if (last->sign < 0)
    throw std::logic_error(fmt::format("route_exact: negative margin for {}; the selection is inconsistent",
                                       describe(t, f)));
  double rounded = last->rounded;
  if (!last->rounded_decided) {
    // sign(D - (rounded + neighbour) / 2), exactly: the midpoint is a rational like Q.
    auto side_of_midpoint = [&](double neighbour) {
      Form side = f;
      side.q_num = f.q_num - (Wide(rounded) + Wide(neighbour)) / 2 * t.den;  // exact in Wide
      side.q_sign = side.q_num.sign();
      return side.is_zero() ? 0 : nonzero_sign(t, side).first;
    };
    auto even = [](double a, double b) { return (std::bit_cast<std::uint64_t>(a) & 1) == 0 ? a : b; };
    const double up = std::nextafter(rounded, kInfinity), down = std::nextafter(rounded, -kInfinity);
    if (const int above = side_of_midpoint(up); above >= 0) {
      rounded = above > 0 ? up : even(rounded, up);
    } else if (const int below = side_of_midpoint(down); below <= 0) {
      rounded = below < 0 ? down : even(rounded, down);
    }
  }
  return rounded == 0.0 ? 0x1p-1074 : rounded;
}

// --- Comparisons ----------------------------------------------------------------------------

/// +1 when b_i > b_j, -1 when b_i < b_j, 0 when equal (invalid experts rank below valid ones
/// and tie among themselves).
int compare_experts(Token& t, int i, int j) {
  ++t.counts.comparisons;
  const Expert& a = t.ex[static_cast<std::size_t>(i)];
  const Expert& b = t.ex[static_cast<std::size_t>(j)];
  if (!a.valid || !b.valid) {
    ++t.counts.special;
    return static_cast<int>(a.valid) - static_cast<int>(b.valid);
  }
  if (t.method == RoutingMethod::double_then_mpfr) {
    const double d = a.b - b.b;
    if (std::fabs(d) > 2.0 * (a.err + b.err)) {
      ++t.counts.double_tier;
      return d > 0 ? 1 : -1;
    }
  }
  return sign_of(t, make_form(t, {{+1, i}, {-1, j}}));
}

bool expert_before(Token& t, int i, int j) {
  const int c = compare_experts(t, i, j);
  return c > 0 || (c == 0 && i < j);
}

int compare_groups(Token& t, const Group& a, const Group& b) {
  ++t.counts.comparisons;
  if (!a.valid || !b.valid) {
    ++t.counts.special;
    return static_cast<int>(a.valid) - static_cast<int>(b.valid);
  }
  if (t.method == RoutingMethod::double_then_mpfr) {
    const double d = a.score - b.score;
    if (std::fabs(d) > 2.0 * (a.err + b.err)) {
      ++t.counts.double_tier;
      return d > 0 ? 1 : -1;
    }
  }
  return sign_of(t, make_form(t, {{+1, a.top1}, {+1, a.top2}, {-1, b.top1}, {-1, b.top2}}));
}

// --- Weights --------------------------------------------------------------------------------

/// The picked experts' weights at the first rung: relative error under (topk + 16) 2^-267,
/// far inside a double-double. Each nonzero s is e^l * beta (file comment); renormalising
/// divides by the sum after scaling every term by the largest e^l.
std::vector<DoubleDouble> weights_of(Token& t, const std::vector<std::int32_t>& ids) {
  using Real = RungReal<0>;
  const RoutingConfig& c = *t.config;
  const auto k = static_cast<Eigen::Index>(ids.size());
  Eigen::Array<Real, Eigen::Dynamic, 1> beta(k);
  std::vector<double> ell(ids.size());
  std::vector<bool> zero(ids.size());
  const bool plus_inf_regime = !t.sigmoid() && t.plus_inf > 0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto j = static_cast<std::size_t>(i);
    const Expert& e = t.ex[static_cast<std::size_t>(ids[j])];
    zero[j] = !e.valid || e.x == -kInfinity || (plus_inf_regime && e.x != kInfinity);
    beta[i] = 0;
    if (zero[j]) continue;
    if (t.sigmoid()) {
      ell[j] = std::min(e.x, 0.0);
      beta[i] = std::fabs(e.x) > kFar ? Real(1) : Real(1 / (1 + exp(-Real(std::fabs(e.x)))));
    } else {
      ell[j] = plus_inf_regime ? 0.0 : e.x;  // softmax: s = e^(x-M) / Z, or 1 / k for +inf
      beta[i] = 1;
    }
  }
  std::optional<double> top;
  for (std::size_t j = 0; j < ids.size(); ++j)
    if (!zero[j]) top = top ? std::max(*top, ell[j]) : ell[j];

  // Renormalised, only ratios count: every term relative to the largest picked e^l.
  // Otherwise s itself: e^l beta (sigmoid), e^(x-M) / Z or 1 / k (softmax).
  Real common = 1;
  double origin = 0.0;
  if (c.renormalize) {
    origin = top.value_or(0.0);
  } else if (!t.sigmoid()) {
    if (plus_inf_regime) {
      common = Real(1) / t.den;
    } else if (top) {
      origin = t.max_logit;
      common = 1 / softmax_denominator<0>(t);
    }
  }
  Eigen::Array<Real, Eigen::Dynamic, 1> s(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    const auto j = static_cast<std::size_t>(i);
    s[i] = 0;
    if (zero[j]) continue;
    const Real delta = Real(ell[j]) - Real(origin);
    if (delta >= -kFar) s[i] = exp(delta) * beta[i] * common;
  }
  const Real factor(c.routed_scaling_factor);
  Eigen::Array<Real, Eigen::Dynamic, 1> w(k);
  if (c.renormalize) {
    const Real total = s.sum();
    for (Eigen::Index i = 0; i < k; ++i) w[i] = total > 0 ? Real(s[i] / total * factor) : Real(0);
  } else {
    w = s * factor;
  }
  std::vector<DoubleDouble> out(ids.size());
  for (Eigen::Index i = 0; i < k; ++i) out[static_cast<std::size_t>(i)] = to_double_double(w[i].backend().data());
  return out;
}

// --- One token ------------------------------------------------------------------------------

TokenRouting route_token(Token& t) {
  detail::free_mpfr_caches_at_thread_exit();
  const RoutingConfig& c = *t.config;
  const int per_group = c.experts_per_group();
  if (t.sigmoid()) score_sigmoid(t);
  else score_softmax(t);

  std::vector<Group> groups(static_cast<std::size_t>(c.n_group));
  for (int g = 0; g < c.n_group; ++g) {
    Group& G = groups[static_cast<std::size_t>(g)];
    for (int e = g * per_group; e < (g + 1) * per_group; ++e) {
      if (G.top1 < 0 || expert_before(t, e, G.top1)) {
        G.top2 = G.top1;
        G.top1 = e;
      } else if (G.top2 < 0 || expert_before(t, e, G.top2)) {
        G.top2 = e;
      }
    }
    // Valid experts rank first, so a valid second implies a valid first.
    const Expert& a = t.ex[static_cast<std::size_t>(G.top1)];
    const Expert& b = t.ex[static_cast<std::size_t>(G.top2)];
    G.valid = b.valid;
    G.score = a.b + b.b;
    G.err = a.err + b.err + 2.0 * kUnit * std::fabs(G.score);
  }
  std::vector<int> order(static_cast<std::size_t>(c.n_group));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    const int cmp = compare_groups(t, groups[static_cast<std::size_t>(a)], groups[static_cast<std::size_t>(b)]);
    return cmp > 0 || (cmp == 0 && a < b);
  });

  TokenRouting out;
  out.groups.assign(order.begin(), order.begin() + c.topk_group);
  std::vector<int> kept(out.groups.begin(), out.groups.end());
  std::sort(kept.begin(), kept.end());
  std::vector<int> candidates;
  for (int g : kept)
    for (int e = g * per_group; e < (g + 1) * per_group; ++e) candidates.push_back(e);
  const std::size_t ranked = std::min(candidates.size(), static_cast<std::size_t>(c.topk) + 1);
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(ranked), candidates.end(),
                    [&](int a, int b) { return expert_before(t, a, b); });
  out.ids.assign(candidates.begin(), candidates.begin() + c.topk);

  out.group_margin = kInfinity;
  if (c.topk_group < c.n_group) {
    const Group& last = groups[static_cast<std::size_t>(order[static_cast<std::size_t>(c.topk_group - 1)])];
    const Group& next = groups[static_cast<std::size_t>(order[static_cast<std::size_t>(c.topk_group)])];
    if (!next.valid) out.group_margin = last.valid ? kInfinity : 0.0;
    else out.group_margin = margin_of(t, make_form(t, {{+1, last.top1}, {+1, last.top2}, {-1, next.top1}, {-1, next.top2}}));
  }
  out.expert_margin = kInfinity;
  if (candidates.size() > static_cast<std::size_t>(c.topk)) {
    const int last = candidates[static_cast<std::size_t>(c.topk - 1)];
    const int next = candidates[static_cast<std::size_t>(c.topk)];
    const bool last_valid = t.ex[static_cast<std::size_t>(last)].valid;
    if (!t.ex[static_cast<std::size_t>(next)].valid) out.expert_margin = last_valid ? kInfinity : 0.0;
    else out.expert_margin = margin_of(t, make_form(t, {{+1, last}, {-1, next}}));
  }
  out.weights = weights_of(t, out.ids);
  return out;
}

void reset(Token& t, std::int64_t index, std::span<const std::uint32_t> logits, Format logits_format,
           const std::vector<double>& bias) {
  t.index = index;
  t.den = 1;
  t.plus_inf = 0;
  t.softmax_atoms = false;
  t.max_logit = 0.0;
  t.at_max = 0;
  t.below_max_ready = false;
  t.z = {};
  for (std::size_t e = 0; e < t.ex.size(); ++e) {
    Expert& x = t.ex[e];
    x = Expert{};
    x.x = decode(logits_format, logits[e]);
    x.bias = bias[e];
    x.valid = !std::isnan(x.x) && std::isfinite(x.bias);
  }
}

}  // namespace

std::vector<TokenRouting> route_exact(const RoutingConfig& config, const RoutingInputs& inputs) {
  return route_exact(config, inputs, RoutingOracleOptions{});
}

std::vector<TokenRouting> route_exact(const RoutingConfig& config, const RoutingInputs& inputs,
                                      const RoutingOracleOptions& options, RoutingOracleCounts* counts) {
  if (const std::string problem = config.validate(); !problem.empty())
    throw std::invalid_argument(fmt::format("route_exact: invalid config: {}", problem));
  const auto E = static_cast<std::size_t>(config.experts);
  if (inputs.tokens < 0)
    throw std::invalid_argument(fmt::format("route_exact: tokens is {}; it must be >= 0", inputs.tokens));
  if (inputs.logits.size() != static_cast<std::size_t>(inputs.tokens) * E)
    throw std::invalid_argument(fmt::format("route_exact: logits has {} values, expected tokens * experts = {} * {} = {}",
                                            inputs.logits.size(), inputs.tokens, E,
                                            static_cast<std::size_t>(inputs.tokens) * E));
  if (inputs.bias.size() != E)
    throw std::invalid_argument(
        fmt::format("route_exact: bias has {} values, expected experts = {}", inputs.bias.size(), E));

  std::vector<double> bias(E);
  for (std::size_t e = 0; e < E; ++e) bias[e] = decode(inputs.bias_format, inputs.bias[e]);

  // Chunks of tokens on a pool of threads; each token's answer depends on its row alone,
  // counts are merged in chunk order and an error is the first chunk's (parallel_for), so
  // nothing depends on the thread count.
  constexpr std::int64_t kChunkTokens = 64;
  const std::int64_t chunks = (inputs.tokens + kChunkTokens - 1) / kChunkTokens;
  std::vector<TokenRouting> out(static_cast<std::size_t>(inputs.tokens));
  std::vector<RoutingOracleCounts> chunk_counts(static_cast<std::size_t>(chunks));
  parallel_for(
      chunks,
      [&](std::int64_t k) {
        Token t;
        t.config = &config;
        t.method = options.method;
        t.ex.resize(E);
        const std::int64_t t0 = k * kChunkTokens, t1 = std::min(inputs.tokens, t0 + kChunkTokens);
        for (std::int64_t i = t0; i < t1; ++i) {
          reset(t, i, std::span(inputs.logits).subspan(static_cast<std::size_t>(i) * E, E), inputs.logits_format, bias);
          out[static_cast<std::size_t>(i)] = route_token(t);
          ++t.counts.tokens;
        }
        chunk_counts[static_cast<std::size_t>(k)] = t.counts;
      },
      options.threads);
  if (counts)
    for (const RoutingOracleCounts& c : chunk_counts) *counts += c;
  return out;
}

}  // namespace ulpcheck
