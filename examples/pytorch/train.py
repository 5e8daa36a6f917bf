#!/usr/bin/env python3
"""A PyTorch CPU MLP on Fashion-MNIST that speaks hpsearch's program protocol.

    hpsearch run examples/pytorch/sweep.yaml                  (one process)
    scripts/launch.sh -n 3 -- run examples/pytorch/sweep.yaml  (rank 0 + 2 workers)

Hyperparameters arrive as --name=value flags; budget.max_epochs as --epochs=N. The data: Debian's
dataset-fashion-mnist (IDX gzip, /usr/share/datasets/fashion-mnist, or $FMNIST_DIR); the last
5,000 training images are the validation split (the same in every trial); FMNIST_TRAIN_EXAMPLES
caps the training split (quick runs and the test). Each epoch: train, evaluate on the whole
validation split, save the checkpoint, then print `hpsearch {json}`. SIGTERM (a stop from rank 0)
ends it after the current batch; at the end it writes validation.npy / test.npy (probabilities)
and the label files into $HPSEARCH_OUTPUT_DIR, for `hpsearch ensemble`.
"""
import gzip, json, os, signal, sys, time
import numpy as np
import torch
from torch import nn

args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
lr = float(args.get("learning_rate", "1e-3"))
width = int(args.get("width", "256"))
dropout = float(args.get("dropout", "0.2"))
batch = int(args.get("batch_size", "128"))
epochs = int(args.get("epochs", os.environ.get("HPSEARCH_MAX_EPOCHS", "5")))
seed = int(os.environ.get("HPSEARCH_SEED", "0")) % (2**63)
out_dir = os.environ.get("HPSEARCH_OUTPUT_DIR", ".")
ckpt_path = os.path.join(os.environ.get("HPSEARCH_CHECKPOINT_DIR", "."), "model.pt")
torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
torch.manual_seed(seed)

stop = False
def on_term(signum, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)

root = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
def idx(name, offset):
    with gzip.open(os.path.join(root, name)) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)
x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
y = idx("train-labels-idx1-ubyte.gz", 8).astype(np.int64)
tx = idx("t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float32) / 255
ty = idx("t10k-labels-idx1-ubyte.gz", 8).astype(np.int64)
vx, vy, x, y = x[-5000:], y[-5000:], x[:-5000], y[:-5000]
if "FMNIST_TRAIN_EXAMPLES" in os.environ:
    n = int(os.environ["FMNIST_TRAIN_EXAMPLES"]); x, y = x[:n], y[:n]
mean, std = x.mean(), x.std()
x, vx, tx = [torch.from_numpy((a - mean) / std) for a in (x, vx, tx)]
y, vy = torch.from_numpy(y), torch.from_numpy(vy)

model = nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Dropout(dropout), nn.Linear(width, width), nn.ReLU(),
                      nn.Dropout(dropout), nn.Linear(width, 10))
opt = torch.optim.Adam(model.parameters(), lr=lr)
start = 1
if os.environ.get("HPSEARCH_RESUME") == "1" and os.path.exists(ckpt_path):
    state = torch.load(ckpt_path)
    model.load_state_dict(state["model"]); opt.load_state_dict(state["opt"]); torch.set_rng_state(state["rng"])
    start = state["epoch"] + 1
    print(f"resuming after epoch {state['epoch']}", file=sys.stderr)
loss_fn = nn.CrossEntropyLoss()

def predict(a):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(a), 1)

for epoch in range(start, epochs + 1):
    t0 = time.time(); model.train(); total, seen = 0.0, 0
    order = torch.randperm(len(x))
    for i in range(0, len(x), batch):
        idx_ = order[i:i + batch]
        opt.zero_grad(); loss = loss_fn(model(x[idx_]), y[idx_]); loss.backward(); opt.step()
        total += loss.item() * len(idx_); seen += len(idx_)
        if stop:
            break
    if stop:
        break
    p = predict(vx)
    val_loss = float(nn.functional.nll_loss(torch.log(p.clamp_min(1e-12)), vy))
    val_acc = float((p.argmax(1) == vy).float().mean())
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "rng": torch.get_rng_state(), "epoch": epoch}, ckpt_path + ".tmp")
    os.replace(ckpt_path + ".tmp", ckpt_path)
    print("hpsearch " + json.dumps({"epoch": epoch, "train_loss": total / max(seen, 1), "val_loss": val_loss, "val_accuracy": val_acc,
                                    "learning_rate": lr, "seconds": time.time() - t0}), flush=True)

np.save(os.path.join(out_dir, "validation.npy"), predict(vx).numpy().astype(np.float32))
np.save(os.path.join(out_dir, "test.npy"), predict(tx).numpy().astype(np.float32))
np.save(os.path.join(out_dir, "validation_labels.npy"), vy.numpy())
np.save(os.path.join(out_dir, "test_labels.npy"), ty)
