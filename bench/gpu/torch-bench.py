"""PyTorch's figures for the same measurements as gpu-bench.ts, on the same machine.

fp32 matmul with TF32 off, the wall time of a queued small elementwise op in eager mode, and
steps/s of the same 784-512-10 MLP at batch 128 and of the same tiny GPT on CUDA.

    python3 torch-bench.py --sizes 1024,4096,8192 --mlp-steps 100 --gpt-steps 20 --rounds 10 --warmup-ms 2000

Training steps are timed as gpu-bench.ts times them: warm-up steps for --warmup-ms, then
--rounds rounds of steps, each round timed to the read of its last loss; the mean is the
whole time over all steps, the median that of the rounds.
"""

import argparse
import os
import sys
import time
from typing import Callable, NamedTuple

import torch

# The GPT is the CPU bench's (bench/torch/peer.py), found beside this file where pack.ts puts it.
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.join(here, "..", "torch")]
from peer import gpt_model  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1024,4096,8192")
    p.add_argument("--mlp-steps", type=int, default=100)
    p.add_argument("--gpt-steps", type=int, default=20)
    p.add_argument("--rounds", type=int, default=10)
    p.add_argument("--warmup-ms", type=float, default=2000)
    p.add_argument("--only", default="matmul,queued,mlp,gpt")
    args = p.parse_args()
    only = set(args.only.split(","))
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device")
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"pytorch {torch.__version__} on {torch.cuda.get_device_name(0)}")

    if "matmul" in only:
        matmul(dev, [int(s) for s in args.sizes.split(",")])
    if "queued" in only:
        queued(dev)
    if "mlp" in only:
        mlp(dev, Timing(args.warmup_ms, args.rounds, args.mlp_steps))
    if "gpt" in only:
        gpt(dev, Timing(args.warmup_ms, args.rounds, args.gpt_steps))


def matmul(dev: torch.device, sizes: list[int]) -> None:
    for n in sizes:
        a = torch.randn(n, n, device=dev)
        b = torch.randn(n, n, device=dev)
        for _ in range(3):
            a @ b
        torch.cuda.synchronize()
        reps = max(1, int(2e12 / (2 * n**3)))
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(reps):
                a @ b
            torch.cuda.synchronize()
            times.append((time.perf_counter() - t0) / reps)
        ms = sorted(times)[len(times) // 2] * 1000
        print(f"pytorch matmul fp32 (TF32 off) {n}: {2 * n**3 / (ms / 1000) / 1e12:.2f} TFLOP/s ({ms:.3f} ms)")



def queued(dev: torch.device) -> None:
    x = torch.ones(1024, device=dev)
    one = torch.full((1024,), 1e-3, device=dev)
    count = 2000
    for _ in range(count):
        x = x + one
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(count):
        x = x + one
    torch.cuda.synchronize()
    print(f"pytorch queued elementwise add [1024]: {(time.perf_counter() - t0) / count * 1e6:.2f} us/op")



class Timing(NamedTuple):
    warmup_ms: float
    rounds: int
    steps: int


def time_steps(step: Callable[[], torch.Tensor], t: Timing) -> str:
    """Steps/s by the mean and by the rounds' median, and the mean step in ms."""

    def one_round(n: int) -> float:
        t0 = time.perf_counter()
        for _ in range(n):
            loss = step()
        loss.item()
        return time.perf_counter() - t0

    w0 = time.perf_counter()
    while True:
        one_round(3)
        if (time.perf_counter() - w0) * 1000 >= t.warmup_ms:
            break
    per_step = sorted(one_round(t.steps) / t.steps for _ in range(t.rounds))
    mean = sum(per_step) / len(per_step)
    median = per_step[len(per_step) // 2]
    return f"{1 / mean:.1f} steps/s (median {1 / median:.1f}; {mean * 1000:.3f} ms mean)"


def mlp(dev: torch.device, timing: Timing) -> None:
    torch.manual_seed(0)
    w1 = (torch.randn(784, 512, device=dev) * 0.05).requires_grad_()
    b1 = torch.zeros(512, device=dev, requires_grad=True)
    w2 = (torch.randn(512, 10, device=dev) * 0.05).requires_grad_()
    b2 = torch.zeros(10, device=dev, requires_grad=True)
    xb = torch.randn(128, 784, device=dev)
    labels = torch.randint(0, 10, (128, 1), device=dev)
    params = [w1, b1, w2, b2]

    def step() -> torch.Tensor:
        logits = torch.relu(xb @ w1 + b1) @ w2 + b2
        loss = -torch.log_softmax(logits, 1).gather(1, labels).mean()
        loss.backward()
        with torch.no_grad():
            for q in params:
                q -= q.grad * 0.01
                q.grad = None
        return loss

    print(f"pytorch MLP 784-512-10, batch 128, SGD: cuda {time_steps(step, timing)}")


def gpt(dev: torch.device, timing: Timing) -> None:
    params, loss_fn = gpt_model(dev)
    opt = torch.optim.Adam(params, lr=1e-3)

    def step() -> torch.Tensor:
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss

    print(f"pytorch tiny GPT (2 blocks, d 128, batch 32 x 64 tokens), Adam: cuda {time_steps(step, timing)}")


if __name__ == "__main__":
    main()
