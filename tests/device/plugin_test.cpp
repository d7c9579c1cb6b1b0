// The plugin loader (device/plugin.cpp): the example plugin loads, registers and keeps its
// claims; a probe plugin pins what kernel_abi.h promises a kernel (DLTensor fields, dtype
// codes, layout, poisoned output, the limit, error reporting); and every check of the loader
// fails with its own message on a plugin broken in that one way (tests/device/plugins/).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/device/plugin_loading.hpp"
#include "ulpcheck/device/cuda/runtime.hpp"
#include "ulpcheck/device/plugin.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/properties/measure.hpp"
#include "ulpcheck/reference/registry.hpp"

#ifndef ULPCHECK_EXAMPLE_PLUGIN
#error "the build must define ULPCHECK_EXAMPLE_PLUGIN"
#endif

namespace ulpcheck {
namespace {

const ElementwiseOp& op(const char* name) { return *find_op(name); }

using test::load_once;
using test::test_plugin;

const Kernel& example(const char* name) {
  load_once(ULPCHECK_EXAMPLE_PLUGIN);
  const Kernel* k = find_kernel(name);
  if (!k) throw std::logic_error(fmt::format("{} is not registered", name));
  return *k;
}

const Kernel& probe(const char* name) {
  load_once(test_plugin("probe"));
  const Kernel* k = find_kernel(name);
  if (!k) throw std::logic_error(fmt::format("{} is not registered", name));
  return *k;
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

/// The PluginError message of loading `path`; a failure when it loads.
std::string load_error(const std::string& path) {
  try {
    load_plugin(path);
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " loaded, but it should not have";
  return {};
}

/// The KernelError message of running `k`; a failure when it runs.
std::string run_error(const Kernel& k, const ElementwiseOp& o, const Params& p, const BitTensor& in,
                      BitTensor& out) {
  try {
    k.run(o, p, in, out);
  } catch (const KernelError& e) {
    return e.what();
  }
  ADD_FAILURE() << k.name() << " ran, but it should have thrown KernelError";
  return {};
}

bool same_budget(const std::optional<Budget>& a, const Budget& b) {
  return a && a->max_ulp == b.max_ulp && a->abs_floor == b.abs_floor;
}

// --- the example plugin (examples/plugin/silu_and_mul_plugin.c)

TEST(PluginExample, LoadsAndRegistersItsKernels) {
  const std::size_t before = all_kernels().size();
  const std::vector<std::string>& kernels = load_once(ULPCHECK_EXAMPLE_PLUGIN);
  EXPECT_EQ(kernels, (std::vector<std::string>{"example.silu_and_mul", "example.always_fails"}));
  EXPECT_EQ(all_kernels().size(), before + 2);
  for (const std::string& name : kernels) {
    const Kernel* k = find_kernel(name);
    ASSERT_NE(k, nullptr) << name;
    EXPECT_FALSE(k->description().empty()) << name;
    EXPECT_NE(std::find(all_kernels().begin(), all_kernels().end(), k), all_kernels().end()) << name;
  }
  // Built-in kernels come first: plugins do not change the default kernel.
  EXPECT_EQ(default_kernel(op("silu_and_mul"), Format::bf16)->name().substr(0, 5),
            cuda::device_available() ? "cuda." : "host.");
}

TEST(PluginExample, ClaimsTheDeclaredBudgets) {
  const Kernel& k = example("example.silu_and_mul");
  EXPECT_TRUE(same_budget(k.claim(op("silu_and_mul"), Format::bf16), Budget{0.51, 0x1p-121}));
  EXPECT_TRUE(same_budget(k.claim(op("silu_and_mul"), Format::fp16), Budget{0.51, 0.0}));
  EXPECT_TRUE(same_budget(k.claim(op("silu_and_mul"), Format::fp32), Budget{8.0, 0x1p-121}));
  EXPECT_FALSE(k.supports(op("silu"), Format::bf16));
  EXPECT_FALSE(k.supports(op("silu_and_mul_clamp"), Format::bf16));
  // max_ulp < 0: the op's default budget, and only the dtypes declared.
  const Kernel& fails = example("example.always_fails");
  EXPECT_TRUE(same_budget(fails.claim(op("silu_and_mul"), Format::bf16), op("silu_and_mul").default_budget_for(Format::bf16)));
  EXPECT_FALSE(fails.supports(op("silu_and_mul"), Format::fp16));
  EXPECT_FALSE(fails.supports(op("silu_and_mul"), Format::fp32));
}

void expect_keeps_its_claim(Format f) {
  const Kernel& k = example("example.silu_and_mul");
  const Measurement m =
      measure(op("silu_and_mul"), k, f, Params{}, random_bits(f, 2, 100'000, 20240611 + static_cast<int>(f)));
  EXPECT_EQ(m.stats.count, 100'000);
  EXPECT_TRUE(same_budget(k.claim(op("silu_and_mul"), f), m.budget));
  EXPECT_TRUE(m.stats.passes()) << name(f) << ": " << m.stats.budget_breaches << " budget breaches, "
                                << m.stats.semantic_violations << " semantic violations, max ULP above floor "
                                << m.stats.max_ulp_above_floor;
  EXPECT_LE(m.stats.max_ulp_above_floor, m.budget.max_ulp) << name(f);
}

TEST(PluginExample, SiluAndMulKeepsItsClaimOnRandomBf16Pairs) { expect_keeps_its_claim(Format::bf16); }
TEST(PluginExample, SiluAndMulKeepsItsClaimOnRandomFp16Pairs) { expect_keeps_its_claim(Format::fp16); }
TEST(PluginExample, SiluAndMulKeepsItsClaimOnRandomFp32Pairs) { expect_keeps_its_claim(Format::fp32); }

// The example's C conversions (round to nearest even, NaN, inf, subnormals) against the
// built-in single-rounding kernel, which computes the same formula: outputs may differ only
// where the two fp32 exps differ by an fp32 ulp next to a 16-bit rounding boundary.
void expect_agrees_with_host_single_rounding(Format f) {
  const InputSet in = random_bits(f, 2, 100'000, 77);
  BitTensor mine = BitTensor::zeros(f, in.tensor.rows, in.tensor.cols / 2), host = mine;
  example("example.silu_and_mul").run(op("silu_and_mul"), Params{}, in.tensor, mine);
  find_kernel("host.single_rounding")->run(op("silu_and_mul"), Params{}, in.tensor, host);
  std::int64_t differing = 0;
  for (std::size_t i = 0; i < mine.bits.size(); ++i) {
    const double a = decode(f, mine.bits[i]), b = decode(f, host.bits[i]);
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a != b || std::signbit(a) != std::signbit(b)) ++differing;
  }
  EXPECT_LE(differing, 100) << name(f) << ": " << differing << " of 100000 outputs differ";
}

TEST(PluginExample, Bf16ConversionsAgreeWithTheBuiltInKernel) { expect_agrees_with_host_single_rounding(Format::bf16); }
TEST(PluginExample, Fp16ConversionsAgreeWithTheBuiltInKernel) { expect_agrees_with_host_single_rounding(Format::fp16); }

TEST(PluginExample, AlwaysFailsThrowsKernelErrorWithItsMessage) {
  const Kernel& k = example("example.always_fails");
  const InputSet in = random_bits(Format::bf16, 2, 1000, 1);
  BitTensor out = BitTensor::zeros(Format::bf16, in.tensor.rows, in.tensor.cols / 2);
  const std::string msg = run_error(k, op("silu_and_mul"), Params{}, in.tensor, out);
  EXPECT_EQ(msg,
            "example.always_fails: run failed (code 3): example.always_fails: refuses every input (this kernel shows "
            "how a plugin reports an error)");
  EXPECT_THROW(measure(op("silu_and_mul"), k, Format::bf16, Params{}, in), KernelError);
}

TEST(PluginExample, LoadingItTwiceFailsOnTheDuplicateName) {
  load_once(ULPCHECK_EXAMPLE_PLUGIN);
  const std::size_t before = all_kernels().size();
  const std::string msg = load_error(ULPCHECK_EXAMPLE_PLUGIN);
  EXPECT_TRUE(msg.starts_with(ULPCHECK_EXAMPLE_PLUGIN)) << msg;
  EXPECT_TRUE(contains(msg, "example.silu_and_mul")) << msg;
  EXPECT_TRUE(contains(msg, "already registered")) << msg;
  EXPECT_EQ(all_kernels().size(), before);
}

// --- the ABI contract, through the probe plugin (tests/device/plugins/probe_plugin.c)

TEST(PluginAbi, TensorsAreContiguousNativeWidthGateThenUpWithPoisonedOutput) {
  const Kernel& k = probe("probe.contract");
  Params p = op("silu_and_mul_clamp").default_params();
  p.set("limit", static_cast<float>(7.3));
  for (Format f : all_formats()) {
    const InputSet in = random_rows(f, 2, 3, 5, 11);
    BitTensor out = BitTensor::zeros(f, 3, 5);
    ASSERT_NO_THROW(k.run(op("silu_and_mul_clamp"), p, in.tensor, out)) << name(f);
    for (std::int64_t r = 0; r < 3; ++r)
      for (std::int64_t c = 0; c < 5; ++c) EXPECT_EQ(out.at(r, c), in.tensor.at(r, 5 + c)) << name(f) << " [" << r << ", " << c << "]";
  }
}

TEST(PluginAbi, DefaultAndDeclaredBudgets) {
  const ElementwiseOp& clamp = op("silu_and_mul_clamp");
  for (Format f : all_formats())
    EXPECT_TRUE(same_budget(probe("probe.contract").claim(clamp, f), clamp.default_budget_for(f))) << name(f);
  const Kernel& k = probe("probe.writes_nothing");
  EXPECT_TRUE(same_budget(k.claim(op("silu"), Format::bf16), Budget{2.0, 0.0}));
  EXPECT_TRUE(same_budget(k.claim(op("silu"), Format::fp16), Budget{3.0, 0x1p-24}));
  EXPECT_TRUE(same_budget(k.claim(op("silu"), Format::fp32), Budget{4.0, 0.5}));
  EXPECT_FALSE(k.supports(op("silu_and_mul"), Format::bf16));
  EXPECT_EQ(k.description(), "");  // NULL description
}

std::uint32_t limit_seen(const char* kernel, const char* o, const Params& p) {
  BitTensor in = BitTensor::zeros(Format::fp32, 2, 2 * op(o).arity), out = BitTensor::zeros(Format::fp32, 2, 2);
  probe(kernel).run(op(o), p, in, out);
  EXPECT_EQ(out.bits[0], out.bits[3]);
  return out.bits[0];
}

TEST(PluginAbi, LimitIsTheOpsLimitAsFp32OrInfinity) {
  Params p = op("silu_and_mul_clamp").default_params();
  p.set("limit", static_cast<float>(7.3));
  EXPECT_EQ(limit_seen("probe.limit_clamp", "silu_and_mul_clamp", p), encode(Format::fp32, static_cast<float>(7.3)));
  p.set("limit", 0.0);
  EXPECT_EQ(limit_seen("probe.limit_clamp", "silu_and_mul_clamp", p), 0u);
  p.set("limit", HUGE_VAL);
  EXPECT_EQ(limit_seen("probe.limit_clamp", "silu_and_mul_clamp", p), 0x7f800000u);
  EXPECT_EQ(limit_seen("probe.limit_silu", "silu", op("silu").default_params()), 0x7f800000u);  // no limit: +inf
}

TEST(PluginAbi, ElementsTheKernelDoesNotWriteComeBackAsNaN) {
  for (Format f : all_formats()) {
    const InputSet in = random_rows(f, 1, 4, 7, 5);
    BitTensor out = BitTensor::zeros(f, 4, 7);
    probe("probe.writes_nothing").run(op("silu"), Params{}, in.tensor, out);
    const std::uint32_t poison = f == Format::fp32 ? 0xffffffffu : 0xffffu;
    EXPECT_TRUE(std::all_of(out.bits.begin(), out.bits.end(), [&](std::uint32_t b) { return b == poison; })) << name(f);
  }
}

TEST(PluginAbi, ErrorsWithoutNulOrWithoutMessage) {
  const InputSet in = random_rows(Format::bf16, 1, 2, 2, 1);
  BitTensor out = BitTensor::zeros(Format::bf16, 2, 2);
  const std::string unterminated = run_error(probe("probe.unterminated"), op("silu"), Params{}, in.tensor, out);
  EXPECT_TRUE(unterminated.starts_with("probe.unterminated: run failed (code 5): xxxx")) << unterminated;
  EXPECT_LT(unterminated.size(), 1100u);
  const std::string silent = run_error(probe("probe.silent"), op("silu"), Params{}, in.tensor, out);
  EXPECT_EQ(silent, "probe.silent: run failed (code -7): (the kernel gave no message)");
}

TEST(PluginAbi, RunChecksOpDtypeAndShape) {
  const Kernel& k = probe("probe.limit_clamp");
  BitTensor in = BitTensor::zeros(Format::bf16, 2, 4), out = BitTensor::zeros(Format::bf16, 2, 2);
  EXPECT_TRUE(contains(run_error(k, op("silu_and_mul_clamp"), Params{}, in, out), "does not implement"));
  EXPECT_TRUE(contains(run_error(k, op("silu_and_mul"), Params{}, in, out), "does not implement"));
  BitTensor in32 = BitTensor::zeros(Format::fp32, 2, 3), out32 = BitTensor::zeros(Format::fp32, 2, 2);
  EXPECT_TRUE(contains(run_error(k, op("silu_and_mul_clamp"), Params{}, in32, out32), "expects input [2, 4]"));
}

TEST(PluginAbi, CudaMemoryKernel) {
  const Kernel& k = probe("probe.cuda");
  const InputSet in = random_rows(Format::bf16, 1, 3, 4, 2);
  BitTensor out = BitTensor::zeros(Format::bf16, 3, 4);
  if (!cuda::device_available()) {
    // No GPU (or no CUDA in this build): a KernelError that names the kernel and the reason.
    const std::string msg = run_error(k, op("silu"), Params{}, in.tensor, out);
    EXPECT_TRUE(msg.starts_with("probe.cuda: ")) << msg;
    EXPECT_TRUE(contains(msg, cuda::device_description())) << msg;
    return;
  }
  // With a GPU: device pointers pass the probe's checks, and the poisoned device output
  // comes back since the probe writes nothing.
  ASSERT_NO_THROW(k.run(op("silu"), Params{}, in.tensor, out));
  EXPECT_TRUE(std::all_of(out.bits.begin(), out.bits.end(), [](std::uint32_t b) { return b == 0xffffu; }));
}

// --- every check of the loader, on a plugin broken in that one way (broken_plugin.c)

struct Broken {
  const char* defect;
  std::vector<std::string> message_parts;
};

void PrintTo(const Broken& b, std::ostream* os) { *os << b.defect; }  // stable CTest names

class PluginBroken : public testing::TestWithParam<Broken> {};

TEST_P(PluginBroken, FailsWithItsMessageAndRegistersNothing) {
  const std::string path = test_plugin(std::string("broken_") + GetParam().defect);
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const std::size_t before = all_kernels().size();
  const std::string msg = load_error(path);
  EXPECT_TRUE(msg.starts_with(path + ": ")) << msg;
  for (const std::string& part : GetParam().message_parts) EXPECT_TRUE(contains(msg, part)) << "missing '" << part << "' in: " << msg;
  EXPECT_EQ(all_kernels().size(), before);
  EXPECT_EQ(find_kernel("broken.first_ok"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(
    Loader, PluginBroken,
    testing::Values(
        Broken{"wrong_abi", {"plugin ABI version 99 is unknown", "loads versions 1 and 2", "rebuild", "kernel_abi.h"}},
        Broken{"no_entry", {"no symbol ulpcheck_plugin_entry", "ULPCHECK_PLUGIN_EXPORT"}},
        Broken{"null_entry", {"ulpcheck_plugin_entry returned NULL"}},
        Broken{"no_kernels", {"no kernels", "kernel_count is 0"}},
        Broken{"null_kernels", {"kernel_count is 1 but kernels is NULL"}},
        Broken{"null_name", {"kernel #0", "name is NULL"}},
        Broken{"empty_name", {"kernel #0", "name is empty"}},
        Broken{"null_op", {"'broken.null_op'", "op is NULL", "expected one of silu, silu_and_mul"}},
        Broken{"unknown_op", {"'broken.unknown_op'", "unknown op 'relu_squared'", "expected one of", op_names()}},
        Broken{"null_run", {"'broken.null_run'", "run is NULL"}},
        Broken{"zero_dtypes", {"'broken.zero_dtypes'", "dtypes is 0", "ULPCHECK_DTYPE_BF16 (1)"}},
        Broken{"unknown_dtype_bits", {"'broken.unknown_dtype_bits'", "dtypes 0x9 has unknown bits 0x8"}},
        Broken{"unknown_memory", {"'broken.unknown_memory'", "unknown memory kind 2", "ULPCHECK_MEMORY_HOST (0)"}},
        Broken{"negative_floor", {"'broken.negative_floor'", "abs_floor[0] (bf16) is -1", "must be >= 0"}},
        Broken{"nan_ulp", {"'broken.nan_ulp'", "max_ulp[0] (bf16) is NaN"}},
        Broken{"duplicate_builtin", {"'host.single_rounding'", "already registered"}},
        Broken{"duplicate_within", {"kernel #1 'broken.twice'", "declared for op silu_and_mul twice"}},
        // The first kernel is fine, the second is not: the plugin loads whole or not at all.
        Broken{"second_bad", {"kernel #1 'broken.second_bad'", "unknown op 'relu_squared'"}}),
    [](const testing::TestParamInfo<Broken>& info) { return std::string(info.param.defect); });

TEST(PluginLoader, MissingFile) {
  const std::string msg = load_error("/nonexistent/libnothing.so");
  EXPECT_EQ(msg, "/nonexistent/libnothing.so: cannot load plugin: no such file");
}

TEST(PluginLoader, Directory) {
  const std::string msg = load_error(ULPCHECK_TEST_PLUGIN_DIR);
  EXPECT_TRUE(msg.starts_with(std::string(ULPCHECK_TEST_PLUGIN_DIR) + ": ")) << msg;
  EXPECT_TRUE(contains(msg, "a directory")) << msg;
}

TEST(PluginLoader, NotASharedLibrary) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt::format("ulpcheck_plugin_test_{}", getpid());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "libtext.so").string();
  std::ofstream(path) << "not a shared library\n";
  const std::string msg = load_error(path);
  std::filesystem::remove_all(dir);
  EXPECT_TRUE(msg.starts_with(path + ": cannot load plugin: ")) << msg;
  EXPECT_GT(msg.size(), (path + ": cannot load plugin: ").size()) << "no dlerror text: " << msg;
}

TEST(PluginLoader, APathWithoutSlashIsAFileInTheWorkingDirectory) {
  // Found in the working directory (not on the library path): loading reaches the ABI check.
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(ULPCHECK_TEST_PLUGIN_DIR);
  const std::string file = std::string("broken_wrong_abi") + ULPCHECK_TEST_PLUGIN_SUFFIX;
  const std::string msg = load_error(file);
  std::filesystem::current_path(cwd);
  EXPECT_TRUE(msg.starts_with(file + ": plugin ABI version 99 is unknown")) << msg;
}

TEST(PluginLoader, EmptyPath) { EXPECT_TRUE(contains(load_error(""), "no plugin file named")); }

}  // namespace
}  // namespace ulpcheck
