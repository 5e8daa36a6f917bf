"""The residual net of sweeps/fashion-resnet.yaml at its defaults, in PyTorch CPU, timed as the
anchors time their networks (../shared/anchors/torch_cnn.py): for `hpsearch bench tensor`'s
resnet_images_per_s and scripts/bench-anchors.sh. It measures; it is not part of hpsearch.

Stem conv 3x3 (32, no bias) + BN + ReLU + maxpool 2; a residual block (conv-BN-ReLU-conv-BN, identity
skip) + ReLU at 14x14; conv 3x3 stride 2 to 64 + BN + ReLU; a residual block at 7x7 + ReLU; flatten,
dropout 0.3, dense 128, ReLU, dense 10. Adam 1e-3, batch 128, NCHW, float32.
Usage: python3 scripts/torch_resnet.py [THREADS=2] [WINDOWS=3] [BATCHES=16]   (needs CPU torch)
"""
import os, sys
ANCHORS = os.environ.get("HPSEARCH_ANCHORS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "anchors"))
sys.path.insert(0, ANCHORS)
T = int(sys.argv[1]) if len(sys.argv) > 1 else 2
W = int(sys.argv[2]) if len(sys.argv) > 2 else 3
NB = int(sys.argv[3]) if len(sys.argv) > 3 else 16
import numpy as np, torch
from torch import nn
from fmnist import load
from quiet import Others, wait_quiet
torch.set_num_threads(T)
torch.manual_seed(0)
Xtr, ytr, *_ = (torch.from_numpy(a) for a in load(np.float32))
Xtr = Xtr.reshape(-1, 1, 28, 28).contiguous()

class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                                  nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))
    def forward(self, x):
        return x + self.body(x)

m = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                  Block(32), nn.ReLU(),
                  nn.Conv2d(32, 64, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                  Block(64), nn.ReLU(),
                  nn.Flatten(), nn.Dropout(0.3), nn.Linear(7 * 7 * 64, 128), nn.ReLU(), nn.Linear(128, 10))
opt = torch.optim.Adam(m.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
perm = torch.randperm(len(Xtr))
def step(i):
    idx = perm[(i * 128) % (len(Xtr) - 128):][:128]
    xb, yb = Xtr[idx], ytr[idx]
    opt.zero_grad(set_to_none=True)
    loss = lossf(m(xb), yb); loss.backward(); opt.step()
for i in range(5): step(i)
rates, clean = [], []
k = 5
for w in range(W):
    wait_quiet(max_wait=30)
    with Others() as o:
        for i in range(NB): step(k); k += 1
    r = NB * 128 / o.wall
    rates.append(r)
    if o.cores < 0.05: clean.append(r)
use = clean or rates
print(f"torch ResNet {T} threads: {sum(p.numel() for p in m.parameters())} parameters, windows {[round(r) for r in rates]} img/s, "
      f"clean {len(clean)}/{W}; median {round(sorted(use)[len(use)//2])} img/s")
