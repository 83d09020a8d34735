#!/usr/bin/env python3
"""Writes tests/data/safetensors/reference_small.safetensors with the real Python `safetensors`
package, so the C++ reader is tested against the reference writer, not only against itself.

Run once (not in CI; the output is committed):
    python3 -m venv /tmp/st-venv && /tmp/st-venv/bin/pip install safetensors numpy
    /tmp/st-venv/bin/python tests/tools/make_safetensors_fixture.py

tests/unit/io/safetensors_test.cpp (ReferenceFixture) checks the exact values written here; keep
the two in sync. numpy has no bfloat16, so the BF16 tensor is the high 16 bits of float32 values
(exact for the values below) handed to the package's own serializer as a "bfloat16" TensorSpec,
the same call safetensors.numpy.save_file makes for every other dtype.
"""
import json
import pathlib
import struct

import numpy as np
from safetensors import TensorSpec, serialize_file

OUTPUT = (pathlib.Path(__file__).resolve().parents[1] / "data" / "safetensors" /
          "reference_small.safetensors")


def main():
    tensors = {
        # F32 2x3: 0.5 * (i - 2) for i in 0..5
        "weight_f32": (0.5 * (np.arange(6, dtype=np.float32) - 2)).reshape(2, 3),
        # F16: values exactly representable in half precision
        "bias_f16": np.array([1.0, -2.5, 0.125, 65504.0], dtype=np.float16),
        # I64 with values beyond 32 bits
        "positions_i64": np.array([[0, -1], [2**40, -(2**40)]], dtype=np.int64),
        # U8 scalar (shape [])
        "flag_u8": np.array(7, dtype=np.uint8),
        # empty tensor with a zero dimension
        "empty_f32": np.zeros((0, 4), dtype=np.float32),
    }
    # BF16 1x3: [1.0, -2.0, 0.15625] as the top halves of their float32 bit patterns
    bf16_bits = (np.array([[1.0, -2.0, 0.15625]], dtype=np.float32).view(np.uint32) >> 16).astype(
        np.uint16)
    metadata = {"format": "pt", "source": "make_safetensors_fixture.py"}

    specs = {
        name: TensorSpec(dtype=array.dtype.name, shape=list(array.shape),
                         data_ptr=array.ctypes.data, data_len=array.nbytes)
        for name, array in tensors.items()
    }
    specs["scale_bf16"] = TensorSpec(dtype="bfloat16", shape=list(bf16_bits.shape),
                                     data_ptr=bf16_bits.ctypes.data, data_len=bf16_bits.nbytes)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    # The arrays above stay alive (and little-endian on x86) for the whole call.
    serialize_file(specs, str(OUTPUT), metadata=metadata)

    # Print the header so a reader of the commit can see what the reference writer produced.
    raw = OUTPUT.read_bytes()
    (length,) = struct.unpack("<Q", raw[:8])
    print(f"{OUTPUT}: {len(raw)} bytes, header {length} bytes")
    print(json.dumps(json.loads(raw[8:8 + length]), indent=1))


if __name__ == "__main__":
    main()
