#include "cli/elementwise/flags.hpp"

#include <fmt/format.h>

#include "ulpcheck/reference/registry.hpp"

namespace ulpcheck::cli {

void ParamFlags::add_to(CLI::App& sub) {
  for (const ElementwiseOp* op : all_ops())
    for (const ParamSpec& spec : op->params) {
      const std::string name(spec.name);
      if (text_.contains(name)) continue;
      std::string checked;
      for (double v : spec.checked_values) checked += fmt::format("{}{}", checked.empty() ? "" : ", ", static_cast<float>(v));
      options_.push_back(sub.add_option(fmt::format("--{}", name), text_[name],
                                        fmt::format("{} ({}; default: {})", spec.doc, op->name,
                                                    checked.empty() ? fmt::format("{}", spec.default_value) : checked)));
    }
}

ParamValues ParamFlags::given() const {
  ParamValues out;
  for (const auto& [name, text] : text_)
    if (text) out.emplace(name, *text);
  return out;
}

}  // namespace ulpcheck::cli
