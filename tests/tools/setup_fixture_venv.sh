#!/usr/bin/env bash
# Creates the Python environment that tests/tools/make_parity_fixtures.py runs in: the reference
# implementations (PyTorch, Hugging Face transformers, timm) at pinned versions, in a venv of its
# own outside the repository and the build directories. CI never runs this: the fixtures it makes
# are committed under tests/data/parity/. Safe to run again (a marker file skips the install).
#
#   FPT_FIXTURE_VENV   where the venv goes (default /var/cache/fpt/fixture-venv)
#
# Usage: tests/tools/setup_fixture_venv.sh && /var/cache/fpt/fixture-venv/bin/python \
#          tests/tools/make_parity_fixtures.py
set -euo pipefail

venv=${FPT_FIXTURE_VENV:-/var/cache/fpt/fixture-venv}
marker=$venv/.fpt-fixture-venv-complete

# torch is the version fpt's LibTorch is, so both sides run the same kernels' numerics.
torch_version=2.12.1
transformers_version=4.46.3
timm_version=1.0.31
torchvision_version=0.27.1 # the release paired with torch 2.12.1 (it requires torch==2.12.1)
# Only CPU is used. --no-deps on torch skips its multi-GB nvidia-* CUDA wheels; the CUDA toolkit
# installed on the machine provides the rest, but libtorch_cuda.so still needs these four at load
# time even on CPU (the same four scripts/setup.sh installs; without libcufile, `import torch` fails).
torch_cuda_libs="nvidia-nccl-cu13==2.29.7 nvidia-cusparselt-cu13==0.8.1 nvidia-nvshmem-cu13==3.4.5 nvidia-cufile==1.15.1.6"
# torch's pure-Python dependencies. pip then warns that torch's other CUDA requirements are
# missing; that is expected and harmless here.
torch_deps="typing_extensions sympy filelock networkx jinja2 fsspec numpy"
# transformers' own dependencies (its pinned range), installed explicitly so that pip never has
# to resolve torch's dependencies again.
transformers_deps="huggingface_hub<1.0 packaging pyyaml regex requests tqdm tokenizers<0.21 safetensors"

if [ -f "$marker" ]; then
  echo "[fixture-venv] ready at $venv"
  exit 0
fi
echo "[fixture-venv] creating $venv (one time, ~550 MB download)"
mkdir -p "$(dirname "$venv")"
python3 -m venv "$venv"
pip=("$venv/bin/pip" install -q --disable-pip-version-check)
"${pip[@]}" --no-deps "torch==$torch_version" $torch_cuda_libs
"${pip[@]}" $torch_deps $transformers_deps
# timm imports torchvision (timm.layers uses its ops); both go in without dependencies, because
# resolving them again would pull torch's multi-GB CUDA wheels back in.
"${pip[@]}" --no-deps "transformers==$transformers_version" "timm==$timm_version" \
  "torchvision==$torchvision_version" pillow
"$venv/bin/python" - <<'PY'
import torch, transformers, timm, safetensors, numpy
from timm.models.vision_transformer import VisionTransformer
from transformers import GPT2Model, BertModel, ViTModel
print("[fixture-venv] torch", torch.__version__, "transformers", transformers.__version__,
      "timm", timm.__version__, "safetensors", safetensors.__version__, "numpy", numpy.__version__)
PY
touch "$marker"
