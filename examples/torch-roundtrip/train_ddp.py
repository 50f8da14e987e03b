"""Continue a tsgrad training run on several GPUs with DistributedDataParallel.

    torchrun --nproc_per_node=8 examples/torch-roundtrip/train_ddp.py <dir> 100

<dir> holds train.model.safetensors (tsgrad's model.stateDict()) and
train.optimizer.safetensors (tsgrad's saveOptimizerState), as `pnpm example torch-roundtrip
--out <dir>` writes them. Rank 0 writes the result to <dir>/ddp in the same layout, for
tsgrad's loadStateDict and loadOptimizerState. Without GPUs it runs on CPU processes (gloo).
"""

import os
import sys

import torch
import torch.distributed as dist
from safetensors.torch import load_file
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

from roundtrip import MODELS, load_optimizer_state, save_optimizer_state, save_weights


def main(d, steps):
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    rank = dist.get_rank()
    device = torch.device("cuda", int(os.environ["LOCAL_RANK"])) if backend == "nccl" else torch.device("cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    # Weights first, on the device; then the optimizer, whose state load_state_dict moves there.
    model = MODELS["mlp"][0]()
    model.load_state_dict(load_file(os.path.join(d, "train.model.safetensors")), strict=True)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.01)
    load_optimizer_state(os.path.join(d, "train.optimizer.safetensors"), optimizer)
    ddp = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
    torch.manual_seed(rank)  # each rank draws its own batches
    for _ in range(steps):
        x, y = torch.randn(8, 6, device=device), torch.randn(8, 3, device=device)
        optimizer.zero_grad()
        nn.functional.mse_loss(ddp(x), y).backward()  # DDP averages the gradients over ranks
        optimizer.step()
    if rank == 0:
        out = os.path.join(d, "ddp")
        os.makedirs(out, exist_ok=True)
        save_weights(model, os.path.join(out, "train.model.safetensors"))
        save_optimizer_state(os.path.join(out, "train.optimizer.safetensors"), optimizer)
        print(f"wrote {out}")
    dist.destroy_process_group()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: torchrun --nproc_per_node=N train_ddp.py <dir> <steps>")
    main(sys.argv[1], int(sys.argv[2]))
