// CUDA faults, planted: device memory running out, a launch that fails unchecked, an
// illegal address in a plugin, no device. Each must end as an error that names the kernel
// and its call, exit 2 through the command, without a hang, and leave no file half-written;
// a fault that does not lose the CUDA context must leave the next kernel able to run.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/cli/run_ulpcheck.hpp"
#include "tests/device/cuda/gpu_test_support.hpp"
#include "tests/device/cuda/planted_kernels.cuh"
#include "ulpcheck/device/isolation.hpp"
#include "ulpcheck/device/registry.hpp"
#include "ulpcheck/reference/registry.hpp"

#if !defined(ULPCHECK_BINARY) || !defined(ULPCHECK_FAULTY_GPU_PLUGIN) || !defined(ULPCHECK_EXAMPLE_CUDA_PLUGIN)
#error "the build must define ULPCHECK_BINARY, ULPCHECK_FAULTY_GPU_PLUGIN and ULPCHECK_EXAMPLE_CUDA_PLUGIN"
#endif

namespace ulpcheck {
namespace {

#define EXPECT_HAS(text, part)                                                   \
  do {                                                                           \
    const std::string text_ = (text);                                            \
    EXPECT_NE(text_.find(part), std::string::npos) << "missing '" << (part) << "' in:\n" << text_; \
  } while (0)

/// Where the build put a file, or, in a bundle, where it lies beside this binary (bin/ for
/// the command, lib/ for plugins).
std::string built_or_bundled(const std::filesystem::path& built, const char* bundle_dir) {
  if (std::filesystem::exists(built)) return built.string();
  return (std::filesystem::read_symlink("/proc/self/exe").parent_path() / ".." / bundle_dir / built.filename()).string();
}

/// `env ulpcheck args` through the shell, both outputs.
testing::CliRun ulpcheck(const std::string& args, const std::string& env = "") {
  return testing::run_shell(env + " '" + built_or_bundled(ULPCHECK_BINARY, "bin") + "' " + args + " 2>&1");
}

/// What running `k` on silu_and_mul in fp32, rows x d, threw ("" when it ran).
std::string failure_of(const Kernel& k, std::int64_t rows, std::int64_t d) {
  BitTensor in = BitTensor::zeros(Format::fp32, rows, 2 * d), out = BitTensor::zeros(Format::fp32, rows, d);
  try {
    k.run(*find_op("silu_and_mul"), Params{}, in, out);
  } catch (const KernelError& e) {
    return e.what();
  }
  return "";
}

TEST(CudaFaults, DeviceMemoryRunningOutNamesTheKernelAndTheCallAndTheNextCallRuns) {
  ULPCHECK_REQUIRE_GPU();
  const Kernel& k = *find_kernel("cuda.single_rounding");
  // Another process's share of the device, planted: everything but a few MiB.
  std::vector<void*> taken;
  for (std::size_t chunk : {std::size_t{1} << 30, std::size_t{64} << 20, std::size_t{1} << 20}) {
    void* p = nullptr;
    while (cudaMalloc(&p, chunk) == cudaSuccess) taken.push_back(p);
    cudaGetLastError();
  }
  const std::string why = failure_of(k, 64, 1 << 16);  // 32 MiB of input
  for (void* p : taken) cudaFree(p);
  EXPECT_HAS(why, "cuda.single_rounding: silu_and_mul [64, 131072] fp32: cudaMalloc of ");
  EXPECT_HAS(why, "out of memory");
  EXPECT_HAS(why, "MiB free on the device");
  EXPECT_EQ(failure_of(k, 64, 1 << 16), "");  // with the memory back, the same call runs
}

TEST(CudaFaults, ALaunchThatFailedUncheckedIsFoundAndNamed) {
  ULPCHECK_REQUIRE_GPU();
  const std::string why = failure_of(cuda::planted::unchecked_failed_launch(), 4, 64);
  // The runtime's word for it varies ("invalid argument" in CUDA 13, "invalid configuration
  // argument" before): the kernel, the call and that the launch failed are what must show.
  EXPECT_HAS(why, "planted.cuda_unchecked_failed_launch: silu_and_mul [4, 128] fp32: a launch failed: invalid");
  EXPECT_EQ(failure_of(*find_kernel("cuda.single_rounding"), 4, 64), "");  // not sticky: the next kernel runs
}

TEST(CudaFaults, AnIllegalAddressInAPluginEndsTheRunKeepingWhatRanAndWritingNothing) {
  ULPCHECK_REQUIRE_GPU();
  const std::string plugin = built_or_bundled(ULPCHECK_FAULTY_GPU_PLUGIN, "lib");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("ulpcheck_faults_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string junit = (dir / "fuzz.xml").string(), json = (dir / "report.json").string();

  // cuda.single_rounding's runs come first and stand; the fault ends the campaign there.
  const testing::CliRun fuzz = ulpcheck("fuzz --plugin '" + plugin + "' --op silu_and_mul --dtype fp32 --cases 5 "
                            "--kernel cuda.single_rounding --kernel faulty_gpu.illegal_address --junit '" + junit + "'");
  EXPECT_EQ(fuzz.exit_code, 2) << fuzz.output;
  EXPECT_HAS(fuzz.output, "cuda.single_rounding silu_and_mul fp32 within_budget: 5 cases passed");
  EXPECT_HAS(fuzz.output, "faulty_gpu.illegal_address: its run of silu_and_mul in fp32 on [");
  EXPECT_HAS(fuzz.output, "an illegal memory access was encountered; the CUDA context is lost");
  EXPECT_HAS(fuzz.output, "property runs after this one are not run");
  ASSERT_TRUE(std::filesystem::exists(junit)) << "the results so far were not written";

  const testing::CliRun report = ulpcheck("report --plugin '" + plugin + "' --op silu_and_mul --dtype fp32 --kernel "
                              "faulty_gpu.illegal_address --format json -o '" + json + "'");
  EXPECT_EQ(report.exit_code, 2) << report.output;
  EXPECT_HAS(report.output, "kernel did not run: faulty_gpu.illegal_address: its run of silu_and_mul");
  EXPECT_FALSE(std::filesystem::exists(json)) << "a report was written after the fault";
  std::filesystem::remove_all(dir);
}

TEST(CudaFaults, NoDeviceIsAClearErrorForBuiltInAndPluginKernels) {
  ULPCHECK_REQUIRE_GPU();  // a machine with a GPU, hidden from the command
  const testing::CliRun builtin = ulpcheck("report --op silu_and_mul --dtype bf16 --kernel cuda.single_rounding",
                               "CUDA_VISIBLE_DEVICES=");
  EXPECT_EQ(builtin.exit_code, 2) << builtin.output;
  EXPECT_HAS(builtin.output, "cuda.single_rounding: no CUDA device");
  const testing::CliRun plugin = ulpcheck("report --plugin '" + built_or_bundled(ULPCHECK_EXAMPLE_CUDA_PLUGIN, "lib") +
                                  "' --op silu_and_mul --dtype bf16 --kernel example.cuda_swiglu",
                              "CUDA_VISIBLE_DEVICES=");
  EXPECT_EQ(plugin.exit_code, 2) << plugin.output;
  EXPECT_HAS(plugin.output, "example.cuda_swiglu: no CUDA device");
}

}  // namespace
}  // namespace ulpcheck
