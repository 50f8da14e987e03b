"""PyTorch's figures for the same measurements as gpu-bench.ts, on the same machine.

fp32 matmul with TF32 off, the wall time of a queued small elementwise op in eager mode, and
steps/s of the same 784-512-10 MLP at batch 128 on CUDA.

    python3 torch-bench.py --sizes 1024,4096,8192 --mlp-steps 50
"""

import argparse
import time

import torch


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1024,4096,8192")
    p.add_argument("--mlp-steps", type=int, default=50)
    args = p.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("no CUDA device")
    dev = torch.device("cuda")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(f"pytorch {torch.__version__} on {torch.cuda.get_device_name(0)}")

    for n in [int(s) for s in args.sizes.split(",")]:
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

    for _ in range(3):
        step().item()
    t0 = time.perf_counter()
    for _ in range(args.mlp_steps):
        loss = step()
    loss.item()
    print(f"pytorch MLP 784-512-10, batch 128, SGD: cuda {args.mlp_steps / (time.perf_counter() - t0):.1f} steps/s")


if __name__ == "__main__":
    main()
