"""The PyTorch side of tsgrad's round trip: python3 roundtrip.py <dir>

<dir> is what `pnpm example torch-roundtrip --out <dir>` wrote. For each model this loads
tsgrad's weights into the same torch.nn model with load_state_dict(strict=True), runs the input
tsgrad saved and compares the outputs (rtol 1e-5). It loads tsgrad's AdamW state with
optimizer.load_state_dict, takes one step and compares the parameters with tsgrad's next step.

Then the way back, into <dir>/torch: each model initialised by PyTorch with its output, and
the training state after that step (weights, optimizer state in the same file layout) with the
parameters PyTorch's next step gives. `pnpm example torch-roundtrip --check <dir>` loads those
into tsgrad and compares. Needs `pip install torch safetensors`.
"""

import json
import math
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

RTOL, ATOL = 1e-5, 1e-6

# name: (build, run) — the same models as examples/torch-roundtrip/roundtrip.ts
MODELS = {
    "mlp": (
        lambda: nn.Sequential(nn.Linear(6, 16), nn.GELU(), nn.LayerNorm(16), nn.Linear(16, 3)),
        lambda m, x: m(x),
    ),
    "embedding": (lambda: nn.Embedding(10, 4), lambda m, x: m(x.long())),
    "lstm": (lambda: nn.LSTM(4, 5, num_layers=2, batch_first=True), lambda m, x: m(x)[0]),
    "gru": (lambda: nn.GRU(4, 5, bidirectional=True), lambda m, x: m(x)[0]),
    "mha": (lambda: nn.MultiheadAttention(8, 2, batch_first=True), lambda m, x: m(x, x, x)[0]),
    "encoder": (
        lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True),
        lambda m, x: m(x),
    ),
    "batchnorm": (lambda: nn.BatchNorm1d(3), lambda m, x: m(x)),
}


def save_weights(module, path):
    """A module's state dict as safetensors (contiguous copies, as save_file requires)."""
    tensors = {k: v.detach().cpu().contiguous().clone() for k, v in module.state_dict().items()}
    save_file(tensors, path, metadata={"format": "pt"})


# Optimizer state files: tensors as state.<i>.<key>[.<j>], everything else as JSON in the
# metadata under "state_dict". PyTorch keeps these scalar state entries as 0-d tensors.
SCALAR_STATE = {"step", "eta", "mu", "mu_product"}


def _decode(v, tensors):
    if isinstance(v, list):
        return [_decode(x, tensors) for x in v]
    if isinstance(v, dict):
        if "$tensor" in v:
            return tensors[v["$tensor"]]
        if "$number" in v:
            return float(v["$number"])
        return {k: _decode(x, tensors) for k, x in v.items()}
    return v


def _encode(v, name, tensors):
    if torch.is_tensor(v):
        tensors[name] = v.detach().cpu().contiguous().clone()
        return {"$tensor": name}
    if isinstance(v, (list, tuple)):
        return [_encode(x, f"{name}.{j}", tensors) for j, x in enumerate(v)]
    if isinstance(v, dict):
        return {k: _encode(x, f"{name}.{k}", tensors) for k, x in v.items()}
    if isinstance(v, float) and not math.isfinite(v):
        return {"$number": "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")}
    return v


def load_optimizer_state(path, optimizer):
    """optimizer.load_state_dict from a file tsgrad's saveOptimizerState wrote."""
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        sd = json.loads(f.metadata()["state_dict"])
    state = {}
    for i, s in sd["state"].items():
        state[int(i)] = {
            k: torch.tensor(float(v)) if k in SCALAR_STATE and isinstance(v, (int, float)) else _decode(v, tensors)
            for k, v in s.items()
        }
    groups = []
    for g in sd["param_groups"]:
        g = _decode(g, {})
        if "betas" in g:
            g["betas"] = tuple(g["betas"])
        for k, v in optimizer.defaults.items():  # PyTorch-only options (foreach, fused …)
            g.setdefault(k, v)
        groups.append(g)
    optimizer.load_state_dict({"state": state, "param_groups": groups})


def save_optimizer_state(path, optimizer):
    """optimizer.state_dict() as a file tsgrad's loadOptimizerState reads."""
    sd = optimizer.state_dict()
    tensors, state = {}, {}
    for i, s in sd["state"].items():
        state[str(i)] = {
            k: v.item() if k in SCALAR_STATE and torch.is_tensor(v) and v.dim() == 0 else _encode(v, f"state.{i}.{k}", tensors)
            for k, v in s.items()
        }
    groups = [_encode(g, "param_groups", {}) for g in sd["param_groups"]]
    meta = json.dumps({"state": state, "param_groups": groups}, allow_nan=False)
    save_file(tensors, path, metadata={"format": "pt", "state_dict": meta})


def train_step(model, optimizer, x, y):
    optimizer.zero_grad()
    nn.functional.mse_loss(model(x), y).backward()
    optimizer.step()


def main(d):
    out = os.path.join(d, "torch")
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    for name, (build, run) in MODELS.items():
        # tsgrad → PyTorch
        model = build()
        model.load_state_dict(load_file(os.path.join(d, f"{name}.safetensors")), strict=True)
        model.eval()
        io = load_file(os.path.join(d, f"{name}.io.safetensors"))
        with torch.no_grad():
            y = run(model, io["input"])
        torch.testing.assert_close(y, io["output"], rtol=RTOL, atol=ATOL)
        print(f"ok   {name}: tsgrad's weights give tsgrad's output in PyTorch")
        # PyTorch → tsgrad: a model PyTorch initialised, with its output
        model = build()
        if name == "batchnorm":
            model(torch.randn(4, 3) * 2 + 1)  # running statistics, as tsgrad's fixture does
        model.eval()
        with torch.no_grad():
            y = run(model, io["input"])
        save_weights(model, os.path.join(out, f"{name}.safetensors"))
        save_file({"input": io["input"], "output": y.contiguous()}, os.path.join(out, f"{name}.io.safetensors"))

    # Training: continue tsgrad's AdamW run in PyTorch.
    model = MODELS["mlp"][0]()
    model.load_state_dict(load_file(os.path.join(d, "train.model.safetensors")), strict=True)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
    load_optimizer_state(os.path.join(d, "train.optimizer.safetensors"), optimizer)
    batch = load_file(os.path.join(d, "train.batch.safetensors"))
    train_step(model, optimizer, batch["x"], batch["y"])
    for k, v in model.state_dict().items():
        torch.testing.assert_close(v, batch[f"expected.{k}"], rtol=RTOL, atol=ATOL)
    print("ok   train: PyTorch's AdamW step from tsgrad's state equals tsgrad's next step")
    # ... and hand it back: this state, a batch, and the parameters PyTorch's next step gives.
    save_weights(model, os.path.join(out, "train.model.safetensors"))
    save_optimizer_state(os.path.join(out, "train.optimizer.safetensors"), optimizer)
    x, y = torch.randn(8, 6), torch.randn(8, 3)
    train_step(model, optimizer, x, y)
    expected = {f"expected.{k}": v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()}
    save_file({"x": x, "y": y, **expected}, os.path.join(out, "train.batch.safetensors"), metadata={"format": "pt"})
    print(f"wrote PyTorch's files to {out}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 roundtrip.py <dir written by `pnpm example torch-roundtrip --out <dir>`>")
    main(sys.argv[1])
