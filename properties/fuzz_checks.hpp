// What the fuzz properties share: running a kernel on a case, finding where two outputs
// differ and saying where a failure is. Internal to properties/; the properties every op
// has (fuzz_properties.cpp) and those of one op's own (ops/) use it.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ulpcheck/properties/fuzz.hpp"

namespace ulpcheck::detail {

/// Cases with parameters the kernel declares it does not take are not its failures: drops
/// the case (RC_PRE).
void require_supported(const FuzzTarget& t, const Params& p);

/// The kernel's output for `in`, over a poisoned output tensor.
BitTensor run(const Kernel& k, const ElementwiseOp& op, const Params& p, const BitTensor& in);

/// The op, kernel, shape and element of a failure, with the parameters the kernel ran with
/// (the case's own: a property that runs others passes a case that holds them).
std::string where(const FuzzTarget& t, const FuzzCase& c, std::int64_t index);

/// "0x<bits> (<value>)".
std::string bits_text(Format f, std::uint32_t b);

/// Index of the first element whose bits differ, or -1.
std::int64_t first_difference(const BitTensor& a, const BitTensor& b);

}  // namespace ulpcheck::detail

namespace ulpcheck {

/// The properties of one op's own semantics, each defined in a file of that op's under
/// properties/ops/ and listed by all_fuzz_properties() after the value properties every op
/// has: the clamp op's (ops/clamp_properties.cpp).
std::span<const FuzzProperty> clamp_fuzz_properties();

}  // namespace ulpcheck
