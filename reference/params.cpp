#include "ulpcheck/reference/params.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace ulpcheck {

Params& Params::set(std::string_view name, double value) {
  values_.insert_or_assign(std::string(name), value);
  return *this;
}

double Params::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw std::out_of_range(fmt::format("parameter '{}' is not set", name));
  return it->second;
}

bool Params::has(std::string_view name) const { return values_.find(name) != values_.end(); }

std::string Params::to_string() const {
  std::string out;
  for (const auto& [k, v] : values_) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", k, v);
  }
  return out;
}

std::string Params::label() const {
  std::string out;
  for (const auto& [k, v] : values_) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", k, static_cast<float>(v));
  }
  return out;
}

}  // namespace ulpcheck
