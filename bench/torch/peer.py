"""PyTorch's side of `pnpm bench`: the same CPU workloads as the TypeScript suites, timed one
call at a time after a warm-up, printed as one JSON line of per-call milliseconds.

    python3 peer.py mlp --threads 1 --budget-ms 2500

With --serve it waits instead for lines `turn <ms> [<lead ms>]` on stdin and answers each with one JSON
line: the milliseconds of each call it made in a turn of about that length (at least one
call), so that its turns can alternate with tsgrad's.

`python3 peer.py mnist-epoch --data DIR` trains one MNIST epoch instead and prints its peak
resident set size (the `memory` suite).

Run by bench/torch/peer.ts, which picks the thread count that gives PyTorch its best mean and
unsets the OpenBLAS pins these machines export (they force AVX2 kernels).
"""

import argparse
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def adam_step(params, loss_fn):
    """One training step: zero the gradients, backward through `loss_fn()`, Adam (lr 1e-3), read the loss."""
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        loss.item()

    return step


def classifier_step(model, x, classes):
    """A cross-entropy training step of `model` on `x` with random labels."""
    y = torch.randint(0, classes, (x.shape[0],))
    return adam_step(model.parameters(), lambda: F.cross_entropy(model(x), y))


def mlp():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return classifier_step(model, torch.randn(128, 784), 10)


def two_convs():
    """Conv 1→32, ReLU, conv 32→64 (3×3) and a batch of 64 28×28 images."""
    torch.manual_seed(0)
    c1 = nn.Conv2d(1, 32, 3)
    c2 = nn.Conv2d(32, 64, 3)
    return c1, c2, torch.randn(64, 1, 28, 28)


def conv():
    c1, c2, x = two_convs()

    def step():
        c1.zero_grad()
        c2.zero_grad()
        c2(F.relu(c1(x))).sum().backward()
        c1.weight.grad.sum().item()

    return step


def conv_forward():
    c1, c2, x = two_convs()

    def step():
        with torch.no_grad():
            c2(F.relu(c1(x))).view(-1)[0].item()

    return step


def lenet():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(800, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    return classifier_step(model, torch.randn(64, 1, 28, 28), 10)


def lstm():
    """An LSTM training step: T 32, batch 64, input and hidden 256, a linear head, Adam."""
    torch.manual_seed(0)
    cell = nn.LSTM(256, 256)
    head = nn.Linear(256, 10)
    x = torch.randn(32, 64, 256)
    y = torch.randint(0, 10, (64,))

    def loss():
        out, _ = cell(x)
        return F.cross_entropy(head(out[-1]), y)

    return adam_step(list(cell.parameters()) + list(head.parameters()), loss)


def transformer():
    """A TransformerEncoderLayer training step: d 128, 4 heads, feed-forward 512, batch 32 × 64 tokens, Adam."""
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(128, 4, 512, dropout=0.0, batch_first=True)
    x = torch.randn(32, 64, 128)
    mask = torch.triu(torch.full((64, 64), float("-inf")), diagonal=1)
    return adam_step(layer.parameters(), lambda: layer(x, src_mask=mask).pow(2).mean())


def gpt_model(device="cpu"):
    """The tiny GPT on `device`: 65 token types, 64-token context, token and position
    embeddings, 2 pre-norm blocks (d 128, 4 heads, ff 512, causal), final layer norm, linear
    head; its parameters and a function giving the next-token cross-entropy over one batch of
    32 × 64 random tokens. Also used by bench/gpu/torch-bench.py."""
    torch.manual_seed(0)
    vocab, d, seq, batch = 65, 128, 64, 32
    tok = nn.Embedding(vocab, d)
    pos = nn.Embedding(seq, d)
    blocks = nn.ModuleList(
        nn.TransformerEncoderLayer(d, 4, 512, dropout=0.0, batch_first=True, norm_first=True) for _ in range(2)
    )
    norm = nn.LayerNorm(d)
    head = nn.Linear(d, vocab)
    modules = nn.ModuleList([tok, pos, blocks, norm, head]).to(device)
    tokens = torch.randint(0, vocab, (batch, seq), device=device)
    targets = torch.randint(0, vocab, (batch * seq,), device=device)
    positions = torch.arange(seq, device=device)
    mask = torch.triu(torch.full((seq, seq), float("-inf"), device=device), diagonal=1)

    def loss():
        x = tok(tokens) + pos(positions)
        for b in blocks:
            x = b(x, src_mask=mask)
        return F.cross_entropy(head(norm(x)).view(-1, vocab), targets)

    return modules.parameters(), loss


def gpt():
    """A tiny GPT training step (`gpt_model`) with Adam."""
    return adam_step(*gpt_model())


def elementwise(op):
    a = torch.randn(1 << 20)
    b = torch.randn(1 << 20)
    row = torch.randn(1024)
    m = a.view(1024, 1024)

    def step():
        if op == "add":
            r = a + b
        elif op == "exp":
            r = a.exp()
        else:
            r = m * row
        r.view(-1)[0].item()

    return step


CASES = {
    "mlp": mlp,
    "conv": conv,
    "conv_forward": conv_forward,
    "lenet": lenet,
    "lstm": lstm,
    "transformer": transformer,
    "gpt": gpt,
    "add": lambda: elementwise("add"),
    "exp": lambda: elementwise("exp"),
    "mul": lambda: elementwise("mul"),
}


def turn(step, ms, lead_ms=0.0):
    """Calls `step` until `ms` milliseconds have passed (at least once); the ms of each call.
    With `lead_ms`, first calls it untimed for that long (at least once)."""
    if lead_ms > 0:
        lead = time.perf_counter() + lead_ms / 1000
        while True:
            step()
            if time.perf_counter() >= lead:
                break
    times = []
    end = time.perf_counter() + ms / 1000
    while True:
        t0 = time.perf_counter()
        step()
        t1 = time.perf_counter()
        times.append((t1 - t0) * 1000)
        if t1 >= end:
            return times


def serve(step):
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] != "turn":
            break
        print(json.dumps(turn(step, *map(float, words[1:]))), flush=True)


def mnist_epoch(data_dir):
    """One epoch of the MNIST MLP (as `pnpm example mnist`: standardised inputs, batch 128,
    Adam lr 5e-3 with OneCycleLR, shuffled), then the test accuracy; prints the peak resident
    set size and the epoch's seconds as one JSON line."""
    import resource

    def idx(name, offset):
        with open(f"{data_dir}/{name}", "rb") as f:
            return torch.frombuffer(bytearray(f.read()[offset:]), dtype=torch.uint8)

    train_x = (idx("train-images-idx3-ubyte", 16).view(-1, 784).float() / 255 - 0.1307) / 0.3081
    train_y = idx("train-labels-idx1-ubyte", 8).long()
    test_x = (idx("t10k-images-idx3-ubyte", 16).view(-1, 784).float() / 255 - 0.1307) / 0.3081
    test_y = idx("t10k-labels-idx1-ubyte", 8).long()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    steps = (len(train_x) + 127) // 128
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 5e-3, epochs=1, steps_per_epoch=steps)
    t0 = time.perf_counter()
    order = torch.randperm(len(train_x))
    for k in range(steps):
        batch = order[k * 128 : (k + 1) * 128]
        opt.zero_grad()
        loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
        loss.backward()
        opt.step()
        sched.step()
        loss.item()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        acc = (model(test_x).argmax(1) == test_y).float().mean().item()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"maxRssMiB": rss, "seconds": seconds, "testAccuracy": acc}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=sorted([*CASES, "mnist-epoch"]))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--budget-ms", type=float, default=2500)
    p.add_argument("--min-reps", type=int, default=20)
    p.add_argument("--serve", action="store_true")
    p.add_argument("--data", help="mnist-epoch: the directory of the four MNIST IDX files")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.case == "mnist-epoch":
        mnist_epoch(args.data)
        return
    step = CASES[args.case]()
    if args.serve:
        serve(step)
        return
    end = time.perf_counter() + args.budget_ms / 5000
    step()
    while time.perf_counter() < end:
        step()
    times = []
    end = time.perf_counter() + args.budget_ms / 1000
    while time.perf_counter() < end or len(times) < args.min_reps:
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"case": args.case, "threads": args.threads, "torch": torch.__version__, "times_ms": times}))


if __name__ == "__main__":
    main()
