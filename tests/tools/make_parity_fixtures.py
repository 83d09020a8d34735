#!/usr/bin/env python3
"""Writes the numerical-parity fixtures of fpt's bodies under tests/data/parity/.

Each case runs the REAL reference implementation (Hugging Face transformers for GPT-2, BERT and
the HF ViT layout, timm for ViT) inside the FPT wrapper of Lu et al. 2021 — a trainable input layer,
the body, a trainable Linear head on the last K positions — and saves what fpt's C++ side must
reproduce (tests/unit/models/parity_test.cpp, tests/unit/train/parity_adam_test.cpp):

  CASE.body.safetensors      the body's checkpoint in the reference's own names, as it saves it
  CASE.expected.safetensors  inputs, targets, the input/output layer weights, the body's final
                             hidden states, logits, loss, the gradient of every trainable
                             parameter (grad.<fpt name>), and the losses of 10 Adam steps
  CASE.json                  the configuration and the reference versions

Deterministic (torch.manual_seed per case), float32 on CPU, every dropout probability 0 and the
modules in eval mode. Run it in the venv of tests/tools/setup_fixture_venv.sh:

  tests/tools/setup_fixture_venv.sh
  /var/cache/fpt/fixture-venv/bin/python tests/tools/make_parity_fixtures.py
"""

import argparse
import copy
import json
import math
import os
import shutil
import tempfile

import numpy
import safetensors
import safetensors.torch
import timm
import torch
import torch.nn.functional as F
import transformers
from timm.models.vision_transformer import VisionTransformer
from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel, GPT2Model
from transformers import ViTConfig, ViTModel
from transformers.pytorch_utils import Conv1D

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(REPO, "tests", "data", "parity")

ADAM_STEPS = 10
ADAM_LR = 1e-3
CLIP_NORM = 1.0
ORTH_GAIN = 1.41  # the FPT input layer's orthogonal init gain
MATRIX_GAIN = 1.5  # reference weights ~ N(0, (gain / sqrt(fan_in))^2): peaked attention

# --- FPT parameter groups (src/fpt/models/parameter_groups.h, "trains: fpt") ----------------------


def fpt_group(name):
    """The FPT group of a parameter name in fpt's naming (input_layer.*, output_layer.*, body.*)."""
    if name.startswith("input_layer."):
        return "input"
    if name.startswith("output_layer."):
        return "output"
    lower = name[len("body."):].lower() if name.startswith("body.") else name.lower()
    if "ln" in lower or "norm" in lower:
        return "ln"
    if any(word in lower for word in ("wpe", "position_embeddings", "pos_embed")):
        return "pos"
    return "other"  # attention / feed-forward / token tables: frozen under "fpt"


def fpt_trainable(name):
    return fpt_group(name) in ("input", "output", "pos", "ln")


# --- non-trivial reference weights ----------------------------------------------------------------


@torch.no_grad()
def init_reference_weights(model):
    """Redraws every weight so that layout mistakes cannot pass: LayerNorm weights 1 + 0.1·N(0,1)
    and biases 0.1·N(0,1) (not 1 and 0), every bias 0.1·N(0,1) (not 0), matrices with std
    gain/sqrt(fan_in) (attention far from uniform, so swapping q and k shows), tables 0.3·N(0,1)."""
    for module in model.modules():
        if isinstance(module, torch.nn.LayerNorm):
            module.weight.copy_(1.0 + 0.1 * torch.randn_like(module.weight))
            module.bias.copy_(0.1 * torch.randn_like(module.bias))
        elif isinstance(module, Conv1D):  # weight [in, out]
            module.weight.normal_(0.0, MATRIX_GAIN / math.sqrt(module.weight.shape[0]))
            module.bias.normal_(0.0, 0.1)
        elif isinstance(module, torch.nn.Linear):  # weight [out, in]
            module.weight.normal_(0.0, MATRIX_GAIN / math.sqrt(module.weight.shape[1]))
            if module.bias is not None:
                module.bias.normal_(0.0, 0.1)
        elif isinstance(module, torch.nn.Conv2d):
            fan_in = module.weight[0].numel()
            module.weight.normal_(0.0, MATRIX_GAIN / math.sqrt(fan_in))
            if module.bias is not None:
                module.bias.normal_(0.0, 0.1)
        elif isinstance(module, torch.nn.Embedding):
            module.weight.normal_(0.0, 0.3)
    # parameters owned directly by a module (timm's cls_token and pos_embed, HF ViT's tables)
    for name, parameter in model.named_parameters():
        if name.rsplit(".", 1)[-1] in ("cls_token", "pos_embed", "position_embeddings"):
            parameter.normal_(0.0, 0.3)


# --- the FPT wrapper --------------------------------------------------------------------------


class FptWrapper(torch.nn.Module):
    """input layer -> body_forward -> Linear head on the last output_tokens positions.
    `body_parameters` maps fpt's body parameter names to the reference module's parameters."""

    def __init__(self, width, token_input, input_dim, output_tokens, output_dim, body_forward,
                 body_parameters):
        super().__init__()
        if token_input:
            self.input_layer = torch.nn.Embedding(input_dim, width)
            with torch.no_grad():
                self.input_layer.weight.normal_(0.0, 1.0)
        else:
            self.input_layer = torch.nn.Linear(input_dim, width)
            with torch.no_grad():
                torch.nn.init.orthogonal_(self.input_layer.weight, ORTH_GAIN)
                self.input_layer.bias.zero_()
        self.output_layer = torch.nn.Linear(width, output_dim)
        self.output_tokens = output_tokens
        self.body_forward = body_forward
        self.body_parameters = body_parameters

    def fpt_named_parameters(self):
        named = {"input_layer." + n: p for n, p in self.input_layer.named_parameters()}
        named.update({"body." + n: p for n, p in self.body_parameters.items()})
        named.update({"output_layer." + n: p for n, p in self.output_layer.named_parameters()})
        return named

    def forward(self, inputs):
        hidden = self.body_forward(self.input_layer(inputs))  # (B, T, C)
        logits = self.output_layer(hidden[:, -self.output_tokens:])  # (B, K, O)
        return hidden, logits


def loss_of(logits, targets):
    output_dim = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, output_dim), targets.reshape(-1))


def run_reference(wrapper, inputs, targets):
    """Forward, loss and gradients, then 10 Adam steps on a deep copy; returns the tensors of the
    expected file (the trainable parameters' gradients under grad.<fpt name>)."""
    named = wrapper.fpt_named_parameters()
    trainable = {n: p for n, p in named.items() if fpt_trainable(n)}
    for name, parameter in named.items():
        parameter.requires_grad_(name in trainable)

    hidden, logits = wrapper(inputs)
    loss = loss_of(logits, targets)
    loss.backward()
    expected = {
        "inputs": inputs,
        "targets": targets,
        "hidden": hidden.detach(),
        "logits": logits.detach(),
        "loss": loss.detach(),
    }
    for name, parameter in wrapper.fpt_named_parameters().items():
        if name.startswith(("input_layer.", "output_layer.")):
            expected[name] = parameter.detach().clone()
    for name, parameter in trainable.items():
        assert parameter.grad is not None, f"{name}: trainable but received no gradient"
        expected["grad." + name] = parameter.grad.detach().clone()
    for parameter in named.values():
        parameter.grad = None

    expected["adam_losses"] = adam_losses(wrapper, inputs, targets)
    return {name: tensor.detach().contiguous() for name, tensor in expected.items()}


def adam_losses(wrapper, inputs, targets):
    """The loss before each of ADAM_STEPS steps of Adam (lr 1e-3, betas (0.9, 0.999), eps 1e-8, no
    weight decay) with global gradient-norm clipping at 1.0, on the same batch every step. Trains
    the wrapper itself (its body_forward closes over the reference modules, so a deep copy would
    train parameters the forward never reads): call it last, after everything else is saved."""
    model = wrapper
    trainable = [p for n, p in model.fpt_named_parameters().items() if fpt_trainable(n)]
    optimizer = torch.optim.Adam(trainable, lr=ADAM_LR, betas=(0.9, 0.999), eps=1e-8,
                                 weight_decay=0.0)
    losses = []
    for _ in range(ADAM_STEPS):
        optimizer.zero_grad(set_to_none=True)
        _, logits = model(inputs)
        loss = loss_of(logits, targets)
        losses.append(loss.item())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, CLIP_NORM)
        optimizer.step()
    return torch.tensor(losses, dtype=torch.float32)


def make_inputs(case):
    B, T = case["batch"], case["tokens"]
    if case["input"] == "tokens":
        inputs = torch.randint(0, case["input_dim"], (B, T), dtype=torch.int64)
    else:
        inputs = torch.randn(B, T, case["input_dim"])
    targets = torch.randint(0, case["output_dim"], (B, case["output_tokens"]), dtype=torch.int64)
    return inputs, targets


def wrap(case, width, body_forward, body_parameters):
    return FptWrapper(width, case["input"] == "tokens", case["input_dim"], case["output_tokens"],
                      case["output_dim"], body_forward, body_parameters)


# --- GPT-2 ------------------------------------------------------------------------------------


def gpt2_case(case):
    body = case["body"]
    config = GPT2Config(vocab_size=body["vocab_size"], n_positions=body["n_positions"],
                        n_embd=body["width"], n_layer=body["n_layer"], n_head=body["n_head"],
                        layer_norm_epsilon=body["layer_norm_epsilon"], resid_pdrop=0.0,
                        embd_pdrop=0.0, attn_pdrop=0.0, activation_function="gelu_new")
    if case["checkpoint"]["layout"] == "transformer_prefix":
        # Saved as GPT2LMHeadModel.save_pretrained writes model.safetensors: every name prefixed
        # "transformer.", the lm_head tied to wte (so not stored), non-persistent buffers absent.
        lm_model = GPT2LMHeadModel(config).eval()
        init_reference_weights(lm_model)
        model = lm_model.transformer
    else:
        lm_model = None
        model = GPT2Model(config).eval()
        init_reference_weights(model)
    if case["checkpoint"]["dtype"] == "F16":
        # A half-precision checkpoint: the reference computes in float32 from exactly the values
        # stored (f16 -> f32 is exact), as fpt does after converting on load.
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.copy_(parameter.half().float())

    body_path = os.path.join(OUT_DIR, case["name"] + ".body.safetensors")
    if lm_model is not None:
        to_save = copy.deepcopy(lm_model)
        if case["checkpoint"]["dtype"] == "F16":
            to_save = to_save.half()
        with tempfile.TemporaryDirectory() as directory:
            to_save.save_pretrained(directory, safe_serialization=True)
            shutil.copyfile(os.path.join(directory, "model.safetensors"), body_path)
    else:
        state = {n: t.contiguous() for n, t in model.state_dict().items()}
        if case["checkpoint"]["dtype"] == "F16":
            state = {n: t.half() for n, t in state.items()}
        safetensors.torch.save_file(state, body_path, metadata={"format": "pt"})

    def body_forward(embeddings):  # adds wpe, causal attention, final ln_f
        return model(inputs_embeds=embeddings).last_hidden_state

    case["reference"]["attn_implementation"] = model.config._attn_implementation
    return wrap(case, body["width"], body_forward, dict(model.named_parameters()))


# --- BERT -------------------------------------------------------------------------------------


def bert_case(case):
    body = case["body"]
    config = BertConfig(vocab_size=body["vocab_size"], hidden_size=body["width"],
                        num_hidden_layers=body["n_layer"], num_attention_heads=body["n_head"],
                        intermediate_size=body["intermediate"], hidden_act="gelu",
                        hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                        max_position_embeddings=body["max_positions"],
                        type_vocab_size=body["type_vocab_size"],
                        layer_norm_eps=body["layer_norm_epsilon"])
    model = BertModel(config, add_pooling_layer=False).eval()
    init_reference_weights(model)
    state = {n: t.contiguous() for n, t in model.state_dict().items()}
    safetensors.torch.save_file(state, os.path.join(OUT_DIR, case["name"] + ".body.safetensors"),
                                metadata={"format": "pt"})

    def body_forward(embeddings):
        # adds position and token-type-0 embeddings, embedding LayerNorm; no mask (bidirectional)
        return model(inputs_embeds=embeddings).last_hidden_state

    case["reference"]["attn_implementation"] = model.config._attn_implementation
    return wrap(case, body["width"], body_forward, dict(model.named_parameters()))


# --- ViT (timm and the HF layout of the same weights) -----------------------------------------


def make_timm_vit(body):
    vit = VisionTransformer(img_size=body["img_size"], patch_size=body["patch_size"], in_chans=3,
                            num_classes=body["num_classes"], embed_dim=body["width"],
                            depth=body["n_layer"], num_heads=body["n_head"],
                            mlp_ratio=body["mlp_width"] / body["width"], qkv_bias=True,
                            drop_rate=0.0, pos_drop_rate=0.0, proj_drop_rate=0.0,
                            attn_drop_rate=0.0, drop_path_rate=0.0).eval()
    init_reference_weights(vit)
    assert vit.blocks[0].norm1.eps == body["layer_norm_epsilon"]
    assert vit.blocks[0].mlp.fc1.out_features == body["mlp_width"]
    return vit


def timm_to_hf_vit(vit_state, n_layer, width):
    """timm VisionTransformer names -> HF ViTModel names (google/vit-base-patch16-224-in21k
    layout). timm packs q, k, v along qkv's output rows in that order."""
    hf = {
        "embeddings.cls_token": vit_state["cls_token"],
        "embeddings.position_embeddings": vit_state["pos_embed"],
        "embeddings.patch_embeddings.projection.weight": vit_state["patch_embed.proj.weight"],
        "embeddings.patch_embeddings.projection.bias": vit_state["patch_embed.proj.bias"],
        "layernorm.weight": vit_state["norm.weight"],
        "layernorm.bias": vit_state["norm.bias"],
    }
    for n in range(n_layer):
        timm_block, hf_layer = f"blocks.{n}.", f"encoder.layer.{n}."
        renames = {
            "norm1": "layernorm_before",
            "attn.proj": "attention.output.dense",
            "norm2": "layernorm_after",
            "mlp.fc1": "intermediate.dense",
            "mlp.fc2": "output.dense",
        }
        for timm_name, hf_name in renames.items():
            for kind in ("weight", "bias"):
                hf[f"{hf_layer}{hf_name}.{kind}"] = vit_state[f"{timm_block}{timm_name}.{kind}"]
        for kind in ("weight", "bias"):
            packed = vit_state[f"{timm_block}attn.qkv.{kind}"]  # (3C, C) or (3C)
            for index, part in enumerate(("query", "key", "value")):
                hf[f"{hf_layer}attention.attention.{part}.{kind}"] = packed[
                    index * width:(index + 1) * width]
    return hf


def hf_to_timm_names(n_layer):
    """HF ViT parameter name -> fpt's ViT body name (timm names), for the trainable ones."""
    names = {"layernorm.weight": "norm.weight", "layernorm.bias": "norm.bias"}
    for n in range(n_layer):
        for hf_name, timm_name in (("layernorm_before", "norm1"), ("layernorm_after", "norm2")):
            for kind in ("weight", "bias"):
                names[f"encoder.layer.{n}.{hf_name}.{kind}"] = f"blocks.{n}.{timm_name}.{kind}"
    return names


def vit_case(case):
    """FPT semantics: x = embeddings + fpt_pos_embed[:T] (a NEW trainable table, zeros), every
    block, the final norm. The patch embedding, class token, timm's pos_embed and head are
    bypassed (they are in the checkpoint; fpt ignores them)."""
    body = case["body"]
    vit = make_timm_vit(body)
    fpt_pos_embed = torch.nn.Parameter(torch.zeros(body["n_positions"], body["width"]))
    vit_state = {n: t.contiguous() for n, t in vit.state_dict().items()}

    if case["checkpoint"]["layout"] == "timm":
        safetensors.torch.save_file(vit_state,
                                    os.path.join(OUT_DIR, case["name"] + ".body.safetensors"),
                                    metadata={"format": "pt"})

        def body_forward(embeddings):
            x = embeddings + fpt_pos_embed[:embeddings.shape[1]]
            for block in vit.blocks:
                x = block(x)
            return vit.norm(x)

        body_parameters = {n: p for n, p in vit.named_parameters()
                           if n.startswith(("blocks.", "norm."))}
        case["reference"]["attn_implementation"] = (
            "F.scaled_dot_product_attention" if vit.blocks[0].attn.fused_attn else "eager")
    else:
        config = ViTConfig(hidden_size=body["width"], num_hidden_layers=body["n_layer"],
                           num_attention_heads=body["n_head"], intermediate_size=body["mlp_width"],
                           hidden_act="gelu", hidden_dropout_prob=0.0,
                           attention_probs_dropout_prob=0.0,
                           layer_norm_eps=body["layer_norm_epsilon"], image_size=body["img_size"],
                           patch_size=body["patch_size"], num_channels=3, qkv_bias=True)
        # with the pooler, as the in21k checkpoint has it: fpt must ignore it
        # Drawn from a forked generator, so that the FPT layers and inputs drawn after this are
        # those of vit_timm.
        with torch.random.fork_rng():
            torch.manual_seed(case["seed"] + 1)
            model = ViTModel(config, add_pooling_layer=True).eval()
            init_reference_weights(model)  # the pooler keeps these random values
        mapped = timm_to_hf_vit(vit_state, body["n_layer"], body["width"])
        missing, unexpected = model.load_state_dict(mapped, strict=False)
        assert set(missing) == {"pooler.dense.weight", "pooler.dense.bias"}, missing
        assert not unexpected, unexpected
        state = {n: t.contiguous() for n, t in model.state_dict().items()}
        safetensors.torch.save_file(state,
                                    os.path.join(OUT_DIR, case["name"] + ".body.safetensors"),
                                    metadata={"format": "pt"})

        def body_forward(embeddings):
            x = embeddings + fpt_pos_embed[:embeddings.shape[1]]
            for layer in model.encoder.layer:
                x = layer(x)[0]
            return model.layernorm(x)

        rename = hf_to_timm_names(body["n_layer"])
        body_parameters = {rename[n]: p for n, p in model.named_parameters() if n in rename}
        case["reference"]["attn_implementation"] = model.config._attn_implementation

    body_parameters["fpt_pos_embed"] = fpt_pos_embed
    return wrap(case, body["width"], body_forward, body_parameters)


# --- cases ------------------------------------------------------------------------------------

CASES = [
    {
        "name": "gpt2_small", "family": "gpt2", "seed": 1001,
        "body": {"n_layer": 2, "width": 64, "n_head": 4, "n_positions": 32, "vocab_size": 50,
                 "layer_norm_epsilon": 1e-5, "mlp_width": 256},
        "checkpoint": {"layout": "gpt2_model", "dtype": "F32"},
        "input": "continuous", "input_dim": 3, "tokens": 12, "output_tokens": 2, "output_dim": 4,
        "batch": 3,
    },
    {
        "name": "gpt2_wide", "family": "gpt2", "seed": 1002,
        "body": {"n_layer": 3, "width": 96, "n_head": 6, "n_positions": 64, "vocab_size": 40,
                 "layer_norm_epsilon": 1e-5, "mlp_width": 384},
        # GPT2LMHeadModel.save_pretrained names ("transformer." prefix), stored as float16 (as
        # half-precision hub checkpoints are): exercises prefix stripping and F16 conversion, and
        # halves the file (1.3 MB in float32).
        "checkpoint": {"layout": "transformer_prefix", "dtype": "F16"},
        "input": "tokens", "input_dim": 15, "tokens": 20, "output_tokens": 1, "output_dim": 10,
        "batch": 2,
    },
    {
        "name": "vit_timm", "family": "vit", "seed": 1003,
        "body": {"n_layer": 2, "width": 64, "n_head": 4, "mlp_width": 256, "n_positions": 32,
                 "layer_norm_epsilon": 1e-6, "img_size": 8, "patch_size": 4, "num_classes": 10},
        "checkpoint": {"layout": "timm", "dtype": "F32"},
        "input": "continuous", "input_dim": 3, "tokens": 10, "output_tokens": 1, "output_dim": 10,
        "batch": 2,
    },
    {
        # the same weights, inputs and FPT layers as vit_timm (same seed), in HF ViTModel names
        "name": "vit_hf", "family": "vit", "seed": 1003,
        "body": {"n_layer": 2, "width": 64, "n_head": 4, "mlp_width": 256, "n_positions": 32,
                 "layer_norm_epsilon": 1e-6, "img_size": 8, "patch_size": 4, "num_classes": 10},
        "checkpoint": {"layout": "hf_vit", "dtype": "F32"},
        "input": "continuous", "input_dim": 3, "tokens": 10, "output_tokens": 1, "output_dim": 10,
        "batch": 2,
    },
    {
        "name": "bert_small", "family": "bert", "seed": 1005,
        "body": {"n_layer": 2, "width": 64, "n_head": 4, "intermediate": 128, "max_positions": 32,
                 "type_vocab_size": 2, "vocab_size": 30, "layer_norm_epsilon": 1e-12},
        "checkpoint": {"layout": "bert_model", "dtype": "F32"},
        "input": "continuous", "input_dim": 3, "tokens": 10, "output_tokens": 1, "output_dim": 5,
        "batch": 2,
    },
]


def max_abs(a, b):
    return (a.double() - b.double()).abs().max().item()


def main():
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()
    torch.set_default_dtype(torch.float32)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)  # one summation order, run to run
    os.makedirs(OUT_DIR, exist_ok=True)
    versions = {"torch": torch.__version__, "transformers": transformers.__version__,
                "timm": timm.__version__, "safetensors": safetensors.__version__,
                "numpy": numpy.__version__}
    results = {}
    for case in CASES:
        case = copy.deepcopy(case)
        case["reference"] = dict(versions)
        torch.manual_seed(case["seed"])
        if case["family"] == "gpt2":
            wrapper = gpt2_case(case)
        elif case["family"] == "bert":
            wrapper = bert_case(case)
        else:
            wrapper = vit_case(case)
        inputs, targets = make_inputs(case)
        expected = run_reference(wrapper, inputs, targets)
        results[case["name"]] = expected

        name = case["name"]
        safetensors.torch.save_file(expected, os.path.join(OUT_DIR, name + ".expected.safetensors"),
                                    metadata={"format": "pt"})
        description = {key: case[key] for key in ("name", "family", "seed", "body", "checkpoint",
                                                   "input", "input_dim", "tokens",
                                                   "output_tokens", "output_dim", "batch")}
        description["trainable"] = sorted(n[len("grad."):] for n in expected if n.startswith("grad."))
        description["training"] = {"optimizer": "Adam", "lr": ADAM_LR, "betas": [0.9, 0.999],
                                   "eps": 1e-8, "weight_decay": 0.0, "clip_grad_norm": CLIP_NORM,
                                   "steps": ADAM_STEPS, "same batch every step": True}
        description["dropout"] = 0.0
        description["orth_gain"] = ORTH_GAIN
        description["reference"] = case["reference"]
        with open(os.path.join(OUT_DIR, name + ".json"), "w") as out:
            json.dump(description, out, indent=2)
            out.write("\n")
        for suffix in (".body.safetensors", ".expected.safetensors", ".json"):
            os.chmod(os.path.join(OUT_DIR, name + suffix), 0o644)  # save_file makes them 0600
        sizes = {suffix: os.path.getsize(os.path.join(OUT_DIR, name + suffix))
                 for suffix in (".body.safetensors", ".expected.safetensors")}
        print(f"{name}: loss {expected['loss'].item():.6f}, adam losses "
              f"{expected['adam_losses'][0].item():.4f} -> {expected['adam_losses'][-1].item():.4f}, "
              f"{len(description['trainable'])} trainable tensors, files {sizes}")

    # The HF layout of the same weights must give the same numbers as timm: checks the mapping.
    if "vit_timm" in results and "vit_hf" in results:
        timm_result, hf_result = results["vit_timm"], results["vit_hf"]
        assert timm_result.keys() == hf_result.keys()
        worst = max(max_abs(timm_result[k], hf_result[k]) for k in timm_result)
        print(f"vit_hf vs vit_timm: max abs difference over every tensor {worst:.3g}")
        assert worst < 1e-4, worst


if __name__ == "__main__":
    main()
