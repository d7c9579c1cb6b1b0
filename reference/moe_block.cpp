// The MoE block's inputs and exact answers (reference/moe_block.hpp).
#include "ulpcheck/reference/moe_block.hpp"

#include <fmt/format.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include "ulpcheck/reference/oracle.hpp"
#include "ulpcheck/reference/registry.hpp"
#include "ulpcheck/support/parallel.hpp"

namespace ulpcheck {

namespace {

std::vector<double> moe_decode_all(Format f, const std::vector<std::uint32_t>& bits) {
  std::vector<double> out(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) out[i] = decode(f, bits[i]);
  return out;
}

/// A [rows, cols] row-major matrix of doubles moe_transposed, so that a column is contiguous.
std::vector<double> moe_transposed(const double* m, std::int64_t rows, std::int64_t cols) {
  std::vector<double> out(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) out[static_cast<std::size_t>(c * rows + r)] = m[r * cols + c];
  return out;
}

/// Every expert's weight matrix [in, out] (and the shared expert's, last) as columns.
struct MoeColumns {
  std::vector<std::vector<double>> w1, w2;
};

MoeColumns moe_columns(const MoeBlockConfig& c, const MoeBlockInputs& in) {
  const std::int64_t H = c.hidden, N1 = 2 * c.inter, I = c.inter;
  const std::vector<double> w1 = moe_decode_all(c.format, in.w1), w2 = moe_decode_all(c.format, in.w2);
  const std::vector<double> sw1 = moe_decode_all(c.format, in.shared_w1), sw2 = moe_decode_all(c.format, in.shared_w2);
  MoeColumns out;
  for (int e = 0; e < c.experts; ++e) {
    out.w1.push_back(moe_transposed(w1.data() + e * H * N1, H, N1));
    out.w2.push_back(moe_transposed(w2.data() + e * I * H, I, H));
  }
  out.w1.push_back(moe_transposed(sw1.data(), H, N1));
  out.w2.push_back(moe_transposed(sw2.data(), I, H));
  return out;
}

Params moe_activation_params(const MoeBlockConfig& c) {
  Params p;
  p.set("limit", c.limit);
  return p;
}

/// The activation oracle on rows [rows, 2 * inter] of gate then up values.
std::vector<Exact> moe_activation_exact(const MoeBlockConfig& c, const std::vector<double>& rows) {
  const std::size_t I = static_cast<std::size_t>(c.inter), n = rows.size() / (2 * I);
  std::vector<double> gate(n * I), up(n * I);
  for (std::size_t r = 0; r < n; ++r)
    for (std::size_t j = 0; j < I; ++j) {
      gate[r * I + j] = rows[r * 2 * I + j];
      up[r * I + j] = rows[r * 2 * I + I + j];
    }
  return evaluate(kSiluAndMulClampOp, c.format, gate, up, moe_activation_params(c));
}

/// out[j] = exact sum_i a[i] * column j of the weights, for a row a of double-doubles.
void moe_exact_row_times(Format f, std::span<const DoubleDouble> a, const std::vector<double>& columns,
                         std::int64_t outputs, ExactDot* out) {
  const auto n = static_cast<std::int64_t>(a.size());
  std::vector<DoubleDouble> column(a.size());
  for (std::int64_t j = 0; j < outputs; ++j) {
    for (std::int64_t i = 0; i < n; ++i) column[static_cast<std::size_t>(i)] = DoubleDouble::of(columns[j * n + i]);
    out[j] = exact_sum_of_products(f, a, column);
  }
}

std::vector<DoubleDouble> moe_values_of(const Exact* s, std::size_t n) {
  std::vector<DoubleDouble> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = s[i].value;
  return out;
}

}  // namespace

std::string MoeBlockConfig::validate() const {
  if (const std::string why = routing().validate(); !why.empty()) return "routing: " + why;
  if (const std::string why = combine().validate(); !why.empty()) return "combine: " + why;
  if (inter < 1 || inter > 65536) return fmt::format("inter is {}; it must be in [1, 65536]", inter);
  if (tokens < 0 || tokens > (1 << 20)) return fmt::format("tokens is {}; it must be in [0, 2^20]", tokens);
  if (!(limit >= 0.0) || static_cast<double>(static_cast<float>(limit)) != limit)
    return fmt::format("limit is {}; it must be an fp32 value >= 0 or inf", limit);
  if (!std::isfinite(input_scale) || !(input_scale > 0.0))
    return fmt::format("input_scale is {}; it must be finite and > 0", input_scale);
  return {};
}

RoutingConfig MoeBlockConfig::routing() const {
  return RoutingConfig{.experts = experts,
                       .n_group = n_group,
                       .topk_group = topk_group,
                       .topk = topk,
                       .scoring = Scoring::sigmoid,
                       .renormalize = true,
                       .routed_scaling_factor = 1.0};
}

CombineConfig MoeBlockConfig::combine() const {
  return CombineConfig{.topk = topk, .hidden = hidden, .routed_scaling_factor = routed_scaling_factor};
}

std::string MoeBlockConfig::label() const {
  return fmt::format("{} E={} groups={} keep={} top={} hidden={} inter={} tokens={} scale={} limit={} seed={}",
                     name(format), experts, n_group, topk_group, topk, hidden, inter, tokens,
                     static_cast<float>(routed_scaling_factor), static_cast<float>(limit), seed);
}

MoeBlockInputs generate_moe_block_inputs(const MoeBlockConfig& c) {
  if (const std::string why = c.validate(); !why.empty()) throw std::invalid_argument("moe block: " + why);
  std::mt19937_64 rng(c.seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> small(-0.05, 0.05);
  const Format f = c.format;
  const auto draw = [&](std::size_t n, double sd) {
    std::vector<std::uint32_t> out(n);
    for (auto& b : out) b = encode(f, round_to(f, sd * normal(rng)));
    return out;
  };
  const auto E = static_cast<std::size_t>(c.experts), T = static_cast<std::size_t>(c.tokens),
             H = static_cast<std::size_t>(c.hidden), I = static_cast<std::size_t>(c.inter);
  MoeBlockInputs in;
  in.router.logits_format = Format::fp32;
  in.router.bias_format = Format::fp32;
  in.router.tokens = c.tokens;
  for (std::size_t i = 0; i < T * E; ++i)
    in.router.logits.push_back(encode(Format::fp32, round_to(Format::fp32, 2.0 * normal(rng))));
  for (std::size_t e = 0; e < E; ++e)
    in.router.bias.push_back(encode(Format::fp32, round_to(Format::fp32, small(rng))));
  in.x = draw(T * H, c.input_scale);
  in.w1 = draw(E * H * 2 * I, 1.0 / std::sqrt(static_cast<double>(H)));
  in.w2 = draw(E * I * H, 1.0 / std::sqrt(static_cast<double>(I)));
  in.shared_w1 = draw(H * 2 * I, 1.0 / std::sqrt(static_cast<double>(H)));
  in.shared_w2 = draw(I * H, 1.0 / std::sqrt(static_cast<double>(I)));
  return in;
}

MoeBlockExact moe_block_exact(const MoeBlockConfig& c, const MoeBlockInputs& in, int threads) {
  if (const std::string why = c.validate(); !why.empty()) throw std::invalid_argument("moe block: " + why);
  const std::int64_t T = c.tokens, K = c.topk, H = c.hidden, I = c.inter, N1 = 2 * I;
  if (in.x.size() != static_cast<std::size_t>(T * H) || in.w1.size() != static_cast<std::size_t>(c.experts * H * N1) ||
      in.w2.size() != static_cast<std::size_t>(c.experts * I * H) ||
      in.shared_w1.size() != static_cast<std::size_t>(H * N1) || in.shared_w2.size() != static_cast<std::size_t>(I * H))
    throw std::invalid_argument(fmt::format("moe block: inputs not sized for {}", c.label()));
  MoeBlockExact out;
  out.routing = route_exact(c.routing(), in.router, RoutingOracleOptions{.threads = threads});
  const MoeColumns columns = moe_columns(c, in);
  const std::vector<double> x = moe_decode_all(c.format, in.x);
  const auto at = [](auto& v, std::int64_t i) { return v.data() + i; };
  out.gate_up.resize(static_cast<std::size_t>(T * K * N1));
  out.activation.resize(static_cast<std::size_t>(T * K * I));
  out.down.resize(static_cast<std::size_t>(T * K * H));
  out.shared_gate_up.resize(static_cast<std::size_t>(T * N1));
  out.shared_activation.resize(static_cast<std::size_t>(T * I));
  out.shared_down.resize(static_cast<std::size_t>(T * H));
  out.out.resize(static_cast<std::size_t>(T * H));

  parallel_for(
      T,
      [&](std::int64_t t) {
        std::vector<DoubleDouble> row(static_cast<std::size_t>(H));
        for (std::int64_t h = 0; h < H; ++h) row[static_cast<std::size_t>(h)] = DoubleDouble::of(x[t * H + h]);
        // Slot k < K is a routed expert, slot K the shared one.
        for (std::int64_t k = 0; k <= K; ++k) {
          const bool shared = k == K;
          const std::size_t e = shared ? static_cast<std::size_t>(c.experts)
                                       : static_cast<std::size_t>(out.routing[static_cast<std::size_t>(t)].ids[k]);
          ExactDot* g = shared ? at(out.shared_gate_up, t * N1) : at(out.gate_up, (t * K + k) * N1);
          moe_exact_row_times(c.format, row, columns.w1[e], N1, g);
          std::vector<double> g_hi(static_cast<std::size_t>(N1));
          for (std::int64_t j = 0; j < N1; ++j) g_hi[static_cast<std::size_t>(j)] = g[j].value.value.hi;
          const std::vector<Exact> a = moe_activation_exact(c, g_hi);
          std::copy(a.begin(), a.end(),
                    shared ? at(out.shared_activation, t * I) : at(out.activation, (t * K + k) * I));
          ExactDot* y = shared ? at(out.shared_down, t * H) : at(out.down, (t * K + k) * H);
          moe_exact_row_times(c.format, moe_values_of(a.data(), a.size()), columns.w2[e], H, y);
        }
        // The combine on double-double terms: rsf * w_k * y_k for each k, then 1 * shared.
        const TokenRouting& r = out.routing[static_cast<std::size_t>(t)];
        std::vector<DoubleDouble> w(static_cast<std::size_t>(K + 1)), y(static_cast<std::size_t>(K + 1)),
            scale(static_cast<std::size_t>(K + 1), DoubleDouble::of(c.routed_scaling_factor));
        scale[static_cast<std::size_t>(K)] = DoubleDouble::of(1.0);
        w[static_cast<std::size_t>(K)] = DoubleDouble::of(1.0);
        for (std::int64_t k = 0; k < K; ++k) w[static_cast<std::size_t>(k)] = r.weights[static_cast<std::size_t>(k)];
        for (std::int64_t h = 0; h < H; ++h) {
          for (std::int64_t k = 0; k < K; ++k)
            y[static_cast<std::size_t>(k)] = out.down[(t * K + k) * H + h].value.value;
          y[static_cast<std::size_t>(K)] = out.shared_down[t * H + h].value.value;
          out.out[t * H + h] = exact_sum_of_products(c.format, w, y, scale);
        }
      },
      threads);
  return out;
}

MoeStageExact moe_stage_exact(const MoeBlockConfig& c, const MoeBlockInputs& in, const MoeBlockExact& a, int threads) {
  const std::int64_t T = c.tokens, K = c.topk, H = c.hidden, I = c.inter;
  const Format f = c.format;
  const auto rounded = [f](const auto& values, auto value_of) {
    std::vector<std::uint32_t> out(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) out[i] = encode(f, round_double_double(f, value_of(values[i])));
    return out;
  };
  const auto of_sum = [](const ExactDot& s) { return s.value.value; };
  const auto of_exact = [](const Exact& e) { return e.value; };
  MoeStageExact out;
  out.activation_input = rounded(a.gate_up, of_sum);
  out.shared_activation_input = rounded(a.shared_gate_up, of_sum);
  out.activation = moe_activation_exact(c, moe_decode_all(f, out.activation_input));
  out.shared_activation = moe_activation_exact(c, moe_decode_all(f, out.shared_activation_input));
  out.down_input = rounded(a.activation, of_exact);
  out.shared_down_input = rounded(a.shared_activation, of_exact);

  const MoeColumns columns = moe_columns(c, in);
  const std::vector<double> down_in = moe_decode_all(f, out.down_input),
                            shared_in = moe_decode_all(f, out.shared_down_input);
  out.down.resize(static_cast<std::size_t>(T * K * H));
  out.shared_down.resize(static_cast<std::size_t>(T * H));
  parallel_for(
      T,
      [&](std::int64_t t) {
        std::vector<DoubleDouble> row(static_cast<std::size_t>(I));
        for (std::int64_t k = 0; k <= K; ++k) {
          const bool shared = k == K;
          const std::size_t e = shared ? static_cast<std::size_t>(c.experts)
                                       : static_cast<std::size_t>(a.routing[static_cast<std::size_t>(t)].ids[k]);
          const double* source = shared ? shared_in.data() + t * I : down_in.data() + (t * K + k) * I;
          for (std::int64_t i = 0; i < I; ++i) row[static_cast<std::size_t>(i)] = DoubleDouble::of(source[i]);
          ExactDot* y = shared ? out.shared_down.data() + t * H : out.down.data() + (t * K + k) * H;
          moe_exact_row_times(f, row, columns.w2[e], H, y);
        }
      },
      threads);

  out.combine_input.format = f;
  out.combine_input.tokens = T;
  out.combine_input.routed = rounded(a.down, of_sum);
  out.combine_input.shared = rounded(a.shared_down, of_sum);
  for (const TokenRouting& r : a.routing)
    for (const DoubleDouble& w : r.weights)
      out.combine_input.weights.push_back(static_cast<float>(round_double_double(Format::fp32, w)));
  out.combine = combine_exact(c.combine(), out.combine_input, threads);
  return out;
}

}  // namespace ulpcheck
