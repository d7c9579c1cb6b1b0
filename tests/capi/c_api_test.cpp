// The C API (include/ulpcheck/ulpcheck.h), through libulpcheck.so and nothing else: a C
// kernel registered, checked, fuzzed and golden-checked; a kernel with a planted bug failing
// each with an explanation; and every kind of bad input answered with status 2 and a
// message naming what is wrong.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "ulpcheck/ulpcheck.h"

#ifndef ULPCHECK_GOLDEN_DIR
#error "the build must define ULPCHECK_GOLDEN_DIR"
#endif

namespace {

/// silu(g) * u for fp32 tensors, in double and rounded once: within any budget.
int run_silu_and_mul(const char*, const ulpcheck_param*, uint32_t, const DLTensor* in, DLTensor* out, void*,
                     void* user_data, char*, size_t) {
  const bool planted = user_data != nullptr;  // the planted bug: the gate's sign is lost
  const int64_t rows = out->shape[0], d = out->shape[1];
  const auto* x = static_cast<const float*>(in->data);
  auto* y = static_cast<float*>(out->data);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < d; ++j) {
      double g = x[r * 2 * d + j];
      const double u = x[r * 2 * d + d + j];
      if (planted) g = std::fabs(g);
      y[r * d + j] = static_cast<float>(g / (1.0 + std::exp(-g)) * u);
    }
  return 0;
}

int run_fails(const char*, const ulpcheck_param*, uint32_t, const DLTensor*, DLTensor*, void*, void*, char* error,
              size_t size) {
  std::snprintf(error, size, "out of shared memory");
  return 7;
}

int planted_marker = 1;

ulpcheck_elementwise_kernel kernel(const char* name, ulpcheck_elementwise_run_fn run, void* user_data = nullptr) {
  ulpcheck_elementwise_kernel k{};
  k.name = name;
  k.description = "c_api_test kernel";
  k.op = "silu_and_mul";
  k.dtypes = ULPCHECK_DTYPE_FP32;
  k.memory = ULPCHECK_MEMORY_HOST;
  k.max_ulp[2] = -1.0;  // the op's default budget
  k.run = run;
  k.user_data = user_data;
  return k;
}

struct Outcome {
  int status = -1;
  std::string error;
  bool passed = false;
  std::string explanation, json, markdown;
};

Outcome run(const std::string& request) {
  Outcome r;
  char error[1024];
  ulpcheck_result* result = nullptr;
  r.status = ulpcheck_run(request.c_str(), &result, error, sizeof error);
  r.error = error;
  if (result) {
    r.passed = ulpcheck_result_passed(result) != 0;
    r.explanation = ulpcheck_result_explanation(result);
    r.json = ulpcheck_result_json(result);
    r.markdown = ulpcheck_result_markdown(result);
    ulpcheck_result_free(result);
  }
  return r;
}

/// Registers kernels for one test and takes them out after it.
class Registered {
 public:
  explicit Registered(std::vector<ulpcheck_elementwise_kernel> kernels) : kernels_(std::move(kernels)) {
    char error[1024];
    status = ulpcheck_register_kernels(kernels_.data(), static_cast<uint32_t>(kernels_.size()), nullptr, 0, error,
                                       sizeof error);
    message = error;
  }
  ~Registered() {
    if (status != 0) return;
    for (const auto& k : kernels_) ulpcheck_unregister_kernel(k.name, nullptr, 0);
  }
  int status;
  std::string message;

 private:
  std::vector<ulpcheck_elementwise_kernel> kernels_;
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(CApi, Versions) {
  EXPECT_EQ(ulpcheck_api_version(), ULPCHECK_API_VERSION);
  EXPECT_EQ(ulpcheck_kernel_abi_version(), ULPCHECK_KERNEL_ABI_VERSION);
  EXPECT_TRUE(std::string(ulpcheck_version()).starts_with("ulpcheck "));
}

TEST(CApi, ACorrectKernelPassesTheCheckWithItsReportDocument) {
  Registered k({kernel("capi.exact", run_silu_and_mul)});
  ASSERT_EQ(k.status, 0) << k.message;
  const Outcome r = run(R"({"command": "check", "ops": "silu_and_mul", "dtypes": ["fp32"], "kernels": ["capi.exact"],
                        "samples": 20000, "seed": 3})");
  ASSERT_EQ(r.status, 0) << r.error;
  EXPECT_TRUE(r.passed) << r.explanation;
  EXPECT_EQ(r.explanation, "");
  const nlohmann::json doc = nlohmann::json::parse(r.json);
  EXPECT_EQ(doc["schema"], "ulpcheck.report");
  ASSERT_EQ(doc["cases"].size(), 1u);
  EXPECT_EQ(doc["cases"][0]["kernel"], "capi.exact");
  EXPECT_EQ(doc["cases"][0]["count"], 20000);
  EXPECT_TRUE(contains(r.markdown, "capi.exact")) << r.markdown;
}

TEST(CApi, APlantedBugFailsTheCheckWithTheFirstFailingOutputExplained) {
  Registered k({kernel("capi.planted", run_silu_and_mul, &planted_marker)});
  ASSERT_EQ(k.status, 0) << k.message;
  const Outcome r = run(R"({"command": "check", "ops": ["silu_and_mul"], "dtypes": ["fp32"], "kernels": ["capi.planted"],
                        "samples": 5000})");
  ASSERT_EQ(r.status, 0) << r.error;
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(r.explanation.starts_with("capi.planted on silu_and_mul fp32: ")) << r.explanation;
  EXPECT_TRUE(contains(r.explanation, "outside the claimed budget")) << r.explanation;
  EXPECT_TRUE(contains(r.explanation, "first failing output:\n")) << r.explanation;
  EXPECT_TRUE(contains(r.explanation, "gate:")) << r.explanation;
}

TEST(CApi, FuzzShrinksThePlantedBugAndGivesItsReplayToken) {
  Registered k({kernel("capi.planted_fuzz", run_silu_and_mul, &planted_marker)});
  ASSERT_EQ(k.status, 0) << k.message;
  const Outcome r = run(R"({"command": "fuzz", "kernels": "capi.planted_fuzz", "properties": "within_budget",
                        "cases": 50})");
  ASSERT_EQ(r.status, 0) << r.error;
  EXPECT_FALSE(r.passed);
  EXPECT_TRUE(contains(r.explanation, "replay token: ")) << r.explanation;
  const nlohmann::json doc = nlohmann::json::parse(r.json);
  ASSERT_FALSE(doc["runs"].empty());
  const std::string token = doc["runs"][0]["replay_token"];
  ASSERT_FALSE(token.empty());
  // The token runs exactly that case again, and it fails again.
  const Outcome again = run(nlohmann::json{{"command", "fuzz"}, {"replay", token}}.dump());
  ASSERT_EQ(again.status, 0) << again.error;
  EXPECT_FALSE(again.passed);
}

TEST(CApi, GoldenCheckRunsTheCommittedFiles) {
  Registered good({kernel("capi.golden_exact", run_silu_and_mul)});
  ASSERT_EQ(good.status, 0) << good.message;
  const Outcome r = run(nlohmann::json{{"command", "golden_check"}, {"ops", "silu_and_mul"}, {"kernels", "capi.golden_exact"},
                                   {"dir", ULPCHECK_GOLDEN_DIR}}.dump());
  ASSERT_EQ(r.status, 0) << r.error;
  EXPECT_TRUE(r.passed) << r.explanation;
  EXPECT_GT(nlohmann::json::parse(r.json)["groups"].get<int>(), 0);

  Registered bad({kernel("capi.golden_planted", run_silu_and_mul, &planted_marker)});
  const Outcome b = run(nlohmann::json{{"command", "golden_check"}, {"ops", "silu_and_mul"},
                                   {"kernels", "capi.golden_planted"}, {"dir", ULPCHECK_GOLDEN_DIR}}.dump());
  ASSERT_EQ(b.status, 0) << b.error;
  EXPECT_FALSE(b.passed);
  EXPECT_TRUE(b.explanation.starts_with("capi.golden_planted on ")) << b.explanation;
}

TEST(CApi, AKernelThatFailsIsStatusOneNamingIt) {
  Registered k({kernel("capi.fails", run_fails)});
  const Outcome r = run(R"({"command": "check", "ops": "silu_and_mul", "dtypes": "fp32", "kernels": "capi.fails",
                        "samples": 100})");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.error, "capi.fails: run failed (code 7): out of shared memory");
}

TEST(CApi, BadRequestsAreStatusTwoNamingTheKey) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "request: not valid JSON"},
      {"[1, 2]", "request: expected a JSON object"},
      {"{}", "request.command: missing"},
      {R"({"command": "report"})", "request.command: unknown command 'report'"},
      {R"({"command": "check", "sample": 5})", "request.sample: unknown key"},
      {R"({"command": "check", "samples": -5})", "request.samples: expected an integer >= 1, got -5"},
      {R"({"command": "check", "ops": [3]})", "request.ops[0]: expected a string"},
      {R"({"command": "check", "ops": "selu"})", "selu"},
      {R"({"command": "check", "kernels": "nobody.k"})", "nobody.k"},
      {R"({"command": "check", "params": {"limit": true}})", "request.params.limit: expected a number"},
      {R"({"command": "check", "routing": {"experts": 0}})", "request.routing.experts: expected an integer >= 1"},
      {R"({"command": "golden_check", "dir": "/nonexistent"})", "/nonexistent"},
      {R"({"command": "fuzz", "replay": "garbage"})", "replay token is malformed"},
  };
  for (const auto& [request, part] : cases) {
    const Outcome r = run(request);
    EXPECT_EQ(r.status, 2) << request;
    EXPECT_TRUE(contains(r.error, part)) << request << " -> " << r.error;
  }
  char error[64];
  EXPECT_EQ(ulpcheck_run("{}", nullptr, error, sizeof error), 2);
  EXPECT_EQ(ulpcheck_run(nullptr, nullptr, nullptr, 0), 2);  // no buffer: still a status
}

TEST(CApi, RegistrationIsCheckedAndUndone) {
  char error[1024];
  ulpcheck_elementwise_kernel nameless = kernel(nullptr, run_silu_and_mul);
  EXPECT_EQ(ulpcheck_register_kernels(&nameless, 1, nullptr, 0, error, sizeof error), 2);
  EXPECT_TRUE(contains(error, "elementwise kernel #0: name is NULL")) << error;
  ulpcheck_elementwise_kernel builtin = kernel("host.single_rounding", run_silu_and_mul);
  EXPECT_EQ(ulpcheck_register_kernels(&builtin, 1, nullptr, 0, error, sizeof error), 2);
  EXPECT_TRUE(contains(error, "already registered")) << error;
  EXPECT_EQ(ulpcheck_register_kernels(nullptr, 0, nullptr, 0, error, sizeof error), 2);

  {
    Registered k({kernel("capi.once", run_silu_and_mul)});
    ASSERT_EQ(k.status, 0);
    Registered twice({kernel("capi.once", run_silu_and_mul)});
    EXPECT_EQ(twice.status, 2);
    EXPECT_TRUE(contains(twice.message, "already registered")) << twice.message;
  }
  // Unregistered with its owner: the name is free again, and no longer runs.
  EXPECT_EQ(run(R"({"command": "check", "kernels": "capi.once"})").status, 2);
  Registered again({kernel("capi.once", run_silu_and_mul)});
  EXPECT_EQ(again.status, 0) << again.message;
  EXPECT_EQ(ulpcheck_unregister_kernel("host.single_rounding", error, sizeof error), 2);
  EXPECT_TRUE(contains(error, "no kernel named 'host.single_rounding' was registered")) << error;
}

DLTensor host_tensor(float* data, std::vector<int64_t>& shape, int64_t* strides = nullptr) {
  DLTensor t{};
  t.data = data;
  t.device = {kDLCPU, 0};
  t.ndim = static_cast<int32_t>(shape.size());
  t.dtype = {kDLFloat, 32, 1};
  t.shape = shape.data();
  t.strides = strides;
  return t;
}

TEST(CApi, CopyTensorChecksDtypeAndShapeAndFollowsStrides) {
  float src_data[6] = {1, 2, 3, 4, 5, 6}, dst_data[6] = {};
  std::vector<int64_t> shape{2, 3}, transposed{3, 2}, other{2, 4};
  int64_t column_major[2] = {1, 3};  // the [2, 3] row-major data viewed as its transpose
  DLTensor src = host_tensor(src_data, transposed, column_major), dst = host_tensor(dst_data, transposed);
  char error[256];
  ASSERT_EQ(ulpcheck_copy_tensor(&src, &dst, error, sizeof error), 0) << error;
  EXPECT_EQ(std::vector<float>(dst_data, dst_data + 6), (std::vector<float>{1, 4, 2, 5, 3, 6}));

  DLTensor wide = host_tensor(dst_data, other), plain = host_tensor(src_data, shape);
  EXPECT_EQ(ulpcheck_copy_tensor(&plain, &wide, error, sizeof error), 2);
  EXPECT_STREQ(error, "shape [2, 3], expected [2, 4]");
  DLTensor half = host_tensor(dst_data, shape);
  half.dtype = {kDLBfloat, 16, 1};
  EXPECT_EQ(ulpcheck_copy_tensor(&plain, &half, error, sizeof error), 2);
  EXPECT_STREQ(error, "dtype float32, expected bfloat16");
}

}  // namespace
