// libFuzzer target for the safetensors header parser (fpt::io::parse_safetensors_header): the
// input is a whole file — 8-byte little-endian header length, header, data section. A parser
// rejection (fpt::Error) is the expected outcome for bad input; any other exception, a crash, or a
// sanitizer report is a finding.
//
// Build and run (clang only; a standalone project, no torch needed):
//   CC=clang CXX=clang++ cmake -S tests/fuzz -B build-fuzz -G Ninja && cmake --build build-fuzz
//   mkdir -p /tmp/st-corpus
//   build-fuzz/safetensors_header_fuzzer /tmp/st-corpus tests/fuzz/corpus/safetensors \
//       -max_total_time=240 -max_len=4096
// See docs/fuzzing.md.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fpt/core/error.h"
#include "fpt/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | data[i];
  const size_t after_length = size - 8;
  // SafetensorsFile::open rejects a header longer than the file before parsing; mirror that.
  if (header_length > after_length) return 0;
  const std::string_view header(reinterpret_cast<const char*>(data + 8), header_length);
  const uint64_t         data_size = after_length - header_length;
  try {
    const fpt::io::SafetensorsHeader parsed =
        fpt::io::parse_safetensors_header(header, data_size, "fuzz.safetensors");
    // Whatever was accepted must satisfy the documented invariants; a violation is a finding.
    uint64_t covered_until = 0;
    for (const fpt::io::TensorEntry& entry : parsed.tensors) {
      if (entry.begin != covered_until || entry.end < entry.begin || entry.end > data_size)
        __builtin_trap();
      uint64_t bytes = fpt::io::dtype_size(entry.dtype);
      for (int64_t dim : entry.shape)
        if (dim < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes))
          __builtin_trap();
      if (bytes != entry.end - entry.begin) __builtin_trap();
      covered_until = entry.end;
    }
    if (covered_until != data_size) __builtin_trap();
  } catch (const fpt::Error&) {
    // rejected with a message: the expected outcome for bad input
  }
  return 0;
}
