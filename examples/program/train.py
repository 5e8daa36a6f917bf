#!/usr/bin/env python3
"""A training program that speaks hpsearch's protocol, in plain Python (no third-party imports).

It fits a softmax regression by gradient descent to a small synthetic three-class problem whose
rows depend on the trial's seed only through the initial weights. What a real program does too:
- reads its hyperparameters from --name=value flags (program.args: flags), here --learning_rate
  and --width (the number of random features), and budget.max_epochs from --epochs=N;
- uses $HPSEARCH_SEED, reports each epoch as `hpsearch {json}` on standard output (after writing
  its checkpoint into $HPSEARCH_CHECKPOINT_DIR), continues from that checkpoint when
  $HPSEARCH_RESUME is 1, stops cleanly on SIGTERM, and writes validation.npy / test.npy
  (probabilities [N, C]) and, once, the label files into $HPSEARCH_OUTPUT_DIR.
As a distillation student (`hpsearch distill`), it reads the teacher's soft targets from
$HPSEARCH_TEACHER (an .npy of [training rows, classes]) and mixes them with the labels by
$HPSEARCH_ALPHA (a simplification of alpha·T²·KL + (1 − alpha)·CE: the targets are already at
$HPSEARCH_TEMPERATURE). It writes train.npy too, so its sweep's ensemble can teach.
Test hooks (environment): TOY_FAIL_TRIAL=N exits 3 in trial N after its first epoch.
"""
import json, math, os, random, signal, struct, sys, time

args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
lr = float(args.get("learning_rate", "0.1"))
width = int(args.get("width", "8"))
epochs = int(args.get("epochs", os.environ.get("HPSEARCH_MAX_EPOCHS", "5")))
trial = int(os.environ.get("HPSEARCH_TRIAL", "0"))
seed = int(os.environ.get("HPSEARCH_SEED", "0"))
out_dir = os.environ.get("HPSEARCH_OUTPUT_DIR", ".")
ckpt_dir = os.environ.get("HPSEARCH_CHECKPOINT_DIR", ".")
delay = float(os.environ.get("TOY_EPOCH_SECONDS", "0"))

stop = False
def on_term(signum, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)

C = 3
def data(n, rng):
    rows, labels = [], []
    for _ in range(n):
        y = rng.randrange(C)
        x = [rng.gauss(0, 1) + (1.5 if j % C == y else 0) for j in range(6)]
        rows.append(x); labels.append(y)
    return rows, labels

data_rng = random.Random(1234)   # the data are the same in every trial
train, validation, test = data(300, data_rng), data(120, data_rng), data(120, data_rng)
rng = random.Random(seed)
proj = [[rng.gauss(0, 1) / math.sqrt(6) for _ in range(width)] for _ in range(6)]
W = [[0.0] * C for _ in range(width)]
start = 1
ckpt = os.path.join(ckpt_dir, "state.json")
if os.environ.get("HPSEARCH_RESUME") == "1" and os.path.exists(ckpt):
    state = json.load(open(ckpt))
    W, start = state["W"], state["epoch"] + 1
    print(f"resuming trial {trial} after epoch {state['epoch']}", file=sys.stderr)

def load_npy(path):
    """A little-endian float32 .npy file by hand: (values, shape)."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<H", raw[8:10])[0]
    header = raw[10:10 + n].decode()
    shape = tuple(int(v) for v in header.split("(")[1].split(")")[0].split(",") if v.strip())
    count = 1
    for d in shape: count *= d
    return list(struct.unpack("<%df" % count, raw[10 + n:10 + n + 4 * count])), shape

teacher, alpha = None, 0.0
if "HPSEARCH_TEACHER" in os.environ:
    values, shape = load_npy(os.environ["HPSEARCH_TEACHER"])
    teacher = [values[r * shape[1]:(r + 1) * shape[1]] for r in range(shape[0])]
    alpha = float(os.environ.get("HPSEARCH_ALPHA", "0.5"))
    assert len(teacher) == len(train[0]), "the teacher covers the training split"
    print(f"student: teacher of {len(teacher)} rows, alpha {alpha}, temperature {os.environ.get('HPSEARCH_TEMPERATURE')}", file=sys.stderr)

def features(x):
    return [math.tanh(sum(x[i] * proj[i][k] for i in range(6))) for k in range(width)]

def probs(x):
    f = features(x)
    z = [sum(f[k] * W[k][c] for k in range(width)) for c in range(C)]
    m = max(z); e = [math.exp(v - m) for v in z]; s = sum(e)
    return [v / s for v in e]

def evaluate(split):
    rows, labels = split
    ps = [probs(x) for x in rows]
    loss = -sum(math.log(max(p[y], 1e-12)) for p, y in zip(ps, labels)) / len(rows)
    acc = sum(max(range(C), key=lambda c: p[c]) == y for p, y in zip(ps, labels)) / len(rows)
    return ps, loss, acc

def save_npy(path, values, shape, code):
    """A .npy file by hand: '<f4' floats or '<i8' integers."""
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (code, ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    header += " " * ((16 - (10 + len(header) + 1) % 16) % 16) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), "f" if code == "<f4" else "q"), *values))

for epoch in range(start, epochs + 1):
    t0 = time.time()
    rows, labels = train
    for r, (x, y) in enumerate(zip(rows, labels)):
        f = features(x); p = probs(x)
        target = [(1.0 if c == y else 0.0) for c in range(C)]
        if teacher is not None:
            target = [alpha * teacher[r][c] + (1 - alpha) * target[c] for c in range(C)]
        for k in range(width):
            for c in range(C):
                W[k][c] -= lr * f[k] * (p[c] - target[c])
    _, train_loss, train_acc = evaluate(train)
    _, val_loss, val_acc = evaluate(validation)
    if delay:
        time.sleep(delay)
    json.dump({"W": W, "epoch": epoch}, open(ckpt + ".tmp", "w"))
    os.replace(ckpt + ".tmp", ckpt)
    print("hpsearch " + json.dumps({"epoch": epoch, "train_loss": train_loss, "train_accuracy": train_acc,
                                    "val_loss": val_loss, "val_accuracy": val_acc, "seconds": time.time() - t0}), flush=True)
    if os.environ.get("TOY_FAIL_TRIAL") == str(trial):
        print("toy: failing on purpose (TOY_FAIL_TRIAL)", file=sys.stderr, flush=True)
        sys.exit(3)
    if stop:
        break

for name, split in (("validation", validation), ("test", test), ("train", train)):
    ps, _, _ = evaluate(split)
    save_npy(os.path.join(out_dir, name + ".npy"), [v for p in ps for v in p], (len(ps), C), "<f4")
    if name != "train":
        save_npy(os.path.join(out_dir, name + "_labels.npy"), split[1], (len(split[1]),), "<i8")
print(f"trial {trial} done", file=sys.stderr)
