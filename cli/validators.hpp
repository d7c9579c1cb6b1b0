// Checks of option values that CLI11's own would let through: a seed past 2^64-1 (its
// integer conversion saturates) or negative (it wraps), a NaN or infinite number of seconds.
#pragma once

#include <CLI/CLI.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace ulpcheck::cli {

/// A seed: decimal digits only, 0 to 2^64-1.
inline CLI::Validator seed_value() {
  return CLI::Validator(
      [](std::string& v) {
        std::uint64_t n = 0;
        const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), n);
        const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || error != std::errc() || end != v.data() + v.size())
          return std::string("must be an integer from 0 to 2^64-1 (18446744073709551615)");
        return std::string();
      },
      "UINT64");
}

/// A finite number greater than 0.
inline CLI::Validator finite_positive() {
  return CLI::Validator(
      [](std::string& v) {
        try {
          std::size_t used = 0;
          const double d = std::stod(v, &used);
          if (used == v.size() && std::isfinite(d) && d > 0) return std::string();
        } catch (const std::exception&) {
        }
        return std::string("must be a finite number greater than 0");
      },
      "POSITIVE");
}

}  // namespace ulpcheck::cli
