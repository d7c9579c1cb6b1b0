#include "ulpcheck/properties/routing/expert_sets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ulpcheck {

namespace {

/// A token's ids, sorted: equal sets give equal vectors (ids are distinct in the oracle's
/// answers; a kernel's repeated id makes its set differ from any valid one).
std::vector<std::int32_t> sorted_ids(const std::int32_t* ids, std::size_t n) {
  std::vector<std::int32_t> v(ids, ids + n);
  std::sort(v.begin(), v.end());
  return v;
}

std::int64_t tokens_of(const RoutingOutputs& out, int topk) {
  if (topk <= 0 || out.ids.size() % static_cast<std::size_t>(topk) != 0)
    throw std::invalid_argument(fmt::format("expert_sets_differ: {} ids are not whole rows of topk = {}",
                                            out.ids.size(), topk));
  return static_cast<std::int64_t>(out.ids.size() / static_cast<std::size_t>(topk));
}

void same_tokens(std::int64_t a, std::int64_t b) {
  if (a != b) throw std::invalid_argument(fmt::format("expert_sets_differ: {} tokens against {}", a, b));
}

template <class IdsA, class IdsB>
SetDifference compare(std::int64_t tokens, IdsA a, IdsB b) {
  SetDifference d;
  d.tokens = tokens;
  for (std::int64_t t = 0; t < tokens; ++t) d.differ += a(t) != b(t);
  return d;
}

}  // namespace

SetDifference expert_sets_differ(const std::vector<TokenRouting>& a, const std::vector<TokenRouting>& b) {
  same_tokens(static_cast<std::int64_t>(a.size()), static_cast<std::int64_t>(b.size()));
  const auto ids = [](const std::vector<TokenRouting>& r) {
    return [&r](std::int64_t t) {
      const TokenRouting& x = r[static_cast<std::size_t>(t)];
      return sorted_ids(x.ids.data(), x.ids.size());
    };
  };
  return compare(static_cast<std::int64_t>(a.size()), ids(a), ids(b));
}

SetDifference expert_sets_differ(const std::vector<TokenRouting>& a, const RoutingOutputs& b, int topk) {
  const std::int64_t n = tokens_of(b, topk);
  same_tokens(static_cast<std::int64_t>(a.size()), n);
  return compare(
      n,
      [&](std::int64_t t) {
        const TokenRouting& x = a[static_cast<std::size_t>(t)];
        return sorted_ids(x.ids.data(), x.ids.size());
      },
      [&](std::int64_t t) { return sorted_ids(b.ids.data() + t * topk, static_cast<std::size_t>(topk)); });
}

SetDifference expert_sets_differ(const RoutingOutputs& a, const RoutingOutputs& b, int topk) {
  const std::int64_t n = tokens_of(a, topk);
  same_tokens(n, tokens_of(b, topk));
  const auto ids = [topk](const RoutingOutputs& r) {
    return [&r, topk](std::int64_t t) { return sorted_ids(r.ids.data() + t * topk, static_cast<std::size_t>(topk)); };
  };
  return compare(n, ids(a), ids(b));
}

}  // namespace ulpcheck
