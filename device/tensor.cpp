#include "ulpcheck/device/tensor.hpp"

#include <algorithm>
#include <cstring>

namespace ulpcheck {

std::vector<unsigned char> to_storage_bytes(const BitTensor& t) {
  const std::size_t eb = element_bytes(t.format);
  std::vector<unsigned char> out(std::max<std::size_t>(t.bits.size() * eb, 1));
  for (std::size_t i = 0; i < t.bits.size(); ++i) {
    if (eb == 2) {
      const auto v = static_cast<std::uint16_t>(t.bits[i]);
      std::memcpy(&out[i * 2], &v, 2);
    } else {
      std::memcpy(&out[i * 4], &t.bits[i], 4);
    }
  }
  return out;
}

void from_storage_bytes(const std::vector<unsigned char>& bytes, BitTensor& t) {
  const std::size_t eb = element_bytes(t.format);
  for (std::size_t i = 0; i < t.bits.size(); ++i) {
    if (eb == 2) {
      std::uint16_t v;
      std::memcpy(&v, &bytes[i * 2], 2);
      t.bits[i] = v;
    } else {
      std::memcpy(&t.bits[i], &bytes[i * 4], 4);
    }
  }
}

}  // namespace ulpcheck
