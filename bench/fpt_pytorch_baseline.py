"""Baseline for bench/train_throughput.sh: the official universal-computation FPT training step in
Python PyTorch + Hugging Face transformers (GPT2Model with random init, attention and feed-forward
frozen; input Linear/Embedding, positions, LayerNorms and output Linear trained; Adam, clip 1.0),
timed on the same shapes fpt_train uses. Prints one line: `samples_per_second <value>`.

Usage: python fpt_pytorch_baseline.py --task bit-xor|listops --body gpt2 --batch 32 --steps 20 --threads 2
"""
import argparse
import time

import torch
from transformers import GPT2Config, GPT2Model

SIZES = {"gpt2": (12, 768, 12), "gpt2-medium": (24, 1024, 16), "gpt2-tiny": (3, 128, 4),
         "gpt2-mini": (6, 256, 8)}
# task -> (token input?, input dim or vocab, tokens, output tokens, logits per output token)
TASKS = {"bit-xor": (False, 1, 10, 5, 2), "bit-memory": (False, 50, 120, 20, 100),
         "listops": (True, 15, 512, 1, 10)}


class FPT(torch.nn.Module):
    def __init__(self, body, tokens_in, input_dim, output_tokens, output_dim):
        super().__init__()
        layers, width, heads = SIZES[body]
        self.transformer = GPT2Model(GPT2Config(n_layer=layers, n_embd=width, n_head=heads))
        if tokens_in:
            self.in_net = torch.nn.Embedding(input_dim, width)
        else:
            self.in_net = torch.nn.Linear(input_dim, width)
            torch.nn.init.orthogonal_(self.in_net.weight, gain=1.41)
            torch.nn.init.zeros_(self.in_net.bias)
        self.dropout = torch.nn.Dropout(0.1)
        self.out_net = torch.nn.Linear(width, output_dim)
        self.output_tokens = output_tokens
        self.tokens_in = tokens_in
        for name, p in self.transformer.named_parameters():  # the official freezing rule
            name = name.lower()
            if "ln" in name or "norm" in name:
                p.requires_grad = True
            elif "wpe" in name:
                p.requires_grad = True
            else:
                p.requires_grad = False

    def forward(self, x):
        x = self.in_net(x)
        if not self.tokens_in:
            x = self.dropout(x)
        h = self.transformer(inputs_embeds=x).last_hidden_state
        return self.out_net(h[:, -self.output_tokens:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--task", default="bit-xor")
    parser.add_argument("--body", default="gpt2")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu or cuda (fpt_train uses a GPU when "
                        "there is one: compare like with like)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    tokens_in, input_dim, tokens, output_tokens, output_dim = TASKS[args.task]
    model = FPT(args.body, tokens_in, input_dim, output_tokens, output_dim).to(device)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(trainable, lr=1e-3)
    classes = 2 if args.task.startswith("bit") else 10
    elapsed = 0.0
    for _ in range(args.steps):
        start = time.perf_counter()
        # Batches drawn on the CPU and copied over, as fpt's loaders do.
        if tokens_in:
            x = torch.randint(0, input_dim, (args.batch, tokens)).to(device)
        else:
            x = torch.randint(0, 2, (args.batch, tokens, input_dim)).float().to(device)
        y = torch.randint(0, classes, (args.batch * output_tokens * output_dim // classes,)).to(device)
        logits = model(x).reshape(-1, classes)
        loss = torch.nn.functional.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        if device.type == "cuda":
            torch.cuda.synchronize()  # the step has finished on the GPU, not just been queued
        elapsed += time.perf_counter() - start
    print(f"samples_per_second {args.steps * args.batch / elapsed:.3f}")


if __name__ == "__main__":
    main()
