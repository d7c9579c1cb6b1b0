// Exact sums of products, for the GEMMs and the combine of the MoE block (moe_block.hpp):
// every product is formed exactly and the products are summed exactly, so the only
// roundings are the final ones to the output format and to a double-double.
#pragma once

#include <span>

#include "ulpcheck/reference/double_double.hpp"
#include "ulpcheck/reference/exact.hpp"
#include "ulpcheck/reference/format.hpp"

namespace ulpcheck {

/// An exact sum of products (a dot product) and the magnitude of its terms.
struct ExactDot {
  /// The sum correctly rounded to the output format and as a double-double.
  Exact value;
  /// sum_i |term_i| in double (relative error about n * 2^-53): the scale an accumulation's
  /// error grows with, for claims and relative figures.
  double scale = 0.0;
};

/// sum_i a_i * b_i * c_i, exactly. Each of a, b, c is a double-double (a plain double has
/// lo = 0); each cross product of their parts has at most 3 * 53 bits and is formed in MPFR
/// at a precision that holds it, and the products are summed by mpfr_sum at a precision
/// spanning the highest leading bit to the lowest last bit of the terms plus the carries,
/// so that neither step rounds. `c` may be empty (c_i = 1). Throws std::invalid_argument
/// when the spans differ in length or an input is not finite.
ExactDot exact_sum_of_products(Format f, std::span<const DoubleDouble> a, std::span<const DoubleDouble> b,
                               std::span<const DoubleDouble> c = {});

/// sum_i a_i * b_i for values given as doubles (format values), exactly, as above.
ExactDot exact_dot(Format f, std::span<const double> a, std::span<const double> b);

/// The double-double v correctly rounded to f: round_to(f, v.hi), except where v.hi is a
/// midpoint of f, where v.lo decides the direction (a tie only when v.lo = 0). Since every
/// midpoint of f is a double, no other v.hi lets v.lo cross one.
double round_double_double(Format f, const DoubleDouble& v);

}  // namespace ulpcheck
