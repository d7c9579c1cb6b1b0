#include "ulpcheck/golden/elementwise/corpus.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "golden/file_lock.hpp"
#include "ulpcheck/golden/elementwise/regen.hpp"

namespace ulpcheck::golden {

namespace {

/// Parameter values compared by their bits, so that -0 and 0 or two NaNs are told apart
/// exactly as a kernel would see them.
std::vector<std::uint64_t> param_bits(const Corpus& c, std::size_t row) {
  std::vector<std::uint64_t> out;
  for (const auto& column : c.param_values) out.push_back(std::bit_cast<std::uint64_t>(column[row]));
  return out;
}

}  // namespace

std::vector<CorpusPart> split_by_params(const Corpus& c) {
  std::map<std::vector<std::uint64_t>, std::size_t> index;
  std::vector<CorpusPart> parts;
  for (std::size_t i = 0; i < c.data.size(); ++i) {
    auto [it, fresh] = index.try_emplace(param_bits(c, i), parts.size());
    if (fresh) parts.push_back({c.params_of(i), {}});
    Elements& e = parts[it->second].data;
    e.x0_bits.push_back(c.data.x0_bits[i]);
    if (!c.data.x1_bits.empty()) e.x1_bits.push_back(c.data.x1_bits[i]);
    if (!c.data.exact_hi.empty()) {
      e.exact_hi.push_back(c.data.exact_hi[i]);
      e.exact_lo.push_back(c.data.exact_lo[i]);
      e.rounded_bits.push_back(c.data.rounded_bits[i]);
    }
  }
  return parts;
}

void compute_corpus_exact(const ElementwiseOp& op, Corpus& c) {
  const std::size_t n = c.data.size();
  c.data.exact_hi.assign(n, 0.0);
  c.data.exact_lo.assign(n, 0.0);
  c.data.rounded_bits.assign(n, 0);
  // Evaluate each parameter set as one batch, then scatter back in corpus order.
  std::map<std::vector<std::uint64_t>, std::vector<std::size_t>> rows_of;
  for (std::size_t i = 0; i < n; ++i) rows_of[param_bits(c, i)].push_back(i);
  for (const auto& [key, rows] : rows_of) {
    Elements e;
    for (std::size_t i : rows) {
      e.x0_bits.push_back(c.data.x0_bits[i]);
      if (op.arity == 2) e.x1_bits.push_back(c.data.x1_bits[i]);
    }
    compute_exact(op, c.format, c.params_of(rows.front()), e);
    for (std::size_t j = 0; j < rows.size(); ++j) {
      c.data.exact_hi[rows[j]] = e.exact_hi[j];
      c.data.exact_lo[rows[j]] = e.exact_lo[j];
      c.data.rounded_bits[rows[j]] = e.rounded_bits[j];
    }
  }
}

std::size_t add_to_corpus(const std::string& dir, const ElementwiseOp& op, Format f, const Params& params,
                          const BitTensor& rows) {
  const std::string path = golden_path(dir, op.name);
  DirectoryLock lock(dir);
  GoldenFile file;
  if (std::filesystem::exists(path)) {
    file = read_golden(path);
  } else {
    file.op = std::string(op.name);
    file.formula = std::string(op.formula);
    file.arity = op.arity;
  }
  auto it = std::find_if(file.corpora.begin(), file.corpora.end(), [&](const Corpus& c) { return c.format == f; });
  if (it == file.corpora.end()) {
    Corpus c;
    c.format = f;
    for (const ParamSpec& ps : op.params) {
      c.param_names.emplace_back(ps.name);
      c.param_values.emplace_back();
    }
    file.corpora.push_back(std::move(c));
    it = file.corpora.end() - 1;
  }
  Corpus& c = *it;

  using Key = std::tuple<std::vector<std::uint64_t>, std::uint32_t, std::uint32_t>;
  std::set<Key> seen;
  for (std::size_t i = 0; i < c.data.size(); ++i)
    seen.insert(Key{param_bits(c, i), c.data.x0_bits[i], op.arity == 2 ? c.data.x1_bits[i] : 0u});
  std::vector<double> values;
  std::vector<std::uint64_t> key;
  for (const std::string& pn : c.param_names) {
    values.push_back(params.get(pn));
    key.push_back(std::bit_cast<std::uint64_t>(values.back()));
  }
  const std::int64_t d = rows.cols / op.arity;
  Elements add;
  for (std::int64_t r = 0; r < rows.rows; ++r)
    for (std::int64_t col = 0; col < d; ++col) {
      const std::uint32_t a = rows.at(r, col), b = op.arity == 2 ? rows.at(r, d + col) : 0u;
      if (!seen.insert(Key{key, a, b}).second) continue;
      add.x0_bits.push_back(a);
      if (op.arity == 2) add.x1_bits.push_back(b);
    }
  if (add.size() == 0) return 0;
  compute_exact(op, f, params, add);
  auto append = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
  append(c.data.x0_bits, add.x0_bits);
  append(c.data.x1_bits, add.x1_bits);
  append(c.data.exact_hi, add.exact_hi);
  append(c.data.exact_lo, add.exact_lo);
  append(c.data.rounded_bits, add.rounded_bits);
  for (std::size_t i = 0; i < c.param_names.size(); ++i)
    c.param_values[i].insert(c.param_values[i].end(), add.size(), values[i]);
  write_golden(path, file);
  return add.size();
}

}  // namespace ulpcheck::golden
