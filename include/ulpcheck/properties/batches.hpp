// How an input set is handed to a kernel: in batches, each one call on [rows, arity * d].
// A kernel wrong only on some shapes (d not a multiple of its vector width, an odd token
// count, rows wider than it was written for) is right on every other shape, and its
// output for an element does not depend on the other elements; so the same elements split
// into other batches give the same figures for a correct kernel and catch such a one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ulpcheck {

/// One kernel call: `rows` tokens of `d` elements each.
struct Batch {
  std::int64_t rows = 0;
  std::int64_t d = 0;
  std::int64_t elements() const { return rows * d; }
  bool operator==(const Batch&) const = default;
};

/// Where an element of an input set is in its batches: the call, and the row and column
/// of the element in that call's [rows, d] output.
struct BatchPosition {
  std::size_t batch = 0;
  std::int64_t row = 0;
  std::int64_t col = 0;
};

inline constexpr std::int64_t kBulkD = 1000;
/// 999 = 124 * 8 + 7: seven elements after the last 8-wide vector (16-byte loads of
/// bf16/fp16), three after the last 4-wide one (fp32); odd, so a row's gate and up end
/// halfway through a bf16x2/half2 pair. Seven rows: an odd token count, for kernels that
/// take tokens two at a time.
inline constexpr std::int64_t kOddD = 999;
inline constexpr std::int64_t kOddRows = 7;
/// Past 8192 = 1024 threads x 8 elements: the widest row a kernel covers without a loop
/// over the row when each of a block's threads takes one 16-byte vector. Production rows
/// are wider (Llama 3's MLPs are 14336 and 28672 wide). 10007 = 1250 * 8 + 7: 1815
/// columns past 8192, and a scalar tail again.
inline constexpr std::int64_t kWideD = 10007;

/// The batches `n` elements are handed over in by default, in element order (n > 0):
///   1. the bulk in rows of kBulkD (a multiple of 8: the vector path alone), the rows left
///      over after 2 and 3 are taken, then what does not fill a row as one row of its own;
///   2. kOddRows rows of kOddD, or the largest odd number of them that fits (none below kOddD);
///   3. one row of kWideD, when n >= kWideD + kOddD.
/// For the report's 10^6: [983, 1000] + [7, 999] + [1, 10007].
std::vector<Batch> default_batches(std::int64_t n);

/// The total number of elements of `batches`.
std::int64_t elements_of(const std::vector<Batch>& batches);

/// The position of element `index` (0 <= index < elements_of(batches)).
BatchPosition locate(const std::vector<Batch>& batches, std::int64_t index);

/// The calls' input shapes for an op of `arity`: "[983, 2000] + [7, 1998] + [1, 20014]".
std::string input_shapes(const std::vector<Batch>& batches, int arity);

}  // namespace ulpcheck
