// Shared by the GPU tests: skip, visibly, where there is no GPU.
#pragma once

#include <gtest/gtest.h>

#include "ulpcheck/device/cuda/runtime.hpp"

/// Ends the test as SKIPPED (not passed) with the reason when no CUDA device is usable.
#define ULPCHECK_REQUIRE_GPU()                                                    \
  do {                                                                            \
    if (!::ulpcheck::cuda::device_available())                                    \
      GTEST_SKIP() << "needs a CUDA GPU: " << ::ulpcheck::cuda::device_description(); \
  } while (0)
