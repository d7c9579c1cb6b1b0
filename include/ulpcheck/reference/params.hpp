// Named, validated op parameters (the clamp limit of silu_and_mul_clamp, for one).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>

namespace ulpcheck {

/// One parameter an op takes: its name, what it means, its default and its valid range.
struct ParamSpec {
  std::string_view name;
  std::string_view doc;
  double default_value;
  /// Empty when `value` is valid; otherwise what is wrong with it, for an error message.
  std::string (*validate)(double value);
  /// The values every golden file and every report covers when no value is asked for
  /// (for the clamp limit: 0, 7, fp32(7.3), 10 and inf). Empty: the default alone.
  std::span<const double> checked_values = {};
};

/// Values by parameter name. Ops read them with get(); the CLI fills them from flags after
/// validating against the op's ParamSpecs.
class Params {
 public:
  Params& set(std::string_view name, double value);
  /// Throws std::out_of_range naming the parameter when it is absent.
  double get(std::string_view name) const;
  bool has(std::string_view name) const;
  /// "limit=7.3" style, in a fixed (name) order; empty for no parameters.
  std::string to_string() const;
  /// As a person reads it and golden files name cases: "limit=7.3", each value shown as
  /// the shortest decimal of its fp32 value (kernels receive floats); empty for none.
  std::string label() const;
  const std::map<std::string, double, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, double, std::less<>> values_;
};

}  // namespace ulpcheck
